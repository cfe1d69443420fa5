/// pcapng files, as draft-ietf-opsawg-pcapng ("PCAP Now Generic (pcapng)
/// Capture File Format") describes them: a sequence of blocks, each with its
/// type and total length before the body and the length again after it.
/// Sections (one Section Header Block each, in either byte order) hold
/// Interface Description Blocks, each with its own link type and timestamp
/// resolution, and packets in Enhanced, Simple or (obsolete) Packet Blocks.
/// Every other block is passed over without being held whole.
///
/// The block layout common to all:
///
///                         1                   2                   3
///     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  0 |                          Block Type                           |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  4 |                      Block Total Length                       |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  8 /                          Block Body                           /
///    /              variable length, padded to 32 bits               /
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///    |                      Block Total Length                       |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// A pcapng block type: known ones named, any other kept as its number.
struct PcapngBlockType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    let rawValue: UInt32

    static let sectionHeader = Self(rawValue: 0x0A0D_0D0A)
    static let interfaceDescription = Self(rawValue: 1)
    /// Obsolete, superseded by the Enhanced Packet Block.
    static let packet = Self(rawValue: 2)
    static let simplePacket = Self(rawValue: 3)
    static let nameResolution = Self(rawValue: 4)
    static let interfaceStatistics = Self(rawValue: 5)
    static let enhancedPacket = Self(rawValue: 6)
    static let decryptionSecrets = Self(rawValue: 10)
    static let custom = Self(rawValue: 0x0000_0BAD)
    static let customNoCopy = Self(rawValue: 0x4000_0BAD)

    /// Length of the smallest block of each type: its fixed fields plus the
    /// 12 bytes of type and lengths.
    var minimumLength: UInt32 {
        switch self {
        case .sectionHeader: 28
        case .interfaceDescription: 20
        case .enhancedPacket, .packet: 32
        case .simplePacket: 16
        default: 12
        }
    }

    var description: String {
        switch self {
        case .sectionHeader: "Section Header Block"
        case .interfaceDescription: "Interface Description Block"
        case .packet: "Packet Block"
        case .simplePacket: "Simple Packet Block"
        case .nameResolution: "Name Resolution Block"
        case .interfaceStatistics: "Interface Statistics Block"
        case .enhancedPacket: "Enhanced Packet Block"
        case .decryptionSecrets: "Decryption Secrets Block"
        case .custom, .customNoCopy: "Custom Block"
        default: "block of type 0x\(hex(rawValue, digits: 8))"
        }
    }
}

/// The byte-order magic of a Section Header Block, as written.
enum PcapngByteOrderMagic {
    static let value: UInt32 = 0x1A2B_3C4D

    /// The section's byte order for the magic read big-endian, nil when it is
    /// neither order's.
    static func order(_ magic: UInt32) -> ByteOrder? {
        switch magic {
        case value: .big
        case value.byteSwapped: .little
        default: nil
        }
    }
}

/// Option codes this reader uses.
enum PcapngOptionCode {
    static let endOfOptions: UInt16 = 0
    static let comment: UInt16 = 1               // opt_comment, UTF-8, any block
    static let interfaceName: UInt16 = 2         // if_name, UTF-8
    static let interfaceDescription: UInt16 = 3  // if_description, UTF-8
    static let timestampResolution: UInt16 = 9   // if_tsresol, 1 byte
    static let fcsLength: UInt16 = 13            // if_fcslen, 1 byte, bits
    static let timestampOffset: UInt16 = 14      // if_tsoffset, 8 bytes, seconds
}

/// The options at the end of a block body, one after the other:
///
///     0 |      Option Code              |         Option Length         |
///     4 /                       Option Value                            /
///       /              variable length, padded to 32 bits               /
///
/// up to `opt_endofopt` (code 0) or the end of the bytes.
struct PcapngOptions: IteratorProtocol {
    private let bytes: ByteView
    private let order: ByteOrder
    private var position = 0
    /// Whether an option ran past the end of the bytes (iteration stopped there).
    private(set) var isMalformed = false

    init(_ bytes: ByteView, _ order: ByteOrder) {
        self.bytes = bytes
        self.order = order
    }

