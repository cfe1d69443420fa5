import SOSDump

/// A TFTP exchange written packet by packet, as Ethernet/IPv4/UDP frames with
/// their times, and fed to a `TFTPTransferTracker` the way a capture is.
struct TFTPConversation {
    struct Host {
        var ip: IPv4Address
        var port: Int
    }

    static let phone = Host(ip: IPv4Address(192, 0, 2, 2), port: 2000)
    static let pc = Host(ip: IPv4Address(192, 0, 2, 1), port: 69)
    static let group = Host(ip: IPv4Address(234, 4, 8, 10), port: 69)

    private(set) var frames: [(bytes: [UInt8], time: Double, wireLength: Int?)] = []
    var clock = 0.0
    /// The next IP identification: each datagram has its own, as a host's stack gives it.
    private var nextID = 1

    /// Sends `tftp` from `source` to `destination` `step` seconds after the
    /// last packet; `snap` cuts the frame to that many bytes.
    mutating func send(_ source: Host, _ destination: Host, _ tftp: [UInt8], after step: Double = 0.001, snap: Int? = nil) {
        clock += step
        nextID += 1
        let frame = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(
            src: source.ip, dst: destination.ip, id: nextID & 0xFFFF,
            PacketBuilder.udp(sport: source.port, dport: destination.port, src: source.ip, dst: destination.ip, tftp)))
        if let snap, snap < frame.count {
            frames.append((Array(frame.prefix(snap)), clock, frame.count))
        } else {
            frames.append((frame, clock, nil))
        }
    }

    /// The last frame captured again `step` seconds later, byte for byte:
    /// the same packet seen on a second interface, or in a second file merged in.
    mutating func captureAgain(after step: Double = 0.0003) {
        guard let last = frames.last else { return }
        frames.append((last.bytes, last.time + step, last.wireLength))
    }

    /// Changes byte `offset` of the last frame's UDP payload (its checksum
    /// left as it was: it no longer matches), as a bit error on the wire.
    mutating func corruptLastPayload(at offset: Int) {
        guard var last = frames.popLast() else { return }
        last.bytes[14 + 20 + 8 + offset] ^= 0x5A
        frames.append(last)
    }

    /// Appends a ready-made frame (ICMP, say).
    mutating func append(frame: [UInt8], after step: Double = 0.001) {
        clock += step
        frames.append((frame, clock, nil))
    }

    /// Feeds every frame to `tracker` as a capture would; the tracker's
    /// event for each, in order.
    @discardableResult
    func feed(_ tracker: inout TFTPTransferTracker) -> [TFTPEvent?] {
        let decoder = FrameDecoder()
        var events: [TFTPEvent?] = []
        for (i, f) in frames.enumerated() {
            let seconds = Int64(f.time.rounded(.down))
            let time = CaptureTimestamp(seconds: 1_700_000_000 + seconds, nanoseconds: UInt32((f.time - Double(seconds)) * 1e9))
            decoder.withDecoded(f.bytes, wireLength: f.wireLength, number: i + 1, time: time) { events.append(tracker.observe($0)) }
        }
        return events
    }

    /// The tracker's event for each frame, in order, and the transfers it ended.
    func events(_ limits: TFTPTransferTracker.Limits = .init()) -> (events: [TFTPEvent?], transfers: [TFTPTransfer]) {
        var tracker = TFTPTransferTracker(limits: limits)
        let events = feed(&tracker)
        return (events, tracker.finish())
    }

    func track(_ limits: TFTPTransferTracker.Limits = .init()) -> [TFTPTransfer] {
        var tracker = TFTPTransferTracker(limits: limits)
        feed(&tracker)
        return tracker.finish()
    }

    // MARK: TFTP packets

    static func request(_ opcode: Int, _ file: String, mode: String = "octet", options: [(String, String)] = []) -> [UInt8] {
        var p = PacketBuilder.be16(opcode) + Array(file.utf8) + [0] + Array(mode.utf8) + [0]
        for (name, value) in options { p += Array(name.utf8) + [0] + Array(value.utf8) + [0] }
        return p
    }

    static func rrq(_ file: String, options: [(String, String)] = []) -> [UInt8] { request(1, file, options: options) }
    static func wrq(_ file: String, options: [(String, String)] = []) -> [UInt8] { request(2, file, options: options) }
    static func data(_ block: Int, _ bytes: [UInt8]) -> [UInt8] { PacketBuilder.be16(3) + PacketBuilder.be16(block) + bytes }
    static func ack(_ block: Int) -> [UInt8] { PacketBuilder.be16(4) + PacketBuilder.be16(block) }
    static func error(_ code: Int, _ message: String) -> [UInt8] { PacketBuilder.be16(5) + PacketBuilder.be16(code) + Array(message.utf8) + [0] }
    static func oack(_ options: [(String, String)]) -> [UInt8] {
        PacketBuilder.be16(6) + options.flatMap { Array($0.0.utf8) + [0] + Array($0.1.utf8) + [0] }
    }

    /// Deterministic file bytes: every block differs, so a block put in the
    /// wrong place changes the file.
    static func fileBytes(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
        var x = seed &* 2_654_435_761 | 1
        return (0..<count).map { _ in
            x ^= x << 13; x ^= x >> 17; x ^= x << 5
            return UInt8(truncatingIfNeeded: x)
        }
    }

    /// The blocks of `file` for block size `size`, numbered from 1,
    /// with the final short (maybe empty) block.
    static func blocks(of file: [UInt8], size: Int) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var offset = 0
        while true {
            let end = min(offset + size, file.count)
            result.append(Array(file[offset..<end]))
            if end - offset < size { return result }
            offset = end
        }
    }
}

extension TFTPConversation {
    /// The conversation as a classic pcap file (microseconds).
    func pcap() -> [UInt8] {
        var file = PcapFileBuilder()
        for f in frames {
            let seconds = UInt32(1_700_000_000 + Int(f.time.rounded(.down)))
            let micros = UInt32((f.time - f.time.rounded(.down)) * 1e6)
            file.record(seconds: seconds, fraction: micros, data: f.bytes, originalLength: f.wireLength.map(UInt32.init))
        }
        return file.bytes
    }
}
