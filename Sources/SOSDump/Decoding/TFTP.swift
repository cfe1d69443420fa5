/// Trivial File Transfer Protocol (RFC 1350) with option extension
/// (RFC 2347) and the blksize (RFC 2348), timeout and tsize (RFC 2349) and
/// windowsize (RFC 7440) options; unknown options are kept.
///
/// ```
///  RRQ/WRQ  | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | ...
///  DATA     | 03    | block #  | data (0..blksize bytes)
///  ACK      | 04    | block #  |
///  ERROR    | 05    | code     | message | 0 |
///  OACK     | 06    | opt1 | 0 | value1 | 0 | ...
/// ```
/// DATA and ACK, the packets of a transfer, decode without allocating; the
/// request, error and option packets carry text and make strings.
public enum TFTPPacket: Equatable {
    case readRequest(TFTPRequest)
    case writeRequest(TFTPRequest)
    case data(block: UInt16, payload: ByteView)
    case ack(block: UInt16)
    case error(code: TFTPErrorCode, message: String)
    case optionAcknowledgment([TFTPOption])

    public static let port: UInt16 = 69

    public static func == (a: TFTPPacket, b: TFTPPacket) -> Bool {
        switch (a, b) {
        case (.readRequest(let x), .readRequest(let y)), (.writeRequest(let x), .writeRequest(let y)): x == y
        case (.data(let x, let p), .data(let y, let q)): x == y && p.elementsEqual(q) && p.wireCount == q.wireCount
        case (.ack(let x), .ack(let y)): x == y
        case (.error(let c, let m), .error(let d, let n)): c == d && m == n
        case (.optionAcknowledgment(let x), .optionAcknowledgment(let y)): x == y
        default: false
        }
    }

    /// tcpdump's words for the packet: `RRQ "file" octet blksize 1428`,
    /// `DATA block 7`, `ACK block 7`, `ERROR ENOTFOUND "message"`, `OACK tsize 1235`.
    public var summary: String {
        func options(_ list: [TFTPOption]) -> String { list.map { " \($0.name) \($0.value)" }.joined() }
        switch self {
        case .readRequest(let r): return "RRQ \"\(r.fileName)\" \(r.mode)" + options(r.options)
        case .writeRequest(let r): return "WRQ \"\(r.fileName)\" \(r.mode)" + options(r.options)
        case .data(let block, _): return "DATA block \(block)"
        case .ack(let block): return "ACK block \(block)"
        case .error(let code, let message): return "ERROR \(code.tcpdumpName) \"\(message)\""
        case .optionAcknowledgment(let list): return "OACK" + options(list)
        }
    }

    /// Decodes a UDP payload as TFTP.
    public static func decode(_ payload: ByteView) throws(DecodeProblem) -> TFTPPacket {
        guard let opcode = payload.uint16(at: 0) else { throw .missing(2, in: payload) }
        switch opcode {
        case 1, 2:
            var strings = NULTerminatedStrings(payload, from: 2)
            let file = try strings.required()
            let mode = try strings.required()
            let request = TFTPRequest(fileName: file, mode: mode, options: try options(&strings))
            return opcode == 1 ? .readRequest(request) : .writeRequest(request)
        case 3:
            guard let block = payload.uint16(at: 2), let data = payload.dropFirst(4) else { throw .missing(4, in: payload) }
            return .data(block: block, payload: data)
        case 4:
            guard let block = payload.uint16(at: 2) else { throw .missing(4, in: payload) }
            return .ack(block: block)
        case 5:
            guard let code = payload.uint16(at: 2) else { throw .missing(4, in: payload) }
            var strings = NULTerminatedStrings(payload, from: 4)
            // Some servers leave the message's NUL out: take what is there.
            let message = (try? strings.next()) ?? String(decoding: payload.dropFirst(4) ?? payload, as: UTF8.self)
            return .error(code: TFTPErrorCode(rawValue: code), message: message)
        case 6:
            var strings = NULTerminatedStrings(payload, from: 2)
            return .optionAcknowledgment(try options(&strings))
        default:
            throw .malformed(.invalidField(field: .tftpOpcode, value: Int(opcode)))
        }
    }

    private static func options(_ strings: inout NULTerminatedStrings) throws(DecodeProblem) -> [TFTPOption] {
        var result: [TFTPOption] = []
        while let name = try strings.next() {
            let value = try strings.required()
            result.append(TFTPOption(name: name, value: value))
        }
        return result
    }
}

// MARK: Encoding (RFC 1350 §5), for the recovery utility's server and the simulator

extension TFTPPacket {
    /// `RRQ file mode`, no options (as the phone's loader sends it).
    public static func encodeReadRequest(_ file: String, mode: String = "octet") -> [UInt8] {
        be16(1) + Array(file.utf8) + [0] + Array(mode.utf8) + [0]
    }