    mutating func next() -> (code: UInt16, value: ByteView)? {
        guard position < bytes.count else { return nil }
        guard let code = bytes.uint16(at: position, order),
              let length = bytes.uint16(at: position + 2, order)
        else {
            isMalformed = true
            return nil
        }
        if code == PcapngOptionCode.endOfOptions { return nil }
        guard let value = bytes.slice(at: position + 4, length: Int(length)) else {
            isMalformed = true
            return nil
        }
        position += 4 + (Int(length) + 3) & ~3
        return (code, value)
    }
}

/// Section Header Block:
///
///     0 |                   Block Type = 0x0A0D0D0A                     |
///     4 |                      Block Total Length                       |
///     8 |                      Byte-Order Magic                         |
///    12 |          Major Version        |         Minor Version         |
///    16 |                          Section Length                       |
///       |                       (64 bits, -1 unknown)                   |
///    24 /                      Options (variable)                       /
///       |                      Block Total Length                       |
///
/// Interface Description Block:
///
///     8 |           LinkType            |           Reserved            |
///    12 |                            SnapLen                            |
///    16 /                      Options (variable)                       /
///
/// Enhanced Packet Block (and the obsolete Packet Block, whose first word
/// is a 16-bit interface ID and a 16-bit drops count):
///
///     8 |                         Interface ID                          |
///    12 |                        Timestamp (High)                       |
///    16 |                        Timestamp (Low)                        |
///    20 |                    Captured Packet Length                     |
///    24 |                    Original Packet Length                     |
///    28 /                          Packet Data                          /
///       /                      Options (variable)                       /
///
/// Simple Packet Block (interface 0 of its section, no timestamp):
///
///     8 |                    Original Packet Length                     |
///    12 /                          Packet Data                          /
struct PcapngDecoder {
    /// What a packet needs of its interface, kept apart from the names so
    /// the per-packet path touches no reference-counted storage.
    struct Clock {
        var linkType: LinkType
        var snapLength: UInt32
        var resolution: TimestampResolution
        var offsetSeconds: Int64
    }

    /// Every interface of every section so far.
    private(set) var interfaces: [CaptureInterface] = []
    /// The latest time an Interface Statistics Block gives: when the capture stopped.
    private(set) var recordedEnd: CaptureTimestamp?
    private var clocks: ContiguousArray<Clock> = []
    /// The current section's byte order.
    private var order = ByteOrder.big
    /// The current section's number, from 0.
    private var section = -1
    /// Index in `interfaces` of the current section's interface 0.
    private var sectionStart = 0
    private let maximumRecordLength: Int
    /// Per section, and in all sections (`CaptureReader`'s limits).
    private let maximumInterfaces: Int
    private let maximumInterfacesInAllSections: Int
    /// `if_name`/`if_description` are kept up to this many bytes.
    static let maximumNameLength = 256
    /// The section headers' comments (`opt_comment`), in file order: at most
    /// `maximumSectionComments`, each cut to `maximumCommentLength` bytes.
    private(set) var sectionComments: [String] = []
    static let maximumSectionComments = 16
    static let maximumCommentLength = 4096

    /// Reads the Section Header Block at the cursor and then the blocks after
    /// it up to the first Interface Description Block, so that `interfaces`
    /// knows the first interface before the first packet is asked for.
    init(buffer: inout ReadBuffer, log: inout WarningLog, maximumRecordLength: Int, maximumInterfaces: Int,
         maximumInterfacesInAllSections: Int) throws(CaptureError) {
        self.maximumRecordLength = maximumRecordLength
        self.maximumInterfaces = maximumInterfaces
        self.maximumInterfacesInAllSections = maximumInterfacesInAllSections
        try readSectionHeader(buffer: &buffer)
        _ = try nextBlock(number: 1, buffer: &buffer, log: &log, priming: true)
    }

