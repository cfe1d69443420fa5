/// The signed header that Cisco 79xx files begin with: `.loads`, the
/// `.sbn` parts, signed configurations (`.cnf.xml.sgn`) and the trust
/// lists (`CTLFile.tlv`, `ITLFile.tlv`, `CTLSEP<MAC>.tlv`). No public
/// standard; the layout was read from public files.
///
/// ```
///  tag (1)  length (2, big-endian)  value (length)     ... repeated
///
///  tag  1  header version (2 bytes, e.g. 01 00)
///  tag  2  the header's total length (2 bytes): the file's own content starts there
///  tag  4  the signer's name
///  tag 12  the signature
///  tag 14  the file's own name, NUL-terminated
///  others  kept by number
/// ```
///
/// sosdump reads a file from the bytes a TFTP transfer rebuilt: it tells
/// the kinds apart (by the embedded name, else the name it was fetched
/// as), reads the name, and says where the header breaks its own rules.
/// It checks no signature.
public enum SignedFileTag: UInt8, Sendable {
    case headerVersion = 1
    case headerLength = 2
    case signerName = 4
    case signature = 12
    case fileName = 14
}

/// What a 79xx file is, from its name.
public enum PhoneFileKind: String, Sendable, Hashable, Codable {
    /// `<LOAD>.loads`: the list of a load's parts.
    case loads
    /// `.sbn` (and 7940's `.sb2`, `.bin`): a part of a load.
    case loadPart = "load-part"
    /// `.sgn`: a signed configuration or file.
    case signedConfiguration = "signed-configuration"
    /// `.tlv`: a trust list (CTL, ITL).
    case trustList = "trust-list"
    /// `.cnf.xml`: a configuration in plain XML.
    case configuration
    case other

    public init(fileName: String) {
        let n = fileName.lowercased()
        if n.hasSuffix(".loads") { self = .loads }
        else if n.hasSuffix(".sbn") || n.hasSuffix(".sb2") || n.hasSuffix(".bin") { self = .loadPart }
        else if n.hasSuffix(".sgn") { self = .signedConfiguration }
        else if n.hasSuffix(".tlv") { self = .trustList }
        else if n.hasSuffix(".cnf.xml") || n.hasSuffix(".xml") { self = .configuration }
        else { self = .other }
    }
}

/// One field of the header.
public struct SignedHeaderField: Sendable, Equatable {
    public var tag: UInt8
    /// Offset of its tag byte in the file.
    public var offset: Int
    public var value: [UInt8]
}

/// A signed file's header, as far as it reads.
public struct SignedFileHeader: Sendable, Equatable {
    public var fields: [SignedHeaderField]
    /// Tag 2: where the file's own content starts.
    public var headerLength: Int?
    /// Tag 14, up to its NUL.
    public var fileName: String?
    /// Tag 4.
    public var signerName: String?
    /// Tag 1.
    public var version: [UInt8]?
    public var problems: [SignedFileProblem]

    /// The header's content starts at ``headerLength`` and the header is whole.
    public var isWellFormed: Bool { problems.isEmpty && headerLength != nil }

    /// Whether `bytes` begin like a signed header: tag 1 of length 2, then
    /// tag 2 of length 2 (the first 10 bytes).
    public static func looksSigned(_ bytes: ByteView) -> Bool {
        bytes.uint8(at: 0) == SignedFileTag.headerVersion.rawValue && bytes.uint16(at: 1) == 2
            && bytes.uint8(at: 5) == SignedFileTag.headerLength.rawValue && bytes.uint16(at: 6) == 2 && bytes.uint16(at: 8) != nil
    }

