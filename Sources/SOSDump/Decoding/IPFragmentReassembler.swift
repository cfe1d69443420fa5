/// Reassembly of fragmented IP datagrams: IPv4 (RFC 791 §3.2, keyed as
/// RFC 791 says by source, destination, protocol and identification) and
/// IPv6 (RFC 8200 §4.5, keyed by source, destination and identification;
/// overlapping fragments discard the datagram, RFC 5722).
///
/// Bounded in every direction, because a capture may hold fragments that
/// never complete: at most `limits.datagrams` datagrams in flight, at most
/// `limits.bytes` bytes held, no datagram larger than
/// `limits.datagramSize`, and a datagram not completed within
/// `limits.timeout` seconds of capture time since its first fragment is
/// dropped. Each time a bound drops something, the frame being decoded
/// carries a ``ReassemblyNotice`` that says so.
public final class IPFragmentReassembler {
    public struct Limits: Sendable {
        public var datagrams: Int
        public var bytes: Int
        public var datagramSize: Int
        /// Seconds of capture time (Linux's `ipfrag_time` default is 30).
        public var timeout: Double

        public init(datagrams: Int = 64, bytes: Int = 4 << 20, datagramSize: Int = 65_535, timeout: Double = 30) {
            self.datagrams = datagrams
            self.bytes = bytes
            self.datagramSize = datagramSize
            self.timeout = timeout
        }
    }

    /// Identifies the fragments of one datagram.
    public struct Key: Hashable, Sendable {
        public var source: IPAddress
        public var destination: IPAddress
        public var identification: UInt32
        /// The IPv4 protocol field; 0 for IPv6, whose key leaves it out.
        public var protocolNumber: UInt8
    }

    /// One fragment as the IP layer gave it.
    public struct Fragment {
        public var key: Key
        /// Where the payload goes in the datagram, in bytes.
        public var offset: Int
        public var moreFragments: Bool
        public var payload: ByteView
        /// IPv6 discards a datagram whose fragments overlap (RFC 5722).
        public var overlapIsFatal: Bool
    }

    public enum Outcome {
        /// Held; the datagram is not complete yet.
        case held
        /// This fragment completed the datagram: its payload, valid until
        /// the next call, and the frames it came from.
        case completed(payload: ByteView, firstFrame: Int, fragments: Int)
        /// This fragment (and perhaps its datagram) was dropped.
        case dropped
    }

    public let limits: Limits
    /// What the last call dropped and why, if anything.
    public private(set) var notice: ReassemblyNotice?
    /// Datagrams dropped so far, by any bound.
    public private(set) var droppedDatagrams = 0

    private struct Pending {
        var key: Key
        var firstFrame: Int
        var firstTime: CaptureTimestamp
        var fragments: Int
        var data: [UInt8]
        /// Byte ranges received, sorted and merged.
        var received: [Range<Int>]
        /// Known once the last fragment (no "more fragments") arrives.
        var totalLength: Int?
    }

    private var pending: [Pending] = []
    private var bytesHeld = 0
    private let output: UnsafeMutableRawBufferPointer

    public init(limits: Limits = Limits()) {
        self.limits = limits
        output = .allocate(byteCount: Swift.max(limits.datagramSize, 1), alignment: 8)
    }

    deinit { output.deallocate() }

    /// Datagrams still waiting for fragments: at the end of a capture, these
    /// never completed.
    public var incompleteDatagrams: [(key: Key, firstFrame: Int, fragments: Int)] {
        pending.map { ($0.key, $0.firstFrame, $0.fragments) }
    }

