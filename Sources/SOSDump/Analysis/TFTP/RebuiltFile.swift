import Crypto

/// A file rebuilt from fixed-size numbered blocks (TFTP DATA) that may
/// arrive in any order, more than once, cut by the snap length, or not at
/// all.
///
/// Blocks stream into SHA-256 (and MD5 or SHA-1 when asked: `Digests`) as
/// soon as they extend the run of blocks that starts at block 1, so a
/// transfer in order is hashed as it goes. The bytes are kept, up to
/// `keepLimit`, when `keepsBytes` (for the image checks and `sosdump
/// extract`), as sparse segments: a block that has not arrived takes no
/// memory, whatever its number. Beyond the kept bytes only hashing goes on;
/// blocks that arrive ahead of the hashed run wait in a small bounded
/// buffer, and a block not kept leaves a 32-bit fingerprint, so that a
/// retransmission can still be told apart from different bytes.
///
/// Memory is `footprint` bytes: what is kept, what waits, one bit per block
/// in each block set and the fingerprints. The tracker adds the footprints
/// of its open transfers against one budget (`TFTPTransferTracker.Limits`)
/// and passes what is left to `add(block:data:allowance:)`: a block that
/// would go past it is counted, not kept.
public struct RebuiltFile: Sendable {
    /// Bytes per block: every block but the last is this long.
    public let blockSize: Int
    /// The most bytes kept (rounded down to whole blocks).
    public let keepLimit: Int
    /// Whether the bytes are kept at all (up to `keepLimit`).
    public private(set) var keepsBytes: Bool
    /// The number of the final, short block, once it has been seen.
    public private(set) var finalBlock: Int?
    /// The highest block number seen.
    public private(set) var highestBlock = 0
    /// Distinct blocks seen whole.
    public private(set) var blocksCaptured = 0
    /// Distinct bytes seen whole.
    public private(set) var bytesCaptured = 0
    /// Blocks captured whole but not kept because the memory budget was spent.
    public private(set) var blocksOverBudget = 0

    /// The kept bytes: runs of adjacent blocks, in order of offset, never
    /// touching (a block that joins two runs merges them).
    public private(set) var segments: [Segment] = []

    /// A run of kept bytes.
    public struct Segment: Sendable, Equatable {
        /// Where it starts in the file.
        public var offset: Int
        public var bytes: [UInt8]
        /// The byte range it covers in the file.
        public var range: Range<Int> { offset..<(offset + bytes.count) }
    }

    private var present = BlockSet()
    /// Blocks seen but cut short by the capture's snap length.
    private(set) var cut = BlockSet()
    /// Blocks 1...hashedThrough went into the digests.
    private var hashedThrough = 0
    private var sha256 = SHA256()
    private var sha1: Insecure.SHA1?
    private var md5: Insecure.MD5?
    /// Whether MD5 was decided on block 1 (the image magic).
    private let md5OnImageMagic: Bool
    /// Blocks past the kept bytes that arrived ahead of the hashed run.
    private var waiting: [Int: [UInt8]] = [:]
    private var waitingBytes = 0
    /// Fingerprints of blocks captured but not kept (index: block − 1; 0: none).
    private var fingerprints: [UInt32] = []
    /// Why the digests cannot be computed, if they cannot.
    public private(set) var hashingStopped: HashingStop?

    /// Why a file's digests could not be computed.
    public enum HashingStop: Sendable, Equatable {
        /// The block was cut by the capture's snap length.
        case cutBySnapLength(block: Int)
        /// More than `waitingLimit` bytes arrived out of order past the kept bytes.
        case tooMuchOutOfOrder
        /// A block ahead of the hashed run could not wait: the memory budget was spent.
        case memoryBudget(block: Int)
    }

