import Crypto

/// A file rebuilt from fixed-size numbered blocks (TFTP DATA) that may
/// arrive in any order, more than once, cut by the snap length, or not at
/// all.
///
/// Blocks stream into SHA-256, SHA-1 and MD5 as soon as they extend the run
/// of blocks that starts at block 1, so a transfer in order is hashed as it
/// goes. The bytes themselves are kept up to `keepLimit` (for the image
/// checks and `sosdump extract`); beyond it only hashing goes on, and blocks
/// that arrive ahead of the run wait in a small bounded buffer. Memory is
/// bounded by `keepLimit` plus that buffer plus one bit per block.
public struct RebuiltFile: Sendable {
    /// Bytes per block: every block but the last is this long.
    public let blockSize: Int
    /// The most bytes kept (rounded down to whole blocks).
    public let keepLimit: Int
    /// The file's bytes from offset 0, as far as they are kept; a hole
    /// (a block not captured) reads as zeros until it arrives.
    public private(set) var bytes: [UInt8] = []
    /// The number of the final, short block, once it has been seen.
    public private(set) var finalBlock: Int?
    /// The highest block number seen.
    public private(set) var highestBlock = 0
    /// Distinct blocks seen whole.
    public private(set) var blocksCaptured = 0
    /// Distinct bytes seen whole.
    public private(set) var bytesCaptured = 0

    private var present = BlockSet()
    /// Blocks seen but cut short by the capture's snap length.
    private var cut = BlockSet()
    /// Blocks 1...hashedThrough went into the digests.
    private var hashedThrough = 0
    private var sha256 = SHA256()
    private var sha1 = Insecure.SHA1()
    private var md5 = Insecure.MD5()
    /// Blocks past the kept bytes that arrived ahead of the hashed run.
    private var waiting: [Int: [UInt8]] = [:]
    private var waitingBytes = 0
    /// Why the digests cannot be computed, if they cannot.
    public private(set) var hashingStopped: String?

    /// At most this many bytes wait for earlier blocks beyond `keepLimit`.
    public static let waitingLimit = 4 << 20

    public init(blockSize: Int, keepLimit: Int) {
        precondition(blockSize > 0)
        self.blockSize = blockSize
        self.keepLimit = max(0, keepLimit) / blockSize * blockSize
    }

    /// The file's size, once the final block has been seen.
    public var size: Int? { finalBlock.map { ($0 - 1) * blockSize + finalBlockLength } }
    private var finalBlockLength = 0

    /// What a block did to the file.
    public enum Arrival: Equatable, Sendable {
        /// A block not seen before.
        case new
        /// A block seen before; `sameBytes` is nil when the first copy's
        /// bytes were not kept or not captured.
        case repeated(sameBytes: Bool?)
        /// A block longer than the block size: not used.
        case oversize(length: Int)
        /// A block numbered past the final (short) block: not used.
        case pastFinalBlock
    }

    /// Adds block `number` (from 1), whose bytes on the wire `data` holds
    /// (`data.wireCount` is its length even when the capture cut it).
    public mutating func add(block number: Int, data: ByteView) -> Arrival {
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
        if data.isTruncated {
            cut.insert(number)
            if hashedThrough == number - 1 { hashingStopped = "block \(number) was cut by the capture's snap length" }
            return .new
        }
        present.insert(number)
        blocksCaptured += 1
        bytesCaptured += length
        let offset = (number - 1) * blockSize
        if offset + length <= keepLimit { keep(data, at: offset) }
        hash(newBlock: number, data)
        return .new
    }

    /// True when every block up to the final one was captured whole.
    public var isComplete: Bool {
        guard let finalBlock else { return false }
        return blocksCaptured == finalBlock
    }

    /// Whether every byte of the file is in `bytes`.
    public var isKeptWhole: Bool { isComplete && bytes.count == size }

    /// The digests of the whole file: nil unless it is complete and every
    /// block could be hashed.
    public func digests() -> FileDigests? {
        guard isComplete, hashingStopped == nil, hashedThrough == finalBlock else { return nil }
        return FileDigests(sha256: hexString(sha256.finalize()), sha1: hexString(sha1.finalize()), md5: hexString(md5.finalize()))
    }