    /// The next packet's frame, numbered `number`, reading the blocks before
    /// it; nil at a clean end of input.
    @inline(__always)
    mutating func next(number: Int, buffer: inout ReadBuffer, log: inout WarningLog) throws(CaptureError) -> CapturedFrame? {
        // The common case, small enough to inline into the reader: an
        // Enhanced Packet Block already whole in the buffer.
        if buffer.available >= 8 {
            let head = RecordFields(buffer.unread, length: 8, order: order)
            let length = head.uint32(at: 4)
            // Buffered, so no longer than the buffer's maximum.
            if head.uint32(at: 0) == PcapngBlockType.enhancedPacket.rawValue,
               length >= PcapngBlockType.enhancedPacket.minimumLength, length & 3 == 0,
               Int(length) <= buffer.available {
                return try readEnhancedPacket(length: Int(length), at: buffer.offset, number: number, buffer: &buffer, log: &log)
            }
        }
        return try nextBlock(number: number, buffer: &buffer, log: &log)
    }

    /// As `next`, block by block, whatever the blocks and however much of
    /// them is buffered. With `priming`, stops instead after the first
    /// Interface Description Block or before the first packet.
    @inline(never)
    private mutating func nextBlock(number: Int, buffer: inout ReadBuffer, log: inout WarningLog, priming: Bool = false) throws(CaptureError) -> CapturedFrame? {
        while true {
            let offset = buffer.offset
            guard try buffer.request(8) else {
                if buffer.available == 0 { return nil }
                throw buffer.error(.recordPastEnd(claimed: 12, available: Int64(buffer.available)), at: offset)
            }
            let head = RecordFields(buffer.unread, length: 8, order: order)
            let type = PcapngBlockType(rawValue: head.uint32(at: 0))
            if type == .sectionHeader {
                try readSectionHeader(buffer: &buffer)
                continue
            }
            let length = try checkedLength(head.uint32(at: 4), at: offset, buffer)
            switch type {
            case .enhancedPacket:
                if priming { return nil }
                return try readEnhancedPacket(length: length, at: offset, number: number, buffer: &buffer, log: &log)
            case .simplePacket:
                if priming { return nil }
                return try readSimplePacket(length: length, at: offset, number: number, buffer: &buffer)
            case .packet:
                if priming { return nil }
                return try readObsoletePacket(length: length, at: offset, number: number, buffer: &buffer, log: &log)
            case .interfaceDescription:
                try readInterfaceDescription(length: length, at: offset, buffer: &buffer, log: &log)
                if priming { return nil }
            case .interfaceStatistics:
                try readInterfaceStatistics(length: length, at: offset, buffer: &buffer)
            default:
                try skipBlock(length: length, at: offset, buffer: &buffer)
            }
        }
    }

    // MARK: Blocks

    private mutating func readSectionHeader(buffer: inout ReadBuffer) throws(CaptureError) {
        let offset = buffer.offset
        let minimum = PcapngBlockType.sectionHeader.minimumLength
        guard try buffer.request(12) else {
            throw buffer.error(.recordPastEnd(claimed: Int64(minimum), available: Int64(buffer.available)), at: offset)
        }
        let magic = RecordFields(buffer.unread, length: 12, order: .big).uint32(at: 8)
        guard let order = PcapngByteOrderMagic.order(magic) else {
            throw buffer.error(.badByteOrderMagic(magic), at: offset)
        }
        let length = try checkedLength(RecordFields(buffer.unread, length: 8, order: order).uint32(at: 4), at: offset, buffer)
        let block = try load(length: length, at: offset, order: order, buffer: &buffer)
        guard length >= minimum else {
            throw buffer.error(.blockTooShort(type: PcapngBlockType.sectionHeader.rawValue, length: UInt32(length), minimum: minimum), at: offset)
        }
        let major = block.uint16(at: 12)
        let minor = block.uint16(at: 14)
        guard major == 1 else {
            throw buffer.error(.unsupportedVersion(major: major, minor: minor), at: offset)
        }
        self.order = order
        section += 1
        sectionStart = clocks.count
        var options = PcapngOptions(block.view(at: 24, length: length - 28, wireCount: length - 28), order)
        while sectionComments.count < Self.maximumSectionComments, let option = options.next() {
            if option.code == PcapngOptionCode.comment { sectionComments.append(Self.text(option.value, limit: Self.maximumCommentLength)) }
        }
        buffer.consume(length)
    }