    /// Reads the header of `bytes` (a whole file). nil when the file does
    /// not begin like one (see ``looksSigned(_:)``).
    public static func read(_ bytes: ByteView) -> SignedFileHeader? {
        guard looksSigned(bytes) else { return nil }
        var h = SignedFileHeader(fields: [], problems: [])
        // Tag 2 says where the header ends; read fields up to there.
        let declared = Int(bytes.uint16(at: 8) ?? 0)
        h.headerLength = declared
        if declared > bytes.count {
            h.problems.append(.headerLengthBeyondFile(declared: declared, fileLength: bytes.count))
        }
        let end = min(declared, bytes.count)
        var o = 0
        while o < end {
            guard let tag = bytes.uint8(at: o), let length = bytes.uint16(at: o + 1).map(Int.init), o + 3 <= end else {
                h.problems.append(.fieldBeyondHeader(offset: o, tag: bytes.uint8(at: o) ?? 0))
                break
            }
            guard o + 3 + length <= end, let value = bytes.slice(at: o + 3, length: length) else {
                h.problems.append(.fieldBeyondHeader(offset: o, tag: tag))
                break
            }
            h.fields.append(SignedHeaderField(tag: tag, offset: o, value: Array(value)))
            switch SignedFileTag(rawValue: tag) {
            case .headerVersion: h.version = Array(value)
            case .fileName: h.fileName = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
            case .signerName: h.signerName = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
            default: break
            }
            o += 3 + length
        }
        if declared < 10 { h.problems.append(.headerLengthTooSmall(declared: declared)) }
        if h.fileName == nil, h.problems.isEmpty { h.problems.append(.noFileName) }
        return h
    }
}

/// How a signed header breaks its own rules.
public enum SignedFileProblem: Sendable, Equatable {
    /// Tag 2 says the header is longer than the file.
    case headerLengthBeyondFile(declared: Int, fileLength: Int)
    /// Tag 2 says less than its own two first fields.
    case headerLengthTooSmall(declared: Int)
    /// The field at `offset` runs past the header's end.
    case fieldBeyondHeader(offset: Int, tag: UInt8)
    /// No tag 14.
    case noFileName
    /// Tag 14 names another file than the one fetched (case counts).
    case nameMismatch(embedded: String, fetched: String)
    /// The name says signed (`.sbn`, `.sgn`, `.tlv`) but the bytes do not begin with a header.
    case notSigned
}

/// A 79xx file read from its bytes: its kind, its header and where its own
/// content begins.
public struct PhoneFile: Sendable, Equatable {
    /// The name it was fetched as.
    public var fetchedName: String
    public var kind: PhoneFileKind
    /// nil when the file does not begin with a signed header.
    public var header: SignedFileHeader?
    /// Where the content after the header starts (0 when unsigned).
    public var contentOffset: Int
    public var problems: [SignedFileProblem]
    public var length: Int

    public var isMalformed: Bool { !problems.isEmpty }

    /// Reads `bytes`, fetched as `fetchedName`.
    public static func read(_ bytes: ByteView, fetchedName: String) -> PhoneFile {
        let header = SignedFileHeader.read(bytes)
        let base = fetchedName.split(separator: "/").last.map(String.init) ?? fetchedName
        var kind = PhoneFileKind(fileName: base)
        if let embedded = header?.fileName, !embedded.isEmpty { kind = PhoneFileKind(fileName: embedded) }
        var problems = header?.problems ?? []
        if let embedded = header?.fileName, !embedded.isEmpty, embedded != base {
            problems.append(.nameMismatch(embedded: embedded, fetched: base))
        }
        if header == nil, [.loadPart, .signedConfiguration].contains(kind) || (kind == .trustList && !bytes.isEmpty) {
            problems.append(.notSigned)
        }
        let content = header?.headerLength.map { min($0, bytes.count) } ?? 0
        return PhoneFile(fetchedName: base, kind: kind, header: header, contentOffset: content, problems: problems, length: bytes.count)
    }
}

// MARK: - Encoder

extension SignedFileHeader {
    /// A header as the vendor's files have it: version 1.0, the header
    /// length, the signer, a signature of `signatureLength` bytes (zeros:
    /// sosdump checks none), the file name; `extra` fields before the name.
    public static func encode(fileName: String, signer: String = "CN=cmterm-sim;OU=sosdump", signatureLength: Int = 128,
                              extra: [(tag: UInt8, value: [UInt8])] = [], headerLength: Int? = nil) -> [UInt8] {
        var fields: [(UInt8, [UInt8])] = [(1, [1, 0]), (2, [0, 0]), (4, Array(signer.utf8) + [0])]
        fields += extra.map { ($0.tag, $0.value) }
        fields += [(12, [UInt8](repeating: 0, count: signatureLength)), (14, Array(fileName.utf8) + [0])]
        var w = WireWriter()
        for (tag, value) in fields {
            w.u8(tag)
            w.u16(UInt16(value.count))
            w.append(value)
        }
        w.set(UInt16(headerLength ?? w.count), at: 6 + 2)
        return w.bytes
    }
}