    /// Digests besides SHA-256 (always computed).
    public struct Digests: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let sha1 = Digests(rawValue: 1)
        public static let md5 = Digests(rawValue: 2)
        /// MD5 when the file turns out to be a firmware image (its first
        /// block starts with the image magic): the phone's loader checks it
        /// and catalogs carry it.
        public static let md5OfImages = Digests(rawValue: 4)
        public static let all: Digests = [.sha1, .md5]
    }

    /// At most this many bytes wait for earlier blocks beyond `keepLimit`.
    public static let waitingLimit = 4 << 20

    /// What keeping costs per segment besides its bytes (the array's header
    /// and the segment's place), as `footprint` counts it.
    static let segmentOverhead = 64

    public init(blockSize: Int, keepLimit: Int, keepsBytes: Bool = true, digests: Digests = .all) {
        precondition(blockSize > 0)
        self.blockSize = blockSize
        self.keepLimit = max(0, keepLimit) / blockSize * blockSize
        self.keepsBytes = keepsBytes
        sha1 = digests.contains(.sha1) ? Insecure.SHA1() : nil
        md5 = digests.contains(.md5) ? Insecure.MD5() : nil
        md5OnImageMagic = !digests.contains(.md5) && digests.contains(.md5OfImages)
    }

    /// The file's size, once the final block has been seen.
    public var size: Int? { finalBlock.map { ($0 - 1) * blockSize + finalBlockLength } }
    private var finalBlockLength = 0

    /// The bytes this file holds in memory: kept bytes, bytes waiting to be
    /// hashed, block sets and fingerprints. The tracker's budget counts it.
    public private(set) var footprint = 0

    /// What a block did to the file.
    public enum Arrival: Equatable, Sendable {
        /// A block not seen before.
        case new
        /// A block seen before; `sameBytes` is nil when the first copy was
        /// not captured whole.
        case repeated(sameBytes: Bool?)
        /// A block longer than the block size: not used.
        case oversize(length: Int)
        /// A block numbered past the final (short) block: not used.
        case pastFinalBlock
    }

    /// Adds block `number` (from 1), whose bytes on the wire `data` holds
    /// (`data.wireCount` is its length even when the capture cut it).
    /// `allowance` is how many bytes the file may grow by: a block that
    /// would need more is counted in `blocksOverBudget` and not kept (and
    /// hashing stops if it had to wait for an earlier block).
    public mutating func add(block number: Int, data: ByteView, allowance: Int = .max) -> Arrival {
        precondition(number >= 1)
        let length = data.wireCount
        guard length <= blockSize else { return .oversize(length: length) }
        if let finalBlock, number > finalBlock { return .pastFinalBlock }
        if present.contains(number) || cut.contains(number) {
            return .repeated(sameBytes: sameBytes(number, data))
        }
        if length < blockSize, finalBlock == nil {
            finalBlock = number
            finalBlockLength = length
        }
        highestBlock = max(highestBlock, number)
        let before = footprint
        if data.isTruncated {
            footprint -= cut.footprint
            cut.insert(number)
            footprint += cut.footprint
            if hashedThrough == number - 1 { hashingStopped = .cutBySnapLength(block: number) }
            return .new
        }
        footprint -= present.footprint
        present.insert(number)
        footprint += present.footprint
        blocksCaptured += 1
        bytesCaptured += length
        let offset = (number - 1) * blockSize
        let growth = footprint - before
        if keepsBytes, offset + length <= keepLimit {
            if length + Self.segmentOverhead <= allowance - growth {
                keep(data, at: offset)
            } else {
                blocksOverBudget += 1
                fingerprint(number, data)
            }
        } else {
            fingerprint(number, data)
        }
        hash(newBlock: number, data, allowance: allowance - (footprint - before))
        return .new
    }

    /// True when every block up to the final one was captured whole.
    public var isComplete: Bool {
        guard let finalBlock else { return false }
        return blocksCaptured == finalBlock
    }

    /// Whether every byte of the file is kept (in one segment from 0).
    public var isKeptWhole: Bool { isComplete && keptPrefixCount == size }

    /// The kept bytes from offset 0 up to the first byte not kept.
    public var keptPrefix: [UInt8] {
        guard let first = segments.first, first.offset == 0 else { return [] }
        return first.bytes
    }

    /// How many bytes from offset 0 were captured and kept with no hole:
    /// what can be checked of a file that did not arrive whole.
    public var keptPrefixCount: Int { keptPrefix.count }

    /// The kept bytes as one array from offset 0, a hole (a block not
    /// captured or not kept) read as zeros. It allocates the whole span:
    /// a writer of a sparse file reads `segments` instead.
    public var bytes: [UInt8] {
        if segments.isEmpty { return [] }
        if segments.count == 1, segments[0].offset == 0 { return segments[0].bytes }
        var whole = [UInt8](repeating: 0, count: segments[segments.count - 1].range.upperBound)
        for segment in segments { whole.replaceSubrange(segment.range, with: segment.bytes) }
        return whole
    }

    /// The kept bytes in order of offset, as ranges of the file.
    public var keptRanges: [Range<Int>] { segments.map(\.range) }

    /// The digests of the whole file: nil unless it is complete and every
    /// block could be hashed.
    public func digests() -> FileDigests? {
        guard isComplete, hashingStopped == nil, hashedThrough == finalBlock else { return nil }
        return FileDigests(sha256: hexString(sha256.finalize()), sha1: sha1.map { hexString($0.finalize()) },
                           md5: md5.map { hexString($0.finalize()) })
    }

    /// The runs of blocks, from 1 to the final block (or the highest seen),
    /// that the capture lacks or holds only in part. Runs of absent blocks
    /// are skipped a word of the block set at a time.
    public func missingRuns() -> [ClosedRange<Int>] {
        let last = finalBlock ?? highestBlock
        guard last >= 1 else { return [] }
        var runs: [ClosedRange<Int>] = []
        var n = 1
        while n <= last {
            let start = present.firstAbsent(from: n)
            guard start <= last else { break }
            let end = min(present.firstPresent(from: start) ?? (last + 1), last + 1)
            runs.append(start...(end - 1))
            n = end
        }
        return runs
    }

    /// Whether block `number` was captured whole.
    public func contains(block number: Int) -> Bool { present.contains(number) }

    /// Whether block `number` was seen but cut by the snap length.
    public func wasCut(_ number: Int) -> Bool { cut.contains(number) }

    /// The byte range block `number` covers in the file.
    public func byteRange(ofBlock number: Int) -> Range<Int> {
        let start = (number - 1) * blockSize
        let end = number == finalBlock ? start + finalBlockLength : start + blockSize
        return start..<end
    }

    /// Drops the kept bytes (after they were written or checked).
    public mutating func releaseBytes() {
        footprint -= segments.reduce(0) { $0 + $1.bytes.count + Self.segmentOverhead }
        segments = []
    }

    /// Stops keeping bytes and drops those kept, leaving fingerprints of
    /// them (a file nobody will read: not an image, not extracted). Kept
    /// blocks ahead of the hashed run move to the waiting buffer.
    public mutating func stopKeeping() {
        guard keepsBytes else { return }
        keepsBytes = false
        let kept = segments
        releaseBytes()
        for segment in kept {
            var offset = segment.offset
            while offset < segment.range.upperBound {
                let end = min(offset + blockSize, segment.range.upperBound)
                let number = offset / blockSize + 1
                segment.bytes.withUnsafeBytes { raw in
                    let block = UnsafeRawBufferPointer(rebasing: raw[(offset - segment.offset)..<(end - segment.offset)])
                    fingerprint(number, block)
                    guard number > hashedThrough + 1, hashingStopped == nil else { return }
                    if waitingBytes + block.count > Self.waitingLimit {
                        hashingStopped = .tooMuchOutOfOrder
                    } else {
                        waiting[number] = Array(block)
                        waitingBytes += block.count
                        footprint += block.count
                    }
                }
                offset = end
            }
        }
        if hashingStopped != nil {
            footprint -= waitingBytes
            waiting = [:]
            waitingBytes = 0
        }
    }

    // MARK: Keeping and hashing

    /// Appends `data` at `offset` to the segment it extends, or starts one,
    /// merging with the next segment when it closes the hole between them.
    private mutating func keep(_ data: ByteView, at offset: Int) {
        footprint += data.count
        let end = offset + data.count
        // Most blocks extend the last segment.
        if let last = segments.indices.last, segments[last].range.upperBound == offset {
            segments[last].bytes.append(contentsOf: data.rawBytes)
            return
        }
        // The first segment starting after `offset`.
        var low = 0, high = segments.count
        while low < high {
            let mid = (low + high) / 2
            if segments[mid].offset < offset { low = mid + 1 } else { high = mid }
        }
        let next = low
        if next > 0, segments[next - 1].range.upperBound == offset {
            segments[next - 1].bytes.append(contentsOf: data.rawBytes)
            if next < segments.count, segments[next].offset == end {
                let following = segments.remove(at: next)
                segments[next - 1].bytes.append(contentsOf: following.bytes)
                footprint -= Self.segmentOverhead
            }
        } else if next < segments.count, segments[next].offset == end {
            segments[next].bytes.insert(contentsOf: data.rawBytes, at: 0)
            segments[next].offset = offset
        } else {
            segments.insert(Segment(offset: offset, bytes: Array(data.rawBytes)), at: next)
            footprint += Self.segmentOverhead
        }
    }

    /// The kept segment holding `range`, if one does.
    private func keptSegment(holding range: Range<Int>) -> Int? {
        var low = 0, high = segments.count
        while low < high {
            let mid = (low + high) / 2
            if segments[mid].range.upperBound <= range.lowerBound { low = mid + 1 } else { high = mid }
        }
        guard low < segments.count, segments[low].offset <= range.lowerBound, segments[low].range.upperBound >= range.upperBound else { return nil }
        return low
    }

    private mutating func hash(newBlock number: Int, _ data: ByteView, allowance: Int) {
        guard hashingStopped == nil else { return }
        guard number == hashedThrough + 1 else {
            // Ahead of the run: kept bytes can be hashed later; others wait.
            guard keptSegment(holding: byteRange(ofBlock: number)) == nil else { return }
            if waitingBytes + data.count > Self.waitingLimit {
                hashingStopped = .tooMuchOutOfOrder
            } else if data.count > allowance {
                hashingStopped = .memoryBudget(block: number)
            } else {
                waiting[number] = Array(data)
                waitingBytes += data.count
                footprint += data.count
                return
            }
            footprint -= waitingBytes
            waiting = [:]
            waitingBytes = 0
            return
        }
        if number == 1, md5OnImageMagic, md5 == nil, data.count >= FirmwareImageLayout.magic.count,
           data.prefix(FirmwareImageLayout.magic.count).elementsEqual(FirmwareImageLayout.magic) {
            md5 = Insecure.MD5()
        }
        update(data.rawBytes)
        hashedThrough = number
        while hashedThrough + 1 <= highestBlock {
            let next = hashedThrough + 1
            if cut.contains(next) {
                hashingStopped = .cutBySnapLength(block: next)
                return
            }
            guard present.contains(next) else { return }
            if let held = waiting.removeValue(forKey: next) {
                waitingBytes -= held.count
                footprint -= held.count
                held.withUnsafeBytes { update($0) }
            } else {
                let range = byteRange(ofBlock: next)
                guard let s = keptSegment(holding: range) else { return }
                let kept = segments[s].bytes  // shares storage; lets `update` mutate self
                let start = range.lowerBound - segments[s].offset
                kept.withUnsafeBytes { update(UnsafeRawBufferPointer(rebasing: $0[start..<(start + range.count)])) }
            }
            hashedThrough = next
        }
    }

    private mutating func update(_ raw: UnsafeRawBufferPointer) {
        sha256.update(bufferPointer: raw)
        sha1?.update(bufferPointer: raw)
        md5?.update(bufferPointer: raw)
    }

    private mutating func fingerprint(_ number: Int, _ data: ByteView) {
        fingerprint(number, data.rawBytes)
    }

    private mutating func fingerprint(_ number: Int, _ raw: UnsafeRawBufferPointer) {
        let index = number - 1
        if index >= fingerprints.count {
            let grown = max(index + 1, fingerprints.count * 2)
            footprint += (grown - fingerprints.count) * 4
            fingerprints.append(contentsOf: repeatElement(0, count: grown - fingerprints.count))
        }
        fingerprints[index] = Self.fingerprint(raw)
    }

    /// A 32-bit hash of a block's bytes (never 0, which means "none").
    static func fingerprint(_ raw: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(raw.count)
        var i = 0
        while i + 8 <= raw.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
            h ^= h >> 29
            i += 8
        }
        while i < raw.count {
            h = (h ^ UInt64(raw[i])) &* 0x0000_0100_0000_01B3
            i += 1
        }
        let folded = UInt32(truncatingIfNeeded: h ^ (h >> 32))
        return folded == 0 ? 1 : folded
    }

    private func sameBytes(_ number: Int, _ data: ByteView) -> Bool? {
        guard present.contains(number), !data.isTruncated else { return nil }
        let range = byteRange(ofBlock: number)
        guard range.count == data.count else { return false }
        if let s = keptSegment(holding: range) {
            let start = range.lowerBound - segments[s].offset
            return segments[s].bytes[start..<(start + range.count)].elementsEqual(data)
        }
        guard number - 1 < fingerprints.count, fingerprints[number - 1] != 0 else { return nil }
        return fingerprints[number - 1] == Self.fingerprint(data.rawBytes)
    }
}