    public static func encodeData(block: UInt16, _ data: ArraySlice<UInt8>) -> [UInt8] { be16(3) + be16(block) + data }

    public static func encodeAck(_ block: UInt16) -> [UInt8] { be16(4) + be16(block) }

    public static func encodeError(code: UInt16, message: String) -> [UInt8] { be16(5) + be16(code) + Array(message.utf8) + [0] }

    private static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(truncatingIfNeeded: v)] }
}

/// A read or write request.
public struct TFTPRequest: Equatable, Sendable {
    public var fileName: String
    /// `octet`, `netascii` or `mail`, as sent (case varies on the wire).
    public var mode: String
    public var options: [TFTPOption]

    public var blockSize: Int? { options.lazy.compactMap(\.blockSize).first }
    public var transferSize: Int? { options.lazy.compactMap(\.transferSize).first }
    public var windowSize: Int? { options.lazy.compactMap(\.windowSize).first }
    public var timeout: Int? { options.lazy.compactMap(\.timeout).first }
}

/// One option of a request or an OACK, with the known ones' values read.
public struct TFTPOption: Equatable, Sendable {
    public var name: String
    public var value: String

    private func number(named wanted: String, in range: ClosedRange<Int>) -> Int? {
        guard name.lowercased() == wanted, let n = Int(value), range.contains(n) else { return nil }
        return n
    }

    /// RFC 2348: 8 to 65464 bytes.
    public var blockSize: Int? { number(named: "blksize", in: 8...65464) }
    /// RFC 2349: the file's size in bytes (0 in a read request: "tell me").
    public var transferSize: Int? { number(named: "tsize", in: 0...Int.max) }
    /// RFC 2349: 1 to 255 seconds.
    public var timeout: Int? { number(named: "timeout", in: 1...255) }
    /// RFC 7440: 1 to 65535 blocks.
    public var windowSize: Int? { number(named: "windowsize", in: 1...65535) }
}

/// The error codes of RFC 1350 and RFC 2347 (8), named; others kept.
public struct TFTPErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let notDefined = TFTPErrorCode(rawValue: 0)
    public static let fileNotFound = TFTPErrorCode(rawValue: 1)
    public static let accessViolation = TFTPErrorCode(rawValue: 2)
    public static let diskFull = TFTPErrorCode(rawValue: 3)
    public static let illegalOperation = TFTPErrorCode(rawValue: 4)
    public static let unknownTransferID = TFTPErrorCode(rawValue: 5)
    public static let fileAlreadyExists = TFTPErrorCode(rawValue: 6)
    public static let noSuchUser = TFTPErrorCode(rawValue: 7)
    public static let optionNegotiationFailed = TFTPErrorCode(rawValue: 8)

    /// The names tcpdump prints (its `err2str`).
    public var tcpdumpName: String {
        switch rawValue {
        case 0: "EUNDEF"
        case 1: "ENOTFOUND"
        case 2: "EACCESS"
        case 3: "ENOSPACE"
        case 4: "EBADOP"
        case 5: "EBADID"
        case 6: "EEXISTS"
        case 7: "ENOUSER"
        case 8: "EOPTNEG"
        default: "\(rawValue)"
        }
    }

    public var description: String {
        switch rawValue {
        case 0: "Not defined"
        case 1: "File not found"
        case 2: "Access violation"
        case 3: "Disk full or allocation exceeded"
        case 4: "Illegal TFTP operation"
        case 5: "Unknown transfer ID"
        case 6: "File already exists"
        case 7: "No such user"
        case 8: "Option negotiation failed"
        default: "error code \(rawValue)"
        }
    }
}

/// Reads NUL-terminated strings one after another from a view.
struct NULTerminatedStrings {
    let view: ByteView
    private(set) var offset: Int

    init(_ view: ByteView, from offset: Int) {
        self.view = view
        self.offset = offset
    }

    /// The next string; nil when the bytes are used up; throws when the
    /// last string has no NUL.
    mutating func next() throws(DecodeProblem) -> String? {
        guard offset < view.count, let rest = view.dropFirst(offset) else { return nil }
        guard let length = rest.firstIndex(of: 0), let text = rest.slice(at: 0, length: length) else { throw missingText() }
        offset += length + 1
        return String(decoding: text, as: UTF8.self)
    }

    /// The next string, which must be there.
    mutating func required() throws(DecodeProblem) -> String {
        guard let text = try next() else { throw missingText() }
        return text
    }

    /// Text that stops short: cut by the snap length, or never sent.
    private func missingText() -> DecodeProblem {
        view.isTruncated ? .truncated(needed: view.count + 1, captured: view.count) : .malformed(.unterminatedText(offset: offset))
    }
}