    /// Adds a fragment seen in `frame` at `time`.
    public func add(_ fragment: Fragment, frame: Int, time: CaptureTimestamp) -> Outcome {
        notice = nil
        expire(before: time)

        let length = fragment.payload.count
        let end = fragment.offset + length
        if fragment.payload.isTruncated {
            drop(key: fragment.key, reason: .fragmentTruncated(frame: frame))
            return .dropped
        }
        guard end <= limits.datagramSize else {
            drop(key: fragment.key, reason: .datagramTooLarge(frame: frame, size: end, limit: limits.datagramSize))
            return .dropped
        }

        var index = pending.firstIndex { $0.key == fragment.key }
        if index == nil {
            if pending.count >= limits.datagrams {
                evictOldest(reason: .tooManyDatagrams(limit: limits.datagrams))
            }
            pending.append(Pending(key: fragment.key, firstFrame: frame, firstTime: time, fragments: 0,
                                   data: [], received: [], totalLength: nil))
            index = pending.count - 1
        }
        guard var i = index else { return .dropped }

        // Grow the buffer to hold this fragment, within the byte bound.
        let growth = Swift.max(0, end - pending[i].data.count)
        while bytesHeld + growth > limits.bytes, pending.count > 1 {
            guard let oldest = pending.indices.filter({ $0 != i }).min(by: { pending[$0].firstTime < pending[$1].firstTime })
            else { break }
            evict(at: oldest, reason: .tooManyBytes(limit: limits.bytes))
            if oldest < i { i -= 1 }
        }
        guard bytesHeld + growth <= limits.bytes else {
            evict(at: i, reason: .tooManyBytes(limit: limits.bytes))
            return .dropped
        }

        var entry = pending[i]
        if growth > 0 {
            entry.data.append(contentsOf: repeatElement(0, count: growth))
            bytesHeld += growth
        }
        if !fragment.moreFragments {
            if let known = entry.totalLength, known != end {
                pending[i] = entry
                evict(at: i, reason: .inconsistentLength(frame: frame))
                return .dropped
            }
            entry.totalLength = end
        }
        let overlaps = entry.received.contains { $0.overlaps(fragment.offset..<end) }
        if overlaps && fragment.overlapIsFatal {
            pending[i] = entry
            evict(at: i, reason: .overlap(frame: frame))
            return .dropped
        }
        // Where fragments overlap (IPv4), the first copy of a byte wins.
        let source = fragment.payload.rawBytes
        if !overlaps {
            entry.data.withUnsafeMutableBytes { data in
                UnsafeMutableRawBufferPointer(rebasing: data[fragment.offset..<end]).copyMemory(from: source)
            }
        } else {
            for n in 0..<length where !entry.received.contains(where: { $0.contains(fragment.offset + n) }) {
                entry.data[fragment.offset + n] = source[n]
            }
        }
        entry.received = Self.merge(entry.received, fragment.offset..<end)
        entry.fragments += 1

        if let total = entry.totalLength, entry.received.count == 1, entry.received[0] == 0..<total {
            pending.remove(at: i)
            bytesHeld -= entry.data.count
            let n = Swift.min(total, output.count)
            entry.data.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: output[..<n]).copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            return .completed(payload: ByteView(UnsafeRawBufferPointer(rebasing: output[..<n])),
                              firstFrame: entry.firstFrame, fragments: entry.fragments)
        }
        pending[i] = entry
        return .held
    }

    private static func merge(_ ranges: [Range<Int>], _ new: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var current = new
        for r in ranges {
            if r.upperBound < current.lowerBound || r.lowerBound > current.upperBound {
                result.append(r)
            } else {
                current = Swift.min(r.lowerBound, current.lowerBound)..<Swift.max(r.upperBound, current.upperBound)
            }
        }
        result.append(current)
        return result.sorted { $0.lowerBound < $1.lowerBound }
    }

    private func expire(before time: CaptureTimestamp) {
        var i = 0
        while i < pending.count {
            if time.seconds(since: pending[i].firstTime) > limits.timeout {
                evict(at: i, reason: .timedOut(after: limits.timeout))
            } else {
                i += 1
            }
        }
    }

    private func evictOldest(reason: ReassemblyNotice.Reason) {
        guard let oldest = pending.indices.min(by: { pending[$0].firstTime < pending[$1].firstTime }) else { return }
        evict(at: oldest, reason: reason)
    }

    private func evict(at index: Int, reason: ReassemblyNotice.Reason) {
        let entry = pending.remove(at: index)
        bytesHeld -= entry.data.count
        droppedDatagrams += 1
        if notice == nil {
            notice = ReassemblyNotice(key: entry.key, firstFrame: entry.firstFrame, fragments: entry.fragments, reason: reason)
        }
    }

    private func drop(key: Key, reason: ReassemblyNotice.Reason) {
        if let i = pending.firstIndex(where: { $0.key == key }) {
            evict(at: i, reason: reason)
        } else {
            droppedDatagrams += 1
            if notice == nil { notice = ReassemblyNotice(key: key, firstFrame: nil, fragments: 0, reason: reason) }
        }
    }
}

/// A datagram that reassembly gave up on, and why.
public struct ReassemblyNotice: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case tooManyDatagrams(limit: Int)
        case tooManyBytes(limit: Int)
        case timedOut(after: Double)
        case datagramTooLarge(frame: Int, size: Int, limit: Int)
        case fragmentTruncated(frame: Int)
        case overlap(frame: Int)
        case inconsistentLength(frame: Int)
    }

    public var key: IPFragmentReassembler.Key
    /// The frame of its first fragment, if any was held.
    public var firstFrame: Int?
    public var fragments: Int
    public var reason: Reason

    public var description: String {
        let what = "datagram id \(key.identification) \(key.source) > \(key.destination)"
            + (firstFrame.map { " (first fragment in frame \($0), \(fragments) held)" } ?? "")
        switch reason {
        case .tooManyDatagrams(let limit): return "reassembly dropped \(what): more than \(limit) datagrams in flight"
        case .tooManyBytes(let limit): return "reassembly dropped \(what): more than \(limit) bytes held"
        case .timedOut(let after): return "reassembly dropped \(what): incomplete after \(Int(after)) s"
        case .datagramTooLarge(let frame, let size, let limit):
            return "reassembly dropped \(what): frame \(frame) would make it \(size) bytes, over \(limit)"
        case .fragmentTruncated(let frame): return "reassembly dropped \(what): frame \(frame) was cut by the snap length"
        case .overlap(let frame): return "reassembly dropped \(what): frame \(frame) overlaps an earlier fragment (RFC 5722)"
        case .inconsistentLength(let frame): return "reassembly dropped \(what): frame \(frame) gives a different end of datagram"
        }
    }
}
