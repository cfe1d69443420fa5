import Testing
@testable import SOSDump

/// SCCP messages byte by byte (written here by hand, apart from the
/// encoder), the framing at every cut, and the stream tracker fed TCP
/// segments split, joined, repeated, reordered and lost.
@Suite struct SCCPTests {
    static func le32(_ v: UInt32) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: v >> $0) } }
    static func name(_ s: String, _ n: Int) -> [UInt8] { Array(s.utf8) + Array(repeating: 0, count: n - s.utf8.count) }

    /// A 7945 registering:
    ///
    /// ```
    /// 0000  28 00 00 00 00 00 00 00 01 00 00 00 53 45 50 30   (.......SEP0
    /// 0010  30 31 31 32 32 33 33 34 34 35 35 00 00 00 00 00   01122334455.....
    /// 0020  01 00 00 00 c0 00 02 0a b3 01 00 00 05 00 00 00   ................
    /// ```
    /// 48 bytes: length 0x28 = 40 (id 4 + data 36), version 0, id 1, device name,
    /// user id 0, instance 1, 192.0.2.10, device type 0x1b3 = 435, 5 streams.
    static let register: [UInt8] = le32(40) + le32(0) + le32(1) + name("SEP001122334455", 16) + le32(0) + le32(1)
        + [192, 0, 2, 10] + le32(435) + le32(5)
    static let registerAck: [UInt8] = le32(20) + le32(0) + le32(0x81) + le32(30) + Array("M/D/Y".utf8) + [0, 0, 0] + le32(60)
    static let registerReject: [UInt8] = le32(37) + le32(0) + le32(0x9D) + name("Device not in database", 33)
    static let reset: [UInt8] = le32(8) + le32(0) + le32(0x9F) + le32(2)
    static let keepAlive: [UInt8] = le32(4) + le32(0) + le32(0)
    static let keepAliveAck: [UInt8] = le32(4) + le32(0) + le32(0x100)

    static func decode(_ bytes: [UInt8], wireCount: Int? = nil) -> Result<SCCPMessage, DecodeProblem> {
        ByteView.with(bytes, wireCount: wireCount) { v in
            do throws(DecodeProblem) { return .success(try SCCPMessage.decode(v)) } catch { return .failure(error) }
        }
    }

    @Test func theMessagesByName() throws {
        let r = try Self.decode(Self.register).get()
        #expect(r.length == 40 && r.headerVersion == 0 && r.id == .register && r.id.name == "RegisterMessage")
        #expect(r.body == .register(SCCPRegister(deviceName: "SEP001122334455", userID: 0, instance: 1,
                                                 stationAddress: IPv4Address(192, 0, 2, 10), deviceType: 435, maxStreams: 5)))
        #expect(try Self.decode(Self.registerAck).get().body == .registerAck(keepAlive: 30, secondaryKeepAlive: 60))
        #expect(try Self.decode(Self.registerReject).get().body == .registerReject(text: "Device not in database"))
        #expect(try Self.decode(Self.reset).get().body == .reset(.restart))
        #expect(try Self.decode(Self.keepAlive).get().body == .keepAlive)
        #expect(try Self.decode(Self.keepAliveAck).get().body == .keepAliveAck)
        let other = try Self.decode(Self.le32(8) + Self.le32(0x12) + Self.le32(0x98) + [1, 2, 3, 4]).get()
        #expect(other.id.description == "VersionMessage" && other.body == .other && other.headerVersion == 0x12)
        #expect(SCCPMessageID(rawValue: 0x4242).description == "message 0x4242")
        // A register cut short by its own length.
        let short = try Self.decode(Self.le32(12) + Self.le32(0) + Self.le32(1) + Array("SEP0".utf8) + [0, 0, 0, 0]).get()
        #expect(short.body == .short(needed: 32, available: 8))
    }

    @Test func framingAtEveryCut() throws {
        for message in [Self.register, Self.registerAck, Self.registerReject, Self.reset, Self.keepAlive] {
            for n in 0..<message.count {
                let expected: SCCPFraming = n < 8 ? .needMore(8) : .needMore(message.count)
                #expect(Array(message.prefix(n)).withUnsafeBytes { SCCPFraming.check(ByteView($0)) } == expected, "cut at \(n)")
                switch Self.decode(Array(message.prefix(n)), wireCount: message.count) {
                case .failure(let p): #expect(p.isTruncation, "cut at \(n)")
                case .success: Issue.record("a cut message decoded at \(n)")
                }
                switch Self.decode(Array(message.prefix(n))) {
                case .failure(let p): #expect(!p.isTruncation, "cut at \(n)")
                case .success: Issue.record("a cut message decoded at \(n)")
                }
            }
            #expect(message.withUnsafeBytes { SCCPFraming.check(ByteView($0)) } == .message(message.count))
        }
    }

    @Test func whatCannotStartAMessage() throws {
        func check(_ b: [UInt8]) -> SCCPFraming { b.withUnsafeBytes { SCCPFraming.check(ByteView($0)) } }
        #expect(check(Self.le32(3) + Self.le32(0)) == .invalid(.malformed(.lengthTooSmall(field: .sccpLength, claimed: 3, minimum: 4))))
        #expect(check(Self.le32(100_000) + Self.le32(0)) == .invalid(.malformed(.invalidField(field: .sccpLength, value: 100_000))))
        #expect(check(Self.le32(4) + Self.le32(7)) == .invalid(.malformed(.invalidField(field: .sccpHeaderVersion, value: 7))))
        // HTTP on port 2000 is not SCCP.
        guard case .invalid = check(Array("GET / HTTP/1.1\r\n".utf8)) else { Issue.record("HTTP framed as SCCP"); return }
    }

    @Test func theEncoderWritesWhatTheDecoderReads() throws {
        let bodies: [SCCPBody] = [.register(SCCPRegister(deviceName: "SEP00AABBCCDDEE", stationAddress: IPv4Address(10, 0, 0, 5), deviceType: 435)),
                                  .registerAck(keepAlive: 30, secondaryKeepAlive: 60), .registerReject(text: "Device not in database"),
                                  .reset(.reset), .keepAlive, .keepAliveAck, .unregister, .unregisterAck(status: 0)]
        for body in bodies {
            let bytes = SCCPMessage.encode(body, headerVersion: 0x16)
            let m = try Self.decode(bytes).get()
            #expect(m.body == body && m.headerVersion == 0x16 && m.length == bytes.count - 8)
        }
        #expect(SCCPMessage.encode(.register(SCCPRegister(deviceName: "SEP001122334455", userID: 0, instance: 1,
                                                          stationAddress: IPv4Address(192, 0, 2, 10), deviceType: 435, maxStreams: 5))) == Self.register)
        #expect(SCCPMessage.encode(.other).isEmpty)
    }

    // MARK: The stream

    static let phone = IPv4Address(192, 0, 2, 10)
    static let manager = IPv4Address(192, 0, 2, 1)

    /// A TCP segment in IPv4 in Ethernet; `wireLength` cuts the captured frame.
    static func segment(fromPhone: Bool = true, seq: UInt32, ack: UInt32 = 0, flags: UInt8 = 0x18, _ payload: [UInt8]) -> [UInt8] {
        let (sport, dport) = fromPhone ? (51000, 2000) : (2000, 51000)
        let tcp = PacketBuilder.be16(sport) + PacketBuilder.be16(dport) + PacketBuilder.be32(seq) + PacketBuilder.be32(ack)
            + [0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0] + payload
        return PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(protocol: 6, src: fromPhone ? phone : manager, dst: fromPhone ? manager : phone, tcp))
    }

    /// Runs frames through a tracker; returns every event, then the finish's.
    static func run(_ frames: [[UInt8]], cut: [Int: Int] = [:], limits: SCCPStreamTracker.Limits = .init()) -> (events: [SCCPStreamEvent], tracker: SCCPStreamTracker) {
        var tracker = SCCPStreamTracker(limits: limits)
        var events: [SCCPStreamEvent] = []
        let decoder = FrameDecoder()
        for (i, frame) in frames.enumerated() {
            let bytes = cut[i + 1].map { Array(frame.prefix($0)) } ?? frame
            decoder.withDecoded(bytes, wireLength: frame.count, number: i + 1) { events += tracker.observe($0) }
        }
        events += tracker.finish()
        return (events, tracker)
    }

    static func messages(_ events: [SCCPStreamEvent]) -> [(SCCPMessageID, Int, Int)] {
        events.compactMap { if case .message(let m, _, let first, let last) = $0 { (m.id, first, last) } else { nil } }
    }

    static let isn: UInt32 = 0xFFFF_FFF0  // the stream wraps past 2^32 inside the first message

    @Test func oneMessagePerSegmentFromTheSYN() {
        let frames = [Self.segment(seq: Self.isn, flags: 0x02, []),
                      Self.segment(seq: Self.isn &+ 1, Self.register),
                      Self.segment(fromPhone: false, seq: 7, ack: Self.isn &+ 1 &+ UInt32(Self.register.count), flags: 0x12, []),
                      Self.segment(fromPhone: false, seq: 8, Self.registerAck)]
        let (events, tracker) = Self.run(frames)
        #expect(Self.messages(events).map(\.0) == [.register, .registerAck])
        #expect(Self.messages(events).map(\.1) == [2, 4] && Self.messages(events).map(\.2) == [2, 4])
        #expect(events.count == 2 && tracker.counters.messages == 2 && tracker.counters.bytesMissing == 0)
        if case .message(_, let direction, _, _)? = events.first {
            #expect(direction.description == "192.0.2.10.51000 > 192.0.2.1.2000")
        }
    }

    @Test func aMessageSplitAndTwoJoined() {
        let both = Self.register + Self.keepAlive
        // Split the register at every byte: one message when the second half comes.
        for split in 1..<Self.register.count {
            let frames = [Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 101, Array(both.prefix(split))),
                          Self.segment(seq: 101 + UInt32(split), Array(both.dropFirst(split)))]
            let found = Self.messages(Self.run(frames).events)
            #expect(found.map(\.0) == [.register, .keepAlive], "split at \(split)")
            #expect(found.first.map { $0.1 == 2 && $0.2 == 3 } == true, "split at \(split)")
        }
    }

    @Test func retransmissionsAndOverlapsAreNotReadTwice() {
        let frames = [Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 101, Self.register),
                      Self.segment(seq: 101, Self.register),  // the same again
                      Self.segment(seq: 101 + 30, Array(Self.register.dropFirst(30)) + Self.keepAlive)]  // overlapping
        let (events, tracker) = Self.run(frames)
        #expect(Self.messages(events).map(\.0) == [.register, .keepAlive])
        #expect(tracker.counters.retransmissions == 1)
    }

    @Test func segmentsOutOfOrderAreHeldThenRead() {
        let frames = [Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 101 + 20, Array(Self.register.dropFirst(20)) + Self.keepAlive),
                      Self.segment(seq: 101, Array(Self.register.prefix(20)))]
        let (events, tracker) = Self.run(frames)
        #expect(Self.messages(events).map(\.0) == [.register, .keepAlive])
        #expect(tracker.counters.bytesMissing == 0)
    }

    @Test func aLostSegmentIsAGapAndTheStreamResynchronises() {
        // The phone's register is lost in two segments' first; the manager acknowledges all of it.
        let frames = [Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 101 + 20, Array(Self.register.dropFirst(20))),
                      Self.segment(fromPhone: false, seq: 7, ack: 101 + UInt32(Self.register.count), flags: 0x10, []),
                      Self.segment(seq: 101 + UInt32(Self.register.count), Self.keepAlive)]
        let (events, tracker) = Self.run(frames)
        #expect(events.contains(.gap(direction: .init(source: .v4(Self.phone), sourcePort: 51000, destination: .v4(Self.manager), destinationPort: 2000),
                                     frame: 3, bytes: 20, lostMessageBytes: 0)))
        // The held tail of the register does not start a message: skipped, then the keepalive.
        #expect(events.contains { if case .skipped(_, 3, 28) = $0 { true } else { false } }, "\(events)")
        #expect(Self.messages(events).map(\.0) == [.keepAlive])
        #expect(tracker.counters.bytesMissing == 20 && tracker.counters.bytesSkipped == 28)
    }

    @Test func aHoleNeverFilledIsSaidAtTheEnd() {
        let frames = [Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 101 + 44, Self.keepAlive)]
        let events = Self.run(frames).events
        #expect(events.contains { if case .gap(_, _, 44, _) = $0 { true } else { false } })
        #expect(Self.messages(events).map(\.0) == [.keepAlive])
    }

    @Test func aSnapLengthCutIsAGap() {
        let frames = [Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 101, Self.register), Self.segment(seq: 101 + 48, Self.keepAlive)]
        // Frame 2 keeps 14 + 20 + 20 + 10 bytes: 10 of the register's 48.
        let (events, tracker) = Self.run(frames, cut: [2: 64])
        #expect(events.contains { if case .gap(_, 2, 38, 10) = $0 { true } else { false } }, "\(events)")
        #expect(Self.messages(events).map(\.0) == [.keepAlive] && tracker.counters.bytesMissing == 38)
    }

    @Test func aCaptureStartedMidStream() {
        // No SYN; the first segment starts inside a message, the next on a boundary.
        let frames = [Self.segment(seq: 5000, Array(Self.register.suffix(10))), Self.segment(seq: 5010, Self.keepAlive)]
        let (events, tracker) = Self.run(frames)
        #expect(Self.messages(events).map(\.0) == [.keepAlive] && tracker.counters.bytesSkipped == 10)
        // Mid-stream on a boundary: read at once.
        #expect(Self.messages(Self.run([Self.segment(seq: 5000, Self.keepAlive)]).events).map(\.0) == [.keepAlive])
    }

    @Test func bytesThatDoNotFrameAreSkippedUntilASegmentDoes() {
        let frames = [Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 101, Array("GET / HTTP/1.1\r\n\r\n".utf8)),
                      Self.segment(seq: 119, Self.keepAlive)]
        let events = Self.run(frames).events
        #expect(events.contains { if case .unframed(_, 2, _, 18) = $0 { true } else { false } })
        #expect(Self.messages(events).map(\.0) == [.keepAlive])
    }

    @Test func aMessageLeftIncompleteAtTheEnd() {
        let events = Self.run([Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 101, Array(Self.register.prefix(30)))]).events
        #expect(events.contains { if case .incomplete(_, 2, 30) = $0 { true } else { false } })
    }

    @Test func limitsAreKeptAndCounted() {
        // Two directions allowed: a third evicts the one quiet longest.
        var frames: [[UInt8]] = []
        for port in 0..<3 {
            var f = Self.segment(seq: 100, Self.keepAlive)
            f[34] = 0xC0
            f[35] = UInt8(port)  // source port 0xC0nn
            frames.append(f)
        }
        let (events, tracker) = Self.run(frames, limits: .init(maxDirections: 2))
        #expect(tracker.counters.directionsEvicted == 1 && tracker.openDirections == 0)
        #expect(events.contains { if case .evicted(let d) = $0 { d.sourcePort == 0xC000 } else { false } })
        // Held bytes: two segments past a hole fill the limit; the third gives the hole up.
        let held = [Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 201, Self.keepAlive), Self.segment(seq: 213, Self.keepAlive),
                    Self.segment(seq: 225, Self.keepAlive)]
        let (heldEvents, heldTracker) = Self.run(held, limits: .init(stream: .init(maxHeldBytes: 24, maxHeldSegments: 8)))
        #expect(heldTracker.counters.heldLimitHits == 1)
        #expect(heldEvents.contains { if case .gap(_, 4, 100, _) = $0 { true } else { false } })
        #expect(Self.messages(heldEvents).count == 3)
    }

    @Test func aResetClosesTheDirection() {
        let frames = [Self.segment(seq: 100, flags: 0x02, []), Self.segment(seq: 101, Self.keepAlive), Self.segment(seq: 113, flags: 0x04, [])]
        let (events, tracker) = Self.run(frames)
        #expect(Self.messages(events).count == 1 && tracker.openDirections == 0)
    }

    @Test func framesThatAreNotSCCPCostNothing() {
        var tracker = SCCPStreamTracker()
        FrameDecoder().withDecoded(PacketBuilder.ethernetIPv4UDP()) { #expect(tracker.observe($0).isEmpty) }
        #expect(tracker.openDirections == 0)
    }
}
