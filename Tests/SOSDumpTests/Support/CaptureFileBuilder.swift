@testable import SOSDump

// Writers of capture files, byte by byte, for tests and the fuzz corpus:
// classic pcap and pcapng, in either byte order, with chosen options, and
// with lengths that lie when a test needs damage. Each remembers where its
// records start and end, so tests can say which frames precede a cut and
// which record an error must point at.

/// Bytes written in a chosen byte order.
struct ByteWriter {
    var order: ByteOrder
    private(set) var bytes: [UInt8] = []

    init(order: ByteOrder) {
        self.order = order
    }

    var count: Int { bytes.count }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) {
        append(order == .big ? value.bigEndian : value.littleEndian)
    }

    mutating func u32(_ value: UInt32) {
        append(order == .big ? value.bigEndian : value.littleEndian)
    }

    mutating func u64(_ value: UInt64) {
        append(order == .big ? value.bigEndian : value.littleEndian)
    }

    mutating func append(_ raw: [UInt8]) { bytes += raw }

    /// Zero bytes up to the next multiple of 4.
    mutating func padToFour() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    private mutating func append<T: FixedWidthInteger>(_ stored: T) {
        withUnsafeBytes(of: stored) { bytes += $0 }
    }
}

/// Where a record (pcap file header or record; pcapng block) lies in a file.
struct RecordSpan: Equatable {
    var offset: Int
    var length: Int
    /// Whether reading it delivers a frame.
    var isFrame: Bool
    var end: Int { offset + length }
}

/// A classic pcap file: the file header, then a record per `record(...)`.
struct PcapFileBuilder {
    enum Magic {
        case microseconds, nanoseconds, modified

        var value: UInt32 {
            switch self {
            case .microseconds: 0xA1B2_C3D4
            case .nanoseconds: 0xA1B2_3C4D
            case .modified: 0xA1B2_CD34
            }
        }
    }

    let magic: Magic
    private var writer: ByteWriter
    private(set) var records: [RecordSpan] = []

    var bytes: [UInt8] { writer.bytes }

    /// `linkTypeField` is written as is: the LINKTYPE in its low 16 bits, FCS
    /// information above.
    init(
        order: ByteOrder = .little, magic: Magic = .microseconds, version: (major: UInt16, minor: UInt16) = (2, 4),
        snapLength: UInt32 = 65535, linkTypeField: UInt32 = LinkType.ethernet.rawValue
    ) {
        self.magic = magic
        writer = ByteWriter(order: order)
        writer.u32(magic.value)
        writer.u16(version.major)
        writer.u16(version.minor)
        writer.u32(0)  // reserved (was thiszone)
        writer.u32(0)  // reserved (was sigfigs)
        writer.u32(snapLength)
        writer.u32(linkTypeField)
        records.append(RecordSpan(offset: 0, length: 24, isFrame: false))
    }

    /// Appends a record of `data`. The lengths default to the truth; a test
    /// that needs a lying header sets them.
    mutating func record(
        seconds: UInt32, fraction: UInt32, data: [UInt8],
        originalLength: UInt32? = nil, capturedLength: UInt32? = nil
    ) {
        let offset = writer.count
        writer.u32(seconds)
        writer.u32(fraction)
        writer.u32(capturedLength ?? UInt32(data.count))
        writer.u32(originalLength ?? UInt32(data.count))
        if magic == .modified {
            writer.u32(2)  // interface index
            writer.u16(0x0800)  // protocol
            writer.u8(0)  // packet type
            writer.u8(0)  // padding
        }
        writer.append(data)
        records.append(RecordSpan(offset: offset, length: writer.count - offset, isFrame: true))
    }

    /// Appends raw bytes (trailing junk, a cut-off record).
    mutating func append(_ raw: [UInt8]) { writer.append(raw) }
}

/// A pcapng option, written code, length, value, padding.
enum PcapngOption {
    case comment(String)
    case interfaceName(String)
    case interfaceDescription(String)
    case timestampResolution(UInt8)
    case timestampOffset(Int64)
    case fcsLength(bits: UInt8)
    case raw(code: UInt16, value: [UInt8])

    var code: UInt16 {
        switch self {
        case .comment: 1
        case .interfaceName: 2
        case .interfaceDescription: 3
        case .timestampResolution: 9
        case .fcsLength: 13
        case .timestampOffset: 14
        case .raw(let code, _): code
        }
    }

    func write(to writer: inout ByteWriter) {
        var value = ByteWriter(order: writer.order)
        switch self {
        case .comment(let text), .interfaceName(let text), .interfaceDescription(let text):
            value.append(Array(text.utf8))
        case .timestampResolution(let code): value.u8(code)
        case .fcsLength(let bits): value.u8(bits)
        case .timestampOffset(let seconds): value.u64(UInt64(bitPattern: seconds))
        case .raw(_, let bytes): value.append(bytes)
        }
        writer.u16(code)
        writer.u16(UInt16(value.count))
        writer.append(value.bytes)
        writer.padToFour()
    }