    /// The runs of blocks, from 1 to the final block (or the highest seen),
    /// that the capture lacks or holds only in part.
    public func missingRuns() -> [ClosedRange<Int>] {
        let last = finalBlock ?? highestBlock
        var runs: [ClosedRange<Int>] = []
        var start: Int?
        for n in 1...max(1, last) where last >= 1 {
            let missing = !present.contains(n)
            if missing, start == nil { start = n }
            if !missing, let s = start { runs.append(s...(n - 1)); start = nil }
        }
        if let s = start { runs.append(s...last) }
        return runs
    }

    /// How many bytes from offset 0 were captured and kept with no hole:
    /// what can be checked of a file that did not arrive whole.
    public var keptPrefixCount: Int {
        var n = 1
        while present.contains(n) { n += 1 }
        return min(bytes.count, byteRange(ofBlock: n - 1).upperBound)
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
        bytes = []
    }

    // MARK: Keeping and hashing

    private mutating func keep(_ data: ByteView, at offset: Int) {
        if bytes.count < offset { bytes.append(contentsOf: repeatElement(0, count: offset - bytes.count)) }
        if bytes.count == offset {
            bytes.append(contentsOf: data.rawBytes)  // contiguous: one memcpy
        } else {
            let end = offset + data.count
            if bytes.count < end { bytes.append(contentsOf: repeatElement(0, count: end - bytes.count)) }
            bytes.withUnsafeMutableBytes { dst in
                dst.baseAddress!.advanced(by: offset).copyMemory(from: data.rawBytes.baseAddress!, byteCount: data.count)
            }
        }
    }

    private mutating func hash(newBlock number: Int, _ data: ByteView) {
        guard hashingStopped == nil else { return }
        guard number == hashedThrough + 1 else {
            // Ahead of the run: kept bytes can be hashed later; others wait.
            if (number - 1) * blockSize + data.count > keepLimit {
                if waitingBytes + data.count > Self.waitingLimit {
                    hashingStopped = "more than \(Self.waitingLimit >> 20) MiB arrived out of order past the kept bytes"
                    waiting = [:]
                    waitingBytes = 0
                } else {
                    waiting[number] = Array(data)
                    waitingBytes += data.count
                }
            }
            return
        }
        update(data.rawBytes)
        hashedThrough = number
        while hashedThrough + 1 <= highestBlock {
            let next = hashedThrough + 1
            if cut.contains(next) {
                hashingStopped = "block \(next) was cut by the capture's snap length"
                return
            }
            guard present.contains(next) else { return }
            if let held = waiting.removeValue(forKey: next) {
                waitingBytes -= held.count
                held.withUnsafeBytes { update($0) }
            } else {
                let range = byteRange(ofBlock: next)
                let kept = bytes  // shares storage; lets `update` mutate self
                kept.withUnsafeBytes { update(UnsafeRawBufferPointer(rebasing: $0[range])) }
            }
            hashedThrough = next
        }
    }

    private mutating func update(_ raw: UnsafeRawBufferPointer) {
        sha256.update(bufferPointer: raw)
        sha1.update(bufferPointer: raw)
        md5.update(bufferPointer: raw)
    }

    private func sameBytes(_ number: Int, _ data: ByteView) -> Bool? {
        guard present.contains(number), !data.isTruncated else { return nil }
        let range = byteRange(ofBlock: number)
        guard range.upperBound <= bytes.count, range.count == data.count else { return nil }
        return bytes[range].elementsEqual(data)
    }
}

/// The digests of a rebuilt file, as lower-case hex.
public struct FileDigests: Equatable, Sendable, Codable {
    public var sha256: String
    public var sha1: String
    public var md5: String
}

func hexString(_ digest: some Sequence<UInt8>) -> String {
    var text = ""
    for b in digest { text += hex2(b) }
    return text
}

/// A growable set of block numbers: one bit per block.
struct BlockSet: Sendable {
    private var words: [UInt64] = []

    func contains(_ n: Int) -> Bool {
        let w = n >> 6
        return w < words.count && words[w] & (1 << UInt64(n & 63)) != 0
    }

    mutating func insert(_ n: Int) {
        let w = n >> 6
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w - words.count + 1)) }
        words[w] |= 1 << UInt64(n & 63)
    }
}