/// The digests of a rebuilt file, as lower-case hex: SHA-256 always, SHA-1
/// and MD5 when they were computed (`RebuiltFile.Digests`).
public struct FileDigests: Equatable, Sendable, Codable {
    public var sha256: String
    public var sha1: String?
    public var md5: String?
}

func hexString(_ digest: some Sequence<UInt8>) -> String {
    // Written into one string: appending two characters a byte was 1.6 %
    // of `transfers` on the boot storm (a digest per transfer). Digests
    // are at most 64 bytes (SHA-512); a longer sequence is cut there.
    String(unsafeUninitializedCapacity: 128) { out in
        var i = 0
        for b in digest where i < 128 {
            out[i] = hexDigits[Int(b >> 4)]
            out[i + 1] = hexDigits[Int(b & 0xF)]
            i += 2
        }
        return i
    }
}

/// A growable set of block numbers: one bit per block.
struct BlockSet: Sendable {
    private var words: [UInt64] = []

    /// Bytes the set holds.
    var footprint: Int { words.capacity * 8 }

    func contains(_ n: Int) -> Bool {
        let w = n >> 6
        return w < words.count && words[w] & (1 << UInt64(n & 63)) != 0
    }

    mutating func insert(_ n: Int) {
        let w = n >> 6
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w - words.count + 1)) }
        words[w] |= 1 << UInt64(n & 63)
    }

    /// The first number from `n` on that is not in the set.
    func firstAbsent(from n: Int) -> Int {
        var w = n >> 6
        var mask = ~UInt64(0) << UInt64(n & 63)
        while w < words.count {
            let absent = ~words[w] & mask
            if absent != 0 { return w << 6 + absent.trailingZeroBitCount }
            w += 1
            mask = ~0
        }
        return max(n, words.count << 6)
    }

    /// The first number from `n` on that is in the set, nil if none.
    func firstPresent(from n: Int) -> Int? {
        var w = n >> 6
        var mask = ~UInt64(0) << UInt64(n & 63)
        while w < words.count {
            let here = words[w] & mask
            if here != 0 { return w << 6 + here.trailingZeroBitCount }
            w += 1
            mask = ~0
        }
        return nil
    }
}