    private mutating func readInterfaceDescription(length: Int, at offset: Int64, buffer: inout ReadBuffer, log: inout WarningLog) throws(CaptureError) {
        let type = PcapngBlockType.interfaceDescription
        let block = try load(length: length, at: offset, order: order, buffer: &buffer)
        guard length >= type.minimumLength else {
            throw buffer.error(.blockTooShort(type: type.rawValue, length: UInt32(length), minimum: type.minimumLength), at: offset)
        }
        guard interfaces.count - sectionStart < maximumInterfaces else {
            throw buffer.error(.tooManyInterfaces(limit: maximumInterfaces), at: offset)
        }
        guard interfaces.count < maximumInterfacesInAllSections else {
            throw buffer.error(.tooManyInterfacesInAllSections(limit: maximumInterfacesInAllSections), at: offset)
        }
        var interface = CaptureInterface(
            linkType: LinkType(rawValue: UInt32(block.uint16(at: 8))),
            snapLength: block.uint32(at: 12),
            section: section
        )
        var clock = Clock(linkType: interface.linkType, snapLength: interface.snapLength, resolution: .microseconds, offsetSeconds: 0)

        var options = PcapngOptions(block.view(at: 16, length: length - 20, wireCount: length - 20), order)
        while let option = options.next() {
            let (code, value) = option
            func badLength() {
                log.add(.badOptionLength(blockType: type.rawValue, code: code, length: UInt16(value.count)), at: offset)
            }
            switch code {
            case PcapngOptionCode.interfaceName:
                interface.name = Self.text(value)
            case PcapngOptionCode.interfaceDescription:
                interface.description = Self.text(value)
            case PcapngOptionCode.timestampResolution:
                guard value.count == 1, let code = value.uint8(at: 0) else { badLength(); continue }
                clock.resolution = TimestampResolution(code: code)
            case PcapngOptionCode.timestampOffset:
                guard value.count == 8, let seconds = value.uint64(at: 0, order) else { badLength(); continue }
                clock.offsetSeconds = Int64(bitPattern: seconds)
            case PcapngOptionCode.fcsLength:
                guard value.count == 1, let bits = value.uint8(at: 0) else { badLength(); continue }
                interface.fcsLength = Int(bits) / 8
            default:
                continue
            }
        }
        if options.isMalformed {
            log.add(.malformedOptions(blockType: type.rawValue), at: offset)
        }
        interfaces.append(interface)
        clocks.append(clock)
        buffer.consume(length)
    }

    /// An Interface Statistics Block: only its time is kept, the moment the
    /// capture's counters were taken, which a capturing program writes when
    /// it stops (dumpcap, `sosdump live -w`). The capture lasted until then,
    /// even when its last frame came long before: a silence on record. A
    /// block too short for its time, or for an interface not described, is
    /// skipped: statistics are not frames.
    private mutating func readInterfaceStatistics(length: Int, at offset: Int64, buffer: inout ReadBuffer) throws(CaptureError) {
        let block = try load(length: length, at: offset, order: order, buffer: &buffer)
        defer { buffer.consume(length) }
        guard length >= 24 else { return }
        let id = block.uint32(at: 8)
        guard UInt64(id) < UInt64(clocks.count - sectionStart) else { return }
        let clock = clocks[sectionStart + Int(id)]
        let units = UInt64(block.uint32(at: 12)) << 32 | UInt64(block.uint32(at: 16))
        let time = clock.resolution.timestamp(units, offsetSeconds: clock.offsetSeconds)
        if recordedEnd.map({ time > $0 }) ?? true { recordedEnd = time }
    }