    /// `options` followed by opt_endofopt; nothing for no options.
    static func encode(_ options: [PcapngOption], order: ByteOrder) -> [UInt8] {
        guard !options.isEmpty else { return [] }
        var writer = ByteWriter(order: order)
        for option in options { option.write(to: &writer) }
        writer.u32(0)  // opt_endofopt, length 0
        return writer.bytes
    }
}

/// A pcapng file, block by block. Blocks are written in the byte order of the
/// last `section(order:)`; start with one.
struct PcapngFileBuilder {
    /// Lengths to write instead of the true total length, for damage.
    struct Lengths {
        var leading: UInt32?
        var trailing: UInt32?
        static let truthful = Lengths()
    }

    private var writer = ByteWriter(order: .little)
    private(set) var records: [RecordSpan] = []

    var bytes: [UInt8] { writer.bytes }
    var order: ByteOrder { writer.order }

    init() {}

    /// A Section Header Block: a new section in `order`.
    mutating func section(
        order: ByteOrder = .little, version: (major: UInt16, minor: UInt16) = (1, 0),
        byteOrderMagic: UInt32 = 0x1A2B_3C4D, options: [PcapngOption] = []
    ) {
        writer.order = order
        var body = ByteWriter(order: order)
        body.u32(byteOrderMagic)
        body.u16(version.major)
        body.u16(version.minor)
        body.u64(UInt64(bitPattern: -1))  // section length unknown
        body.append(PcapngOption.encode(options, order: order))
        block(type: 0x0A0D_0D0A, body: body.bytes)
    }

    /// An Interface Description Block.
    mutating func interface(linkType: LinkType = .ethernet, snapLength: UInt32 = 0, options: [PcapngOption] = []) {
        var body = ByteWriter(order: order)
        body.u16(UInt16(linkType.rawValue))
        body.u16(0)
        body.u32(snapLength)
        body.append(PcapngOption.encode(options, order: order))
        block(type: 1, body: body.bytes)
    }

    /// An Enhanced Packet Block. `timestamp` counts the interface's units.
    mutating func enhancedPacket(
        interface: UInt32 = 0, timestamp: UInt64 = 0, data: [UInt8],
        originalLength: UInt32? = nil, capturedLength: UInt32? = nil,
        options: [PcapngOption] = [], lengths: Lengths = .truthful
    ) {
        var body = ByteWriter(order: order)
        body.u32(interface)
        body.u32(UInt32(truncatingIfNeeded: timestamp >> 32))
        body.u32(UInt32(truncatingIfNeeded: timestamp))
        body.u32(capturedLength ?? UInt32(data.count))
        body.u32(originalLength ?? UInt32(data.count))
        body.append(data)
        body.padToFour()
        body.append(PcapngOption.encode(options, order: order))
        block(type: 6, body: body.bytes, isFrame: true, lengths: lengths)
    }

    /// A Simple Packet Block: the original length, then `data` padded.
    mutating func simplePacket(data: [UInt8], originalLength: UInt32? = nil) {
        var body = ByteWriter(order: order)
        body.u32(originalLength ?? UInt32(data.count))
        body.append(data)
        body.padToFour()
        block(type: 3, body: body.bytes, isFrame: true)
    }

    /// An obsolete Packet Block.
    mutating func obsoletePacket(interface: UInt16 = 0, drops: UInt16 = 0, timestamp: UInt64 = 0, data: [UInt8], originalLength: UInt32? = nil) {
        var body = ByteWriter(order: order)
        body.u16(interface)
        body.u16(drops)
        body.u32(UInt32(truncatingIfNeeded: timestamp >> 32))
        body.u32(UInt32(truncatingIfNeeded: timestamp))
        body.u32(UInt32(data.count))
        body.u32(originalLength ?? UInt32(data.count))
        body.append(data)
        body.padToFour()
        block(type: 2, body: body.bytes, isFrame: true)
    }

    /// Any block: type, total length, `body` (padded), total length again.
    mutating func block(type: UInt32, body: [UInt8], isFrame: Bool = false, lengths: Lengths = .truthful) {
        let offset = writer.count
        let padded = (body.count + 3) & ~3
        let total = UInt32(12 + padded)
        writer.u32(type)
        writer.u32(lengths.leading ?? total)
        writer.append(body)
        writer.padToFour()
        writer.u32(lengths.trailing ?? total)
        records.append(RecordSpan(offset: offset, length: writer.count - offset, isFrame: isFrame))
    }

    /// Appends raw bytes (a cut-off block, junk).
    mutating func append(_ raw: [UInt8]) { writer.append(raw) }
}
