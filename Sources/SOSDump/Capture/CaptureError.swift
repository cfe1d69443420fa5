/// Why a capture could not be read (further): the file, the byte offset in
/// it where the problem is, and what is wrong.
///
/// The reader throws one of these at the first damage it meets, after
/// delivering every frame before it. Offsets point at the start of the record
/// or block at fault (0 for the file header), so `dd skip=` or a hex editor
/// finds it:
///
///     dump.pcapng: byte offset 4096: block claims 4294967292 bytes, more than the 16 MiB a block may have
public struct CaptureError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The path, or the name the reader was given.
    public var file: String
    /// Byte offset in the input of the record, block or header at fault; nil
    /// when the problem is not at a place in the input (it could not be opened).
    public var offset: Int64?
    public var kind: Kind
    /// The file's format, once its magic number was recognised: it chooses
    /// the words of the message ("record" for pcap, "block" for pcapng).
    public var format: CaptureFormat?

    public init(file: String, offset: Int64?, kind: Kind, format: CaptureFormat? = nil) {
        self.file = file
        self.offset = offset
        self.kind = kind
        self.format = format
    }

    public enum Kind: Sendable, Equatable {
        /// The file could not be opened: the system's reason.
        case cannotOpen(String)
        /// Reading failed: the system's reason.
        case readFailed(String)
        /// The first four bytes, read as a big-endian number, are neither
        /// pcap's nor pcapng's magic number.
        case notACapture(magic: UInt32)
        /// A pcap version other than 2.x, or a pcapng section version other than 1.x.
        case unsupportedVersion(major: UInt16, minor: UInt16)
        /// The input ends before the end of the file's header (pcap's 24 bytes,
        /// or the 4 bytes of magic number); `available` 0 is an empty file.
        case truncatedHeader(needed: Int, available: Int)
        /// The input ends inside a record or block: it needs `claimed` bytes
        /// from its start (its length, or its fixed header when the length
        /// itself was cut off), and `available` are left.
        case recordPastEnd(claimed: Int64, available: Int64)
        /// A length field claims more than a record or block may have
        /// (`CaptureReader.maximumRecordLength`): the header lies.
        case implausibleLength(claimed: UInt64, limit: Int)
        /// A pcapng block's trailing copy of its length differs from its leading one.
        case blockLengthMismatch(leading: UInt32, trailing: UInt32)
        /// A pcapng block length under 12 or not a multiple of 4.
        case badBlockLength(UInt32)
        /// A pcapng block too short for its type's fixed fields.
        case blockTooShort(type: UInt32, length: UInt32, minimum: UInt32)
        /// A packet's captured length runs past the end of its block.
        case packetPastBlock(captured: UInt32, room: UInt32)
        /// A packet names an interface its section has not described
        /// (`defined` interfaces, numbered from 0).
        case unknownInterface(id: UInt32, defined: Int)
        /// More interface descriptions than the reader keeps
        /// (`CaptureReader.maximumInterfaces`).
        case tooManyInterfaces(limit: Int)
        /// More interface descriptions in all sections together than
        /// `CaptureReader.maximumInterfacesInAllSections`.
        case tooManyInterfacesInAllSections(limit: Int)
        /// A Section Header Block's byte-order magic is not 0x1A2B3C4D in
        /// either byte order (as read big-endian).
        case badByteOrderMagic(UInt32)
    }

    public var description: String {
        let place = offset.map { "byte offset \($0): " } ?? ""
        return "\(file): \(place)\(message)"
    }

    /// The message without file and offset.
    public var message: String {
        let unit = format == .pcap ? "record" : "block"
        switch kind {
        case .cannotOpen(let reason):
            return "cannot open: \(reason)"
        case .readFailed(let reason):
            return "read failed: \(reason)"
        case .notACapture(let magic):
            let bytes = [24, 16, 8, 0].map { hex(UInt8(truncatingIfNeeded: magic >> $0), digits: 2) }
            var text = "not a pcap or pcapng file: it starts with \(bytes.joined(separator: " ")), not a capture's magic number"
            if magic >> 16 == 0x1F8B { text += " (it looks gzip-compressed: decompress it first)" }
            return text
        case .unsupportedVersion(let major, let minor):
            switch format {
            case .pcapng: return "pcapng section version \(major).\(minor) is not supported (only 1.x)"
            default: return "pcap version \(major).\(minor) is not supported (only 2.x)"
            }
        case .truncatedHeader(let needed, let available):
            if available == 0 { return "the file is empty" }
            return "the file ends after \(available) bytes, inside its \(needed)-byte header"
        case .recordPastEnd(let claimed, let available):
            return "the file ends inside a \(unit): it needs \(claimed) bytes, only \(available) are left"
        case .implausibleLength(let claimed, let limit):
            if format == .pcap {
                return "record claims \(claimed) captured bytes, more than the \(byteCount(limit)) a record may have"
            }
            return "block claims \(claimed) bytes, more than the \(byteCount(limit)) a block may have"
        case .blockLengthMismatch(let leading, let trailing):
            return "block's trailing length \(trailing) differs from its leading length \(leading)"
        case .badBlockLength(let length):
            if length < 12 { return "block length \(length) is less than the 12 bytes of a block's header and trailer" }
            return "block length \(length) is not a multiple of 4"
        case .blockTooShort(let type, let length, let minimum):
            return "\(PcapngBlockType(rawValue: type)) of \(length) bytes is shorter than the \(minimum) its fixed fields need"
        case .packetPastBlock(let captured, let room):
            return "packet claims \(captured) captured bytes, but its block has room for \(room)"
        case .unknownInterface(let id, let defined):
            let known = switch defined {
            case 0: "no interface"
            case 1: "only interface 0"
            default: "only interfaces 0-\(defined - 1)"
            }
            return "packet names interface \(id), but its section describes \(known)"
        case .tooManyInterfaces(let limit):
            return "more than \(limit) interface descriptions in one section; the reader keeps no more"
        case .tooManyInterfacesInAllSections(let limit):
            return "more than \(limit) interface descriptions in all sections together; the reader keeps no more"
        case .badByteOrderMagic(let magic):
            return "section header's byte-order magic is 0x\(hex(magic, digits: 8)), neither 1a2b3c4d nor 4d3c2b1a"
        }
    }
}

/// `value` in lowercase hex, zero-padded to `digits`.
func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: Swift.max(0, digits - text.count)) + text
}

/// "16 MiB" for whole mebibytes, else "1000 bytes".
func byteCount(_ count: Int) -> String {
    count >= 1 << 20 && count % (1 << 20) == 0 ? "\(count >> 20) MiB" : "\(count) bytes"
}