    @inline(__always)
    private mutating func readEnhancedPacket(length: Int, at offset: Int64, number: Int, buffer: inout ReadBuffer, log: inout WarningLog) throws(CaptureError) -> CapturedFrame {
        let type = PcapngBlockType.enhancedPacket
        let block = try load(length: length, at: offset, order: order, buffer: &buffer)
        guard length >= type.minimumLength else {
            throw buffer.error(.blockTooShort(type: type.rawValue, length: UInt32(length), minimum: type.minimumLength), at: offset)
        }
        let interfaceID = block.uint32(at: 8)
        let units = UInt64(block.uint32(at: 12)) << 32 | UInt64(block.uint32(at: 16))
        let captured = block.uint32(at: 20)
        let original = block.uint32(at: 24)
        return try packet(
            block: block, dataOffset: 28, captured: captured, original: original, interfaceID: interfaceID,
            units: units, at: offset, number: number, buffer: &buffer, log: &log
        )
    }

    private mutating func readObsoletePacket(length: Int, at offset: Int64, number: Int, buffer: inout ReadBuffer, log: inout WarningLog) throws(CaptureError) -> CapturedFrame {
        let type = PcapngBlockType.packet
        let block = try load(length: length, at: offset, order: order, buffer: &buffer)
        guard length >= type.minimumLength else {
            throw buffer.error(.blockTooShort(type: type.rawValue, length: UInt32(length), minimum: type.minimumLength), at: offset)
        }
        let interfaceID = UInt32(block.uint16(at: 8))
        let units = UInt64(block.uint32(at: 12)) << 32 | UInt64(block.uint32(at: 16))
        let captured = block.uint32(at: 20)
        let original = block.uint32(at: 24)
        return try packet(
            block: block, dataOffset: 28, captured: captured, original: original, interfaceID: interfaceID,
            units: units, at: offset, number: number, buffer: &buffer, log: &log
        )
    }

