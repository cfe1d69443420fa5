import Foundation
import Testing
@testable import SOSDump

/// The S.O.S. messages byte by byte (docs/sos-protocol.md §A2), written here by
/// hand and apart from the library's encoders, so that a mistake in one
/// does not hide in the other; then every cut, every rule, and the encoders.
@Suite struct SOSRecoveryTests {
    static func text(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func zeros(_ n: Int) -> [UInt8] { Array(repeating: 0, count: n) }
    /// `s`, its NUL, and zeros to `n` bytes.
    static func field(_ s: String, _ n: Int) -> [UInt8] { text(s) + zeros(n - s.utf8.count) }

    static let phoneMAC: [UInt8] = [0x00, 0x02, 0xfd, 0x5a, 0x00, 0x01]

    /// A request as the vendor's utility sends it: opcode 0, the magic, the
    /// wildcard serial, zeros to 160 bytes.
    ///
    /// ```
    /// 0000  00 00 00 00 52 45 43 4d 46 46 46 46 46 46 46 46   ....RECMFFFFFFFF
    /// 0010  46 46 46 46 00 00 00 00 00 00 00 00 00 00 00 00   FFFF............
    /// 0020  00 ... (zeros to 0x9f)
    /// ```
    static let request: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x52, 0x45, 0x43, 0x4d] + field("FFFFFFFFFFFF", 20) + zeros(132)

