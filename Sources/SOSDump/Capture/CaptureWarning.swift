/// Something odd in a capture that does not stop the reading: the frame is
/// delivered as well as it can be, and the oddity noted here.
///
/// A reader keeps at most `CaptureReader.maximumWarnings` of them and counts
/// the rest, so a file with the same fault in every frame costs no memory.
public struct CaptureWarning: CustomStringConvertible, Sendable, Equatable {
    public var file: String
    /// Byte offset of the record or block concerned.
    public var offset: Int64
    /// The frame concerned, when the oddity is in one.
    public var frame: Int?
    public var kind: Kind

    public init(file: String, offset: Int64, frame: Int?, kind: Kind) {
        self.file = file
        self.offset = offset
        self.frame = frame
        self.kind = kind
    }

    public enum Kind: Sendable, Equatable {
        /// More bytes captured than the frame had on the wire: the captured
        /// length is taken as the original length too.
        case capturedLongerThanOriginal(captured: UInt32, original: UInt32)
        /// More bytes captured than the interface's snap length allows.
        case capturedLongerThanSnapLength(captured: UInt32, snapLength: UInt32)
        /// A block's options run past the end of the block; those from there
        /// on are ignored.
        case malformedOptions(blockType: UInt32)
        /// An option whose value has the wrong length for its code; ignored.
        case badOptionLength(blockType: UInt32, code: UInt16, length: UInt16)
        /// A gzip member's trailer disagrees with the data inflated before
        /// it (its CRC-32 or its length, zlib's words): every byte was
        /// still delivered, as `zcat` delivers them. The offset is the
        /// trailer's, in the compressed file.
        case gzipCheckFailed(String)
    }

    public var description: String {
        let place = frame.map { "byte offset \(offset) (frame \($0))" } ?? "byte offset \(offset)"
        return "\(file): \(place): \(message)"
    }

    /// The message without file and place.
    public var message: String {
        switch kind {
        case .capturedLongerThanOriginal(let captured, let original):
            return "captured length \(captured) is more than the original length \(original); taking \(captured) as the original length"
        case .capturedLongerThanSnapLength(let captured, let snapLength):
            return "captured length \(captured) is more than the snap length \(snapLength)"
        case .malformedOptions(let type):
            return "options run past the end of the \(PcapngBlockType(rawValue: type)); ignored from there"
        case .badOptionLength(let type, let code, let length):
            return "option \(code) of the \(PcapngBlockType(rawValue: type)) has a \(length)-byte value, a length it cannot have; ignored"
        case .gzipCheckFailed(let detail):
            return "the gzip trailer's check failed (\(detail)): the frames may be damaged; every one was read"
        }
    }
}

/// The warnings a reader keeps: the first `limit`, and a count of the rest.
struct WarningLog {
    let file: String
    let limit: Int
    private(set) var warnings: [CaptureWarning] = []
    private(set) var suppressed = 0

    init(file: String, limit: Int) {
        self.file = file
        self.limit = limit
    }

    mutating func add(_ kind: CaptureWarning.Kind, at offset: Int64, frame: Int? = nil) {
        if warnings.count < limit {
            warnings.append(CaptureWarning(file: file, offset: offset, frame: frame, kind: kind))
        } else {
            suppressed += 1
        }
    }
}