    /// A Simple Packet Block: interface 0 of the section; captured length =
    /// min(original length, snap length if not 0, bytes in the block); no
    /// timestamp, so the frame's is the epoch.
    private mutating func readSimplePacket(length: Int, at offset: Int64, number: Int, buffer: inout ReadBuffer) throws(CaptureError) -> CapturedFrame {
        let type = PcapngBlockType.simplePacket
        let block = try load(length: length, at: offset, order: order, buffer: &buffer)
        guard length >= type.minimumLength else {
            throw buffer.error(.blockTooShort(type: type.rawValue, length: UInt32(length), minimum: type.minimumLength), at: offset)
        }
        let index = try interfaceIndex(0, at: offset, buffer)
        let clock = clocks[index]
        let original = block.uint32(at: 8)
        var captured = Swift.min(original, UInt32(length - 16))
        if clock.snapLength != 0 { captured = Swift.min(captured, clock.snapLength) }
        let data = block.view(at: 12, length: Int(captured), wireCount: Int(original))
        buffer.consume(length)
        return CapturedFrame(
            number: number,
            timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0, fractionDigits: clock.resolution.fractionDigits),
            interfaceIndex: index,
            linkType: clock.linkType,
            bytes: data,
            fileOffset: offset
        )
    }

    /// The frame of an Enhanced or obsolete Packet Block, whose fields are read.
    @inline(__always)
    private mutating func packet(
        block: RecordFields, dataOffset: Int, captured: UInt32, original: UInt32, interfaceID: UInt32,
        units: UInt64, at offset: Int64, number: Int, buffer: inout ReadBuffer, log: inout WarningLog
    ) throws(CaptureError) -> CapturedFrame {
        let room = UInt32(block.count - dataOffset - 4)
        guard captured <= room else {
            throw buffer.error(.packetPastBlock(captured: captured, room: room), at: offset)
        }
        let index = try interfaceIndex(interfaceID, at: offset, buffer)
        let clock = clocks[index]
        var original = original
        if original < captured {
            log.add(.capturedLongerThanOriginal(captured: captured, original: original), at: offset, frame: number)
            original = captured
        }
        if captured > clock.snapLength && clock.snapLength != 0 {
            log.add(.capturedLongerThanSnapLength(captured: captured, snapLength: clock.snapLength), at: offset, frame: number)
        }
        let data = block.view(at: dataOffset, length: Int(captured), wireCount: Int(original))
        // The options follow the data, padded to 32 bits (the padding is checked: captured <= room).
        let optionsStart = dataOffset + (Int(captured) + 3) & ~3
        let optionsLength = block.count - 4 - optionsStart
        buffer.consume(block.count)
        var frame = CapturedFrame(
            number: number,
            timestamp: clock.resolution.timestamp(units, offsetSeconds: clock.offsetSeconds),
            interfaceIndex: index,
            linkType: clock.linkType,
            bytes: data,
            fileOffset: offset
        )
        if optionsLength > 0 {
            frame.options = PcapngFrameOptions(bytes: block.view(at: optionsStart, length: optionsLength, wireCount: optionsLength), order: order)
        }
        return frame
    }

    /// Passes over a block this reader has no use for, reading it in
    /// buffer-sized pieces, and checks its trailing length.
    private mutating func skipBlock(length: Int, at offset: Int64, buffer: inout ReadBuffer) throws(CaptureError) {
        let body = Int64(length - 4)
        guard try buffer.skip(body) == body, try buffer.request(4) else {
            throw buffer.error(.recordPastEnd(claimed: Int64(length), available: buffer.bytesRead(since: offset)), at: offset)
        }
        let trailing = RecordFields(buffer.unread, length: 4, order: order).uint32(at: 0)
        guard trailing == UInt32(length) else {
            throw buffer.error(.blockLengthMismatch(leading: UInt32(length), trailing: trailing), at: offset)
        }
        buffer.consume(4)
    }

    // MARK: Checks

    /// A block's total length as an Int, once it is at least 12, a multiple
    /// of 4 and within the maximum.
    @inline(__always)
    private func checkedLength(_ length: UInt32, at offset: Int64, _ buffer: borrowing ReadBuffer) throws(CaptureError) -> Int {
        guard length >= 12, length & 3 == 0 else {
            throw buffer.error(.badBlockLength(length), at: offset)
        }
        guard Int(length) <= maximumRecordLength else {
            throw buffer.error(.implausibleLength(claimed: UInt64(length), limit: maximumRecordLength), at: offset)
        }
        return Int(length)
    }

    /// The whole block at the cursor, once its trailing length matches the
    /// leading one; not consumed.
    @inline(__always)
    private func load(length: Int, at offset: Int64, order: ByteOrder, buffer: inout ReadBuffer) throws(CaptureError) -> RecordFields {
        guard try buffer.request(length) else {
            throw buffer.error(.recordPastEnd(claimed: Int64(length), available: buffer.bytesRead(since: offset)), at: offset)
        }
        let block = RecordFields(buffer.unread, length: length, order: order)
        let leading = block.uint32(at: 4)
        let trailing = block.uint32(at: length - 4)
        guard trailing == leading else {
            throw buffer.error(.blockLengthMismatch(leading: leading, trailing: trailing), at: offset)
        }
        return block
    }

    /// Index in `interfaces` of the current section's interface `id`.
    @inline(__always)
    private func interfaceIndex(_ id: UInt32, at offset: Int64, _ buffer: borrowing ReadBuffer) throws(CaptureError) -> Int {
        let defined = clocks.count - sectionStart
        guard UInt64(id) < UInt64(defined) else {
            throw buffer.error(.unknownInterface(id: id, defined: defined), at: offset)
        }
        return sectionStart + Int(id)
    }

    /// An option's UTF-8 text, without trailing NULs, at most `limit` bytes.
    static func text(_ value: ByteView, limit: Int = maximumNameLength) -> String {
        var bytes = value.prefix(limit)
        while bytes.last == 0 { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}


/// The options of a frame's Enhanced (or obsolete) Packet Block, borrowed
/// with the frame: read only when asked (`comments`), so a frame without
/// them costs nothing and one with them nothing until then.
public struct PcapngFrameOptions {
    public let bytes: ByteView
    let order: ByteOrder

    /// The frame's comments (`opt_comment`), each cut to 4096 bytes; a
    /// malformed option ends the list.
    public var comments: [String] {
        var result: [String] = []
        var options = PcapngOptions(bytes, order)
        while result.count < PcapngDecoder.maximumSectionComments, let option = options.next() {
            if option.code == PcapngOptionCode.comment { result.append(PcapngDecoder.text(option.value, limit: PcapngDecoder.maximumCommentLength)) }
        }
        return result
    }
}