    /// An upgrade order: opcode 2, the wildcard serial, port 69, the file name.
    ///
    /// ```
    /// 0000  02 00 00 00 52 45 43 4d 46 46 46 46 46 46 46 46   ....RECMFFFFFFFF
    /// 0010  46 46 46 46 00 00 00 00 00 00 00 00 00 45 00 00   FFFF.........E..
    /// 0020  2f 73 70 61 37 31 66 36 2e 62 69 6e 00 00 00 00   /spa71f6.bin....
    /// 0030  00 ... (zeros to 0x9f)
    /// ```
    static let upgrade: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x52, 0x45, 0x43, 0x4d] + field("FFFFFFFFFFFF", 20)
        + [0x00, 0x45, 0x00, 0x00] + field("/spa71f6.bin", 128)

    /// The phone's reply, with the bytes it leaves uninitialised set to 0xa5.
    ///
    /// ```
    /// 0000  01 a5 a5 a5 52 45 43 4d 43 42 54 39 39 39 39 30   ....RECMCBT99990
    /// 0010  30 30 31 00 00 00 00 00 00 00 00 00 53 50 41 35   001.........SPA5
    /// 0020  30 34 47 00 00 00 00 00 00 00 00 00 00 00 00 00   04G.............
    /// 0030  00 02 fd 5a 00 01 37 2e 34 2e 34 72 65 63 00 a5   ...Z..7.4.4rec..
    /// 0040  a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 31 2e 30 2e 32 00   ..........1.0.2.
    /// 0050  a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 a5 c0 00   ................
    /// 0060  02 02 ff ff                                       ....
    /// ```
    static let reply: [UInt8] = [0x01, 0xa5, 0xa5, 0xa5, 0x52, 0x45, 0x43, 0x4d] + field("CBT99990001", 20)
        + field("SPA504G", 20) + phoneMAC
        + text("7.4.4rec") + [0] + Array(repeating: 0xa5, count: 11)
        + text("1.0.2") + [0] + Array(repeating: 0xa5, count: 14)
        + [192, 0, 2, 2] + [0xff, 0xff]

    /// The phone's echo of the upgrade: opcode 2, 100 bytes, its own
    /// serial, the port and the name; bytes from 0x38 on after the name
    /// left uninitialised (0xa5 here).
    ///
    /// ```
    /// 0000  02 00 00 00 52 45 43 4d 43 42 54 39 39 39 39 30   ....RECMCBT99990
    /// 0010  30 30 31 00 00 00 00 00 00 00 00 00 00 45 00 00   001..........E..
    /// 0020  2f 73 70 61 37 31 66 36 2e 62 69 6e 00 00 00 00   /spa71f6.bin....
    /// 0030  00 00 00 00 00 00 00 00 a5 a5 ... (a5 to 0x63)    ........
    /// ```
    static let echo: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x52, 0x45, 0x43, 0x4d] + field("CBT99990001", 20)
        + [0x00, 0x45, 0x00, 0x00] + field("/spa71f6.bin", 24) + Array(repeating: 0xa5, count: 44)

    static func decode(_ bytes: [UInt8], wireCount: Int? = nil) -> Result<SOSMessage, DecodeProblem> {
        ByteView.with(bytes, wireCount: wireCount) { v in
            do throws(DecodeProblem) { return .success(try SOSMessage.decode(v)) } catch { return .failure(error) }
        }
    }

    static func decoded(_ bytes: [UInt8], wireCount: Int? = nil) throws -> SOSMessage {
        try decode(bytes, wireCount: wireCount).get()
    }

    static func sosText(_ s: String, terminated: Bool = true) -> SOSText { SOSText(bytes: text(s), terminated: terminated) }

    // MARK: Each message, each field

    @Test func theSamplesHaveTheSpecsLengths() {
        #expect(Self.request.count == 160 && Self.upgrade.count == 160)
        #expect(Self.reply.count == 100 && Self.echo.count == 100)
    }

    @Test func request() throws {
        let m = try Self.decoded(Self.request)
        #expect(m.opcode == 0 && m.kind == .request)
        #expect(m.length == 160 && m.capturedLength == 160 && !m.isTruncated && m.expectedLength == 160)
        #expect(m.serial == Self.sosText("FFFFFFFFFFFF"))
        #expect(m.product == nil && m.mac == nil && m.fileName == nil && m.upgradePort == nil)
    }

    @Test func upgrade() throws {
        let m = try Self.decoded(Self.upgrade)
        #expect(m.opcode == 2 && m.kind == .upgrade && m.length == 160)
        #expect(m.serial == Self.sosText("FFFFFFFFFFFF"))
        #expect(m.upgradePort == 69)
        #expect(m.fileName == Self.sosText("/spa71f6.bin"))
        #expect(m.fileName?.string == "/spa71f6.bin")
        #expect(m.product == nil && m.phoneAddress == nil)
    }

    @Test func reply() throws {
        let m = try Self.decoded(Self.reply)
        #expect(m.opcode == 1 && m.kind == .reply && m.length == 100 && m.expectedLength == 100)
        #expect(m.serial == Self.sosText("CBT99990001"))
        #expect(m.product == Self.sosText("SPA504G"))
        #expect(m.mac?.description == "00:02:fd:5a:00:01")
        // The uninitialised bytes after each version's NUL are not part of it.
        #expect(m.softwareVersion == Self.sosText("7.4.4rec"))
        #expect(m.hardwareVersion == Self.sosText("1.0.2"))
        #expect(m.phoneAddress == IPv4Address(192, 0, 2, 2))
        #expect(m.trailer == 0xFFFF)
        #expect(m.fileName == nil && m.upgradePort == nil)
    }

    @Test func upgradeEcho() throws {
        let m = try Self.decoded(Self.echo)
        #expect(m.opcode == 2 && m.kind == .upgradeEcho && m.length == 100)
        #expect(m.serial == Self.sosText("CBT99990001"))
        #expect(m.upgradePort == 69)
        #expect(m.fileName == Self.sosText("/spa71f6.bin"))
        #expect(m.mac == nil)
    }

    @Test func anotherOpcodeIsAnUnknownMessage() throws {
        var bytes = Self.request
        bytes[0] = 0xff
        let m = try Self.decoded(bytes)
        #expect(m.kind == .unknown && m.opcode == 255 && m.expectedLength == nil)
        #expect(m.serial == Self.sosText("FFFFFFFFFFFF"))
        #expect(SOSMessageKind(opcode: 1, length: 160) == .reply)
        #expect(SOSMessageKind(opcode: 2, length: 99) == .upgrade)
        #expect(SOSMessageKind(opcode: 2, length: 100) == .upgradeEcho)
    }

    @Test func textFields() throws {
        // A serial that fills its 20 bytes has no NUL: read whole, marked unterminated.
        var bytes = Self.request
        bytes.replaceSubrange(8..<28, with: Self.text("ABCDEFGHIJKLMNOPQRST"))
        let m = try Self.decoded(bytes)
        #expect(m.serial == Self.sosText("ABCDEFGHIJKLMNOPQRST", terminated: false))
        // Bytes that are not printable are written \xNN; the bytes stay as sent.
        bytes.replaceSubrange(8..<13, with: [0x66, 0x0a, 0x5c, 0xe9, 0])
        let odd = try Self.decoded(bytes)
        #expect(odd.serial?.description == "f\\x0a\\x5c\\xe9")
        #expect(odd.serial?.bytes == [0x66, 0x0a, 0x5c, 0xe9])
        // A file name that fills its 128 bytes runs to the end of the message.
        var long = Self.upgrade
        long.replaceSubrange(32..<160, with: Array(repeating: UInt8(ascii: "a"), count: 128))
        #expect(try Self.decoded(long).fileName == SOSText(bytes: Array(repeating: UInt8(ascii: "a"), count: 128), terminated: false))
    }

    // MARK: Not a message, and every cut

    @Test func notRECMIsMalformedAndTooShortIsMissing() {
        var bytes = Self.request
        bytes[7] = 0x4e  // "RECN"
        #expect(Self.decode(bytes) == .failure(.malformed(.invalidField(field: .sosMagic, value: 0x5245_434e))))
        ByteView.with(bytes) { #expect(!SOSMessage.isSOS($0)) }
        ByteView.with(Self.request) { #expect(SOSMessage.isSOS($0)) }
        #expect(Self.decode(Array(Self.request.prefix(7))) == .failure(.malformed(.tooShort(needed: 8, available: 7))))
        #expect(Self.decode(Array(Self.request.prefix(7)), wireCount: 160) == .failure(.truncated(needed: 8, captured: 7)))
    }

    /// Cut by the snap length at every byte: opcode and magic needed, then
    /// each field is there exactly when all its bytes (or its text up to
    /// the NUL) were captured. The message keeps its length on the wire.
    @Test func everySnapLengthCut() throws {
        for sample in [Self.request, Self.upgrade, Self.reply, Self.echo] {
            let whole = try Self.decoded(sample)
            for n in 0..<sample.count {
                let cut = Array(sample.prefix(n))
                guard n >= 8 else {
                    #expect(Self.decode(cut, wireCount: sample.count) == .failure(.truncated(needed: 8, captured: n)))
                    continue
                }
                let m = try Self.decoded(cut, wireCount: sample.count)
                #expect(m.kind == whole.kind && m.length == sample.count && m.capturedLength == n && m.isTruncated)
                func kept(_ end: Int) -> Bool { n >= end }
                // Text fields: known once their NUL is captured.
                #expect((m.serial != nil) == kept(8 + (whole.serial?.bytes.count ?? 0) + 1), "cut at \(n)")
                #expect(m.serial == nil || m.serial == whole.serial)
                #expect((m.mac != nil) == (whole.mac != nil && kept(54)), "cut at \(n)")
                #expect((m.phoneAddress != nil) == (whole.phoneAddress != nil && kept(98)), "cut at \(n)")
                #expect((m.trailer != nil) == (whole.trailer != nil && kept(100)), "cut at \(n)")
                #expect((m.upgradePort != nil) == (whole.upgradePort != nil && kept(30)), "cut at \(n)")
                #expect((m.fileName != nil) == (whole.fileName != nil && kept(32 + 13)), "cut at \(n)")
                #expect((m.softwareVersion != nil) == (whole.softwareVersion != nil && kept(54 + 9)), "cut at \(n)")
                #expect((m.hardwareVersion != nil) == (whole.hardwareVersion != nil && kept(74 + 6)), "cut at \(n)")
                #expect((m.product != nil) == (whole.product != nil && kept(28 + 8)), "cut at \(n)")
            }
        }
    }

    /// Cut on the wire (the datagram itself is short): every length from 8
    /// decodes, with the fields the datagram holds, and the length says so.
    @Test func everyWireCut() throws {
        for n in 8..<Self.upgrade.count {
            let m = try Self.decoded(Array(Self.upgrade.prefix(n)))
            #expect(m.length == n && !m.isTruncated)
            // op 2 at exactly 100 bytes reads as the phone's echo.
            #expect(m.kind == (n == 100 ? .upgradeEcho : .upgrade))
            #expect((m.serial != nil) == (n > 8))
            if n > 8, n < 21 { #expect(m.serial?.terminated == false && m.serial?.bytes.count == n - 8) }
            #expect((m.fileName != nil) == (n > 32))
            if n > 32, n < 45 { #expect(m.fileName?.terminated == false) }
            if n >= 45, n != 100 { #expect(m.fileName == Self.sosText("/spa71f6.bin")) }
        }
        for n in 8..<Self.reply.count {
            let m = try Self.decoded(Array(Self.reply.prefix(n)))
            #expect(m.kind == .reply && m.length == n)
            #expect((m.mac != nil) == (n >= 54) && (m.phoneAddress != nil) == (n >= 98))
        }
    }

    // MARK: The rules that make the phone drop a message

    /// To the group from 4811 to 4810, over plain IPv4.
    static let good = SOSDelivery(sourcePort: 4811, destinationPort: 4810, destination: SOSRecovery.group)
    static let phone = SOSPhoneFacts(address: IPv4Address(192, 0, 2, 2), prefixLength: 24, serial: "CBT99990001")

    static func rules(_ bytes: [UInt8], _ delivery: SOSDelivery = good, phone: SOSPhoneFacts = phone) throws -> [SOSRuleViolation] {
        try decoded(bytes).ruleViolations(delivery: delivery, phone: phone)
    }

    @Test func validRequestsAndUpgradesBreakNoRule() throws {
        #expect(try Self.rules(Self.request) == [])
        #expect(try Self.rules(Self.upgrade) == [])
        // To the phone's own address, with its exact serial.
        var mine = Self.request
        mine.replaceSubrange(8..<28, with: Self.field("CBT99990001", 20))
        var unicast = Self.good
        unicast.destination = IPv4Address(192, 0, 2, 2)
        #expect(try Self.rules(mine, unicast) == [])
        // Nothing known about the phone: only the certain rules.
        #expect(try Self.rules(Self.request, phone: SOSPhoneFacts()) == [])
    }

    @Test func repliesAndEchoesToTheUtilityAreNotJudged() throws {
        let toUtility = SOSDelivery(sourcePort: 4810, destinationPort: 4811, destination: SOSRecovery.group)
        #expect(try Self.rules(Self.reply, toUtility) == [])
        #expect(try Self.rules(Self.echo, toUtility) == [])
        // A 100-byte op 2 sent to the phone's port is an order: its length is wrong.
        #expect(try Self.rules(Self.echo, Self.good, phone: SOSPhoneFacts()) == [.wrongLength(100)])
    }

    @Test func length() throws {
        let short = Array(Self.request.prefix(150))
        #expect(try Self.rules(short) == [.wrongLength(150)])
        let long = Self.request + Self.zeros(40)
        #expect(try Self.rules(long) == [.heapOverflow(length: 200), .wrongLength(200)])
        #expect(SOSRuleViolation.heapOverflow(length: 200).dropsMessage == false)
        #expect(SOSRuleViolation.wrongLength(150).dropsMessage)
        #expect(SOSRuleViolation.wrongLength(150).description
            == "150 bytes long: the phone takes only 160-byte requests and upgrades and drops it (its console says \"received request with incorrect len:150\")")
    }

    @Test func sourceAndDestinationPorts() throws {
        var d = Self.good
        d.sourcePort = 50123
        #expect(try Self.rules(Self.request, d) == [.wrongSourcePort(50123)])
        #expect(SOSRuleViolation.wrongSourcePort(50123).description
            == "sent from port 50123: the phone takes messages only from port 4811 and drops it (its console says \"Invalid source port (50123)\")")
        d = Self.good
        d.destinationPort = 4811
        #expect(try Self.rules(Self.request, d) == [.wrongDestinationPort(4811)])
    }

    @Test func broadcastsAndOtherDestinations() throws {
        var d = Self.good
        d.destination = .broadcast
        #expect(try Self.rules(Self.request, d, phone: SOSPhoneFacts()) == [.broadcast(.broadcast)])
        // A subnet's broadcast address: known from the phone's prefix ...
        d.destination = IPv4Address(192, 0, 2, 255)
        #expect(try Self.rules(Self.request, d) == [.broadcast(IPv4Address(192, 0, 2, 255))])
        // ... or from the Ethernet broadcast; without either, it cannot be told from a host.
        #expect(try Self.rules(Self.request, d, phone: SOSPhoneFacts()) == [])
        d.linkBroadcast = true
        #expect(try Self.rules(Self.request, d, phone: SOSPhoneFacts()) == [.broadcast(IPv4Address(192, 0, 2, 255))])
        d = Self.good
        d.destination = IPv4Address(239, 255, 255, 250)
        #expect(try Self.rules(Self.request, d, phone: SOSPhoneFacts()) == [.otherGroup(IPv4Address(239, 255, 255, 250))])
        d.destination = IPv4Address(192, 0, 2, 7)
        #expect(try Self.rules(Self.request, d) == [.notThePhone(destination: IPv4Address(192, 0, 2, 7), phone: IPv4Address(192, 0, 2, 2))])
        #expect(SOSPhoneFacts(address: IPv4Address(10, 1, 2, 3), prefixLength: 8).subnetBroadcast == IPv4Address(10, 255, 255, 255))
        #expect(SOSPhoneFacts(address: IPv4Address(10, 1, 2, 3)).subnetBroadcast == nil)
    }

    @Test func ipLayerRules() throws {
        var d = Self.good
        d.ipHeaderLength = 24
        d.fragmented = true
        d.ipChecksumBad = true
        d.udpChecksumBad = true
        #expect(try Self.rules(Self.request, d) == [.ipOptions(headerLength: 24), .badIPChecksum, .fragmented, .badUDPChecksum])
        d = Self.good
        d.destination = nil
        #expect(try Self.rules(Self.request, d) == [.notIPv4])
    }

    @Test func opcode() throws {
        var bytes = Self.request
        bytes[0] = 3
        #expect(try Self.rules(bytes) == [.unexpectedOpcode(3)])
        bytes[0] = 0xff
        #expect(SOSRuleViolation.unexpectedOpcode(0xff).description.contains("opcode -1:"))
        // The phone's own reply sent back at it is an unexpected opcode too.
        #expect(try Self.rules(Self.reply) == [.unexpectedOpcode(1), .wrongLength(100)])
    }

    @Test func serial() throws {
        func withSerial(_ field: [UInt8]) -> [UInt8] {
            var bytes = Self.request
            bytes.replaceSubrange(8..<28, with: field)
            return bytes
        }
        let mismatch: (String) -> [SOSRuleViolation] = { sent in
            [.serialMismatch(sent: Self.sosText(sent), phone: Self.sosText("CBT99990001"))]
        }
        // Lower-case f's are not the wildcard.
        #expect(try Self.rules(withSerial(Self.field("ffffffffffff", 20))) == mismatch("ffffffffffff"))
        // Eleven F's, thirteen F's: not the wildcard either.
        #expect(try Self.rules(withSerial(Self.field("FFFFFFFFFFF", 20))) == mismatch("FFFFFFFFFFF"))
        #expect(try Self.rules(withSerial(Self.field("FFFFFFFFFFFFF", 20))) == mismatch("FFFFFFFFFFFFF"))
        // The MAC instead of the serial.
        #expect(try Self.rules(withSerial(Self.field("0002FD5A0001", 20))) == mismatch("0002FD5A0001"))
        // A prefix of the phone's serial, and the serial with more after it.
        #expect(try Self.rules(withSerial(Self.field("CBT9999000", 20))) == mismatch("CBT9999000"))
        #expect(try Self.rules(withSerial(Self.field("CBT99990001 ", 20))) == mismatch("CBT99990001 "))
        // The phone's own serial, exactly: taken. Without the phone's serial nothing is judged.
        #expect(try Self.rules(withSerial(Self.field("CBT99990001", 20))) == [])
        #expect(try Self.rules(withSerial(Self.field("ffffffffffff", 20)), phone: SOSPhoneFacts()) == [])
        let sentence = mismatch("ffffffffffff")[0].description
        #expect(sentence == "serial \"ffffffffffff\" is neither FFFFFFFFFFFF (twelve capital F's) nor the phone's serial \"CBT99990001\" exactly: the phone drops it silently")
    }

    @Test func everyRuleAtOnceInThePhonesOrder() throws {
        var bytes = Self.request + Self.zeros(10)
        bytes[0] = 5
        bytes.replaceSubrange(8..<28, with: Self.field("nope", 20))
        let d = SOSDelivery(sourcePort: 1234, destinationPort: 4812, destination: .broadcast, linkBroadcast: true,
                            ipHeaderLength: 28, fragmented: true, ipChecksumBad: true, udpChecksumBad: true)
        let broken = try Self.rules(bytes, d)
        #expect(broken.map(\.code) == ["ip-options", "ip-checksum", "fragmented", "broadcast", "udp-checksum", "destination-port",
                                       "source-port", "heap-overflow", "opcode", "length", "serial"])
    }

    @Test func deliveryFromADecodedFrame() {
        // Ethernet to ff:ff:ff:ff:ff:ff, IPv4 to 192.0.2.255, UDP 5000 -> 4810.
        let udp = PacketBuilder.udp(sport: 5000, dport: 4810, dst: IPv4Address(192, 0, 2, 255), Self.request)
        var frame = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(dst: IPv4Address(192, 0, 2, 255), udp))
        frame.replaceSubrange(0..<6, with: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        FrameDecoder().withDecoded(frame) { d in
            let delivery = SOSDelivery(d)
            #expect(delivery == SOSDelivery(sourcePort: 5000, destinationPort: 4810, destination: IPv4Address(192, 0, 2, 255), linkBroadcast: true))
            guard case .success(let m)? = d.sosRecovery, let delivery else { Issue.record("not S.O.S."); return }
            #expect(m.ruleViolations(delivery: delivery).map(\.code) == ["broadcast", "source-port"])
        }
    }

    @Test func recognisedByContentOnAnyPortAndByPort() {
        FrameDecoder().withDecoded(PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(sport: 40000, dport: 9, Self.request)))) { d in
            guard case .success(let m)? = d.sosRecovery else { Issue.record("not recognised"); return }
            #expect(m.kind == .request)
        }
        // On the S.O.S. ports without RECM: says why it is not a message.
        FrameDecoder().withDecoded(PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(Array("hello".utf8))))) { d in
            #expect(d.sosRecovery == .failure(.malformed(.tooShort(needed: 8, available: 5))))
        }
        // Elsewhere without RECM: not S.O.S. at all.
        FrameDecoder().withDecoded(PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(sport: 2000, dport: 69, TFTPTests.sosRRQ)))) { d in
            #expect(d.sosRecovery == nil)
        }
    }

    // MARK: A file name sent as text (older loaders)

    @Test func fileNameAsText() {
        func find(_ bytes: [UInt8]) -> SOSFileNameText? { ByteView.with(bytes) { SOSRecovery.firmwareFileName(in: $0) } }
        // A C string after a binary header.
        #expect(find([0x07, 0x00, 0x10] + Self.text("/spa71f6.bin") + [0, 0x41])
            == SOSFileNameText(name: "/spa71f6.bin", offset: 3, nulTerminated: true))
        // Plain text, the name from its first slash, upper-case extension, at the end.
        #expect(find(Self.text("UPGRADE file=/fw/SPA50X.BIN"))
            == SOSFileNameText(name: "/fw/SPA50X.BIN", offset: 13, nulTerminated: false))
        // No slash: the whole run.
        #expect(find(Self.text("get spa50x-30x-7-4-9c.bin\r\n"))
            == SOSFileNameText(name: "spa50x-30x-7-4-9c.bin", offset: 4, nulTerminated: false))
        // Not a name: ".bin" alone, other extensions, nothing printable.
        #expect(find(Self.text(".bin x.binary /cfg.xml")) == nil)
        #expect(find([0xff, 0x00, 0x2e, 0x62]) == nil)
        #expect(find([]) == nil)
    }

    @Test func datagramCarriesTheRequestedName() {
        let payload = [0x09, 0x09] + Self.text("/spa71f6.bin") + [0] + Self.text("/spa71f6.bin.old")
        ByteView.with(payload) { v in
            #expect(SOSRecovery.offset(ofFileName: "/spa71f6.bin", in: v) == 2)
            #expect(SOSRecovery.offset(ofFileName: "/spa71f6.bi", in: v) == nil)
            #expect(SOSRecovery.offset(ofFileName: "spa71f6.bin", in: v) == 3)
            #expect(SOSRecovery.offset(ofFileName: "", in: v) == nil)
        }
        ByteView.with(Self.text("/a.binx /a.bin")) { #expect(SOSRecovery.offset(ofFileName: "/a.bin", in: $0) == 8) }
    }

    // MARK: Encoders

    @Test func encodersWriteTheSameBytes() {
        #expect(SOSRecovery.encodeRequest() == Self.request)
        #expect(SOSRecovery.encodeUpgrade(fileName: "/spa71f6.bin") == Self.upgrade)
        #expect(SOSRecovery.encodeReply(serial: "CBT99990001", product: "SPA504G", mac: MACAddress(rawValue: 0x0002_fd5a_0001),
                                        address: IPv4Address(192, 0, 2, 2), uninitialised: 0xa5) == Self.reply)
        #expect(SOSRecovery.encodeUpgradeEcho(serial: "CBT99990001", port: 69, fileName: "/spa71f6.bin", uninitialised: 0xa5) == Self.echo)
    }

    @Test func encodersRoundTrip() throws {
        let request = try Self.decoded(SOSRecovery.encodeRequest(serial: "CBT1", opcode: 7, length: 150))
        #expect(request.opcode == 7 && request.length == 150 && request.serial == Self.sosText("CBT1"))
        let short = try Self.decoded(SOSRecovery.encodeRequest(length: 12))
        #expect(short.length == 12 && short.serial == Self.sosText("FFFF", terminated: false))
        let upgrade = try Self.decoded(SOSRecovery.encodeUpgrade(serial: "X", port: 6969, fileName: "/a.bin", length: 200))
        #expect(upgrade.kind == .upgrade && upgrade.length == 200 && upgrade.upgradePort == 6969 && upgrade.fileName == Self.sosText("/a.bin"))
        let reply = try Self.decoded(SOSRecovery.encodeReply(serial: "S", product: "SPA301", mac: MACAddress(rawValue: 0x0102_0304_0506),
                                                             softwareVersion: "7.5.3rec", hardwareVersion: "2.0.0",
                                                             address: IPv4Address(169, 254, 87, 1)))
        #expect(reply.product == Self.sosText("SPA301") && reply.mac == MACAddress(rawValue: 0x0102_0304_0506))
        #expect(reply.softwareVersion == Self.sosText("7.5.3rec") && reply.hardwareVersion == Self.sosText("2.0.0"))
        #expect(reply.phoneAddress == IPv4Address(169, 254, 87, 1) && reply.serial == Self.sosText("S"))
        // A name longer than the echo holds is cut to 67 bytes and its NUL.
        let long = String(repeating: "n", count: 90) + ".bin"
        let echo = try Self.decoded(SOSRecovery.encodeUpgradeEcho(serial: "S", port: 69, fileName: long))
        #expect(echo.kind == .upgradeEcho && echo.fileName == Self.sosText(String(long.prefix(67))))
        // A serial longer than its field is cut, without a NUL, as the phone's strncpy would.
        let full = try Self.decoded(SOSRecovery.encodeRequest(serial: String(repeating: "9", count: 25)))
        #expect(full.serial == Self.sosText(String(repeating: "9", count: 20), terminated: false))
    }
}

/// The line and JSON object `sosdump packets` prints for S.O.S. messages.
@Suite struct SOSPacketLineTests {
    let decoder = FrameDecoder()
    static let pc = IPv4Address(192, 0, 2, 1)
    static let phone = IPv4Address(192, 0, 2, 2)

    func frame(_ payload: [UInt8], from src: IPv4Address = pc, to dst: IPv4Address = SOSRecovery.group,
               sport: Int = 4811, dport: Int = 4810) -> [UInt8] {
        PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(src: src, dst: dst,
                                                                PacketBuilder.udp(sport: sport, dport: dport, src: src, dst: dst, payload)))
    }

    @Test func theFourMessages() {
        #expect(decoder.record(frame(SOSRecoveryTests.request)).summary.hasSuffix(
            "IP 192.0.2.1.4811 > 234.4.8.10.4810: S.O.S. request (op 0), serial FFFFFFFFFFFF, length 160"))
        #expect(decoder.record(frame(SOSRecoveryTests.reply, from: Self.phone, sport: 4810, dport: 4811)).summary.hasSuffix(
            "IP 192.0.2.2.4810 > 234.4.8.10.4811: S.O.S. reply (op 1) SPA504G 00:02:fd:5a:00:01 7.4.4rec hw 1.0.2 ip 192.0.2.2, serial CBT99990001, length 100"))
        #expect(decoder.record(frame(SOSRecoveryTests.upgrade)).summary.hasSuffix(
            "S.O.S. upgrade (op 2) /spa71f6.bin port 69, serial FFFFFFFFFFFF, length 160"))
        let echo = decoder.record(frame(SOSRecoveryTests.echo, from: Self.phone, sport: 4810, dport: 4811))
        #expect(echo.summary.hasSuffix("S.O.S. upgrade echo (op 2) /spa71f6.bin port 69, serial CBT99990001, length 100"))
        #expect(echo.notes == nil && echo.stop == nil)
        #expect(echo.sos == PacketRecord.SOS(kind: "upgrade-echo", opcode: 2, length: 100, serial: "CBT99990001",
                                             upgradePort: 69, fileName: "/spa71f6.bin"))
    }

    @Test func brokenRulesAreNotes() throws {
        let record = decoder.record(frame(Array(SOSRecoveryTests.request.prefix(150)), sport: 5000))
        #expect(record.summary.hasSuffix(
            "IP 192.0.2.1.5000 > 234.4.8.10.4810: S.O.S. request (op 0), serial FFFFFFFFFFFF, length 150"
            + " [S.O.S. sent from port 5000: the phone takes messages only from port 4811 and drops it (its console says \"Invalid source port (5000)\")]"
            + " [S.O.S. 150 bytes long: the phone takes only 160-byte requests and upgrades and drops it (its console says \"received request with incorrect len:150\")]"))
        #expect(record.sos?.rulesBroken?.map(\.code) == ["source-port", "length"])
        #expect(record.sos?.rulesBroken?.allSatisfy(\.drops) == true)
        // To the limited broadcast address.
        let broadcast = decoder.record(frame(SOSRecoveryTests.request, to: .broadcast))
        #expect(broadcast.sos?.rulesBroken?.map(\.code) == ["broadcast"])
    }

    @Test func json() throws {
        let record = decoder.record(frame(SOSRecoveryTests.reply, from: Self.phone, sport: 4810, dport: 4811))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let text = String(decoding: try encoder.encode(record.sos), as: UTF8.self)
        #expect(text == #"{"hardware_version":"1.0.2","kind":"reply","length":100,"mac":"00:02:fd:5a:00:01","opcode":1,"#
            + #""phone_address":"192.0.2.2","product":"SPA504G","serial":"CBT99990001","software_version":"7.4.4rec"}"#)
    }

    @Test func truncatedMessageShowsWhatWasKept() {
        let f = frame(SOSRecoveryTests.reply, from: Self.phone, sport: 4810, dport: 4811)
        let record = decoder.record(Array(f.prefix(42 + 60)), wireLength: f.count)
        #expect(record.summary.hasSuffix("S.O.S. reply (op 1) SPA504G 00:02:fd:5a:00:01, serial CBT99990001, length 100"))
        #expect(record.stop == nil)
    }

    @Test func notAMessageOnThePhonesPort() {
        let record = decoder.record(frame(Array("hello, phone".utf8)))
        #expect(record.summary.hasSuffix("UDP, length 12 [to port 4810 but not an S.O.S. message (no RECM at offset 4): the 7.6.2f recovery program drops it]"))
        // An older loader's order, perhaps: the file name is pointed out.
        let text = decoder.record(frame(Array("RECOVERY UPGRADE /spa71f6.bin".utf8) + [0]))
        #expect(text.notes == ["to port 4810 but not an S.O.S. message (no RECM at offset 4): the 7.6.2f recovery program drops it;"
            + " it names /spa71f6.bin as text, as an older loader's upgrade order might"])
        #expect(record.sos == nil)
        // From the S.O.S. ports but not to the phone: nothing to say.
        #expect(decoder.record(frame(Array("hello, phone".utf8), sport: 4810, dport: 4811)).notes == nil)
    }
}
