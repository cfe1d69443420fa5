/// Classic pcap files, libpcap's savefile format, as draft-ietf-opsawg-pcap
/// ("PCAP Capture File Format") describes it: a 24-byte file header, then one
/// record per packet, a 16-byte header followed by the captured bytes. Both
/// byte orders, microsecond and nanosecond timestamps, and Alexey
/// Kuznetzov's modified format (magic 0xA1B2CD34, 24-byte record headers).

/// The magic numbers, as written in the writer's byte order.
enum PcapMagic {
    static let microseconds: UInt32 = 0xA1B2_C3D4
    static let nanoseconds: UInt32 = 0xA1B2_3C4D
    /// Kuznetzov's patched libpcap: microseconds, 24-byte record headers.
    static let modified: UInt32 = 0xA1B2_CD34

    /// Byte order, resolution and record header length for the first four
    /// bytes of a file read big-endian, or nil when they are no pcap magic.
    static func recognize(_ magic: UInt32) -> (order: ByteOrder, resolution: TimestampResolution, recordHeaderLength: Int)? {
        for order in [ByteOrder.big, .little] {
            let value = order == .big ? magic : magic.byteSwapped
            switch value {
            case microseconds: return (order, .microseconds, PcapRecordHeader.length)
            case nanoseconds: return (order, .nanoseconds, PcapRecordHeader.length)
            case modified: return (order, .microseconds, PcapRecordHeader.modifiedLength)
            default: continue
            }
        }
        return nil
    }
}

/// The file header.
///
///                         1                   2                   3
///     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  0 |                          Magic Number                         |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  4 |          Major Version        |         Minor Version         |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  8 |                           Reserved1                           |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// 12 |                           Reserved2                           |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// 16 |                            SnapLen                            |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// 20 | FCS |f|0 0 0 0 0 0 0 0 0 0 0 0|         LinkType              |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The link type field's low 16 bits are the LINKTYPE; when the `f` bit
/// (0x04000000) is set, its top four bits count the 16-bit words of frame
/// check sequence at the end of every frame.
struct PcapFileHeader {
    static let length = 24
    static let fcsPresent: UInt32 = 0x0400_0000

    var order: ByteOrder
    var resolution: TimestampResolution
    var recordHeaderLength: Int
    var majorVersion: UInt16
    var minorVersion: UInt16
    var snapLength: UInt32
    var linkType: LinkType
    /// Bytes of FCS at the end of each frame, when the file says.
    var fcsLength: Int?

    /// Parses the header at the start of `bytes`; nil when they do not start
    /// with pcap magic or are shorter than a header.
    init?(_ bytes: ByteView) {
        guard let magic = bytes.uint32(at: 0),
              let recognized = PcapMagic.recognize(magic),
              case let (order, resolution, recordHeaderLength) = recognized,
              let major = bytes.uint16(at: 4, order),
              let minor = bytes.uint16(at: 6, order),
              let snapLength = bytes.uint32(at: 16, order),
              let linkField = bytes.uint32(at: 20, order)
        else { return nil }
        self.order = order
        self.resolution = resolution
        self.recordHeaderLength = recordHeaderLength
        self.majorVersion = major
        self.minorVersion = minor
        self.snapLength = snapLength
        self.linkType = LinkType(rawValue: linkField & 0xFFFF)
        self.fcsLength = linkField & Self.fcsPresent != 0 ? Int(linkField >> 28) * 2 : nil
    }
}

/// A record header.
///
///                         1                   2                   3
///     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  0 |                      Timestamp (Seconds)                      |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  4 |            Timestamp (Microseconds or nanoseconds)            |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///  8 |                    Captured Packet Length                     |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// 12 |                    Original Packet Length                     |
///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// 16 /                          Packet Data                          /
///
/// The modified format adds 8 bytes before the data (interface index,
/// protocol, packet type, padding), which this reader passes over.
struct PcapRecordHeader {
    static let length = 16
    static let modifiedLength = 24

    var seconds: UInt32
    var fraction: UInt32
    var capturedLength: UInt32
    var originalLength: UInt32

    @inline(__always)
    init(_ fields: RecordFields) {
        seconds = fields.uint32(at: 0)
        fraction = fields.uint32(at: 4)
        capturedLength = fields.uint32(at: 8)
        originalLength = fields.uint32(at: 12)
    }
}

/// Reads a classic pcap file's records, one frame per record.
struct PcapDecoder {
    let header: PcapFileHeader
    let interfaces: [CaptureInterface]
    let maximumRecordLength: Int

    /// Reads the file header at the cursor (the start of the input).
    init(buffer: inout ReadBuffer, maximumRecordLength: Int) throws(CaptureError) {
        let offset = buffer.offset
        guard try buffer.request(PcapFileHeader.length) else {
            throw buffer.error(.truncatedHeader(needed: PcapFileHeader.length, available: buffer.available), at: offset)
        }
        guard let header = PcapFileHeader(ByteView(buffer.unread)) else {
            let magic = ByteView(buffer.unread).uint32(at: 0) ?? 0
            throw buffer.error(.notACapture(magic: magic), at: offset)
        }
        guard header.majorVersion == 2 else {
            throw buffer.error(.unsupportedVersion(major: header.majorVersion, minor: header.minorVersion), at: offset)
        }
        buffer.consume(PcapFileHeader.length)
        self.header = header
        self.interfaces = [CaptureInterface(linkType: header.linkType, snapLength: header.snapLength, fcsLength: header.fcsLength)]
        self.maximumRecordLength = maximumRecordLength
    }

    /// The next record's frame, numbered `number`; nil at a clean end of input.
    /// (`mutating` though it changes nothing: the reader then calls it in
    /// place, without copying the decoder per frame.)
    @inline(__always)
    mutating func next(number: Int, buffer: inout ReadBuffer, log: inout WarningLog) throws(CaptureError) -> CapturedFrame? {
        let offset = buffer.offset
        let headerLength = header.recordHeaderLength
        guard try buffer.request(headerLength) else {
            if buffer.available == 0 { return nil }
            throw buffer.error(.recordPastEnd(claimed: Int64(headerLength), available: Int64(buffer.available)), at: offset)
        }
        let record = PcapRecordHeader(RecordFields(buffer.unread, length: headerLength, order: header.order))
        let captured = record.capturedLength
        guard Int(captured) <= maximumRecordLength &- headerLength else {
            throw buffer.error(.implausibleLength(claimed: UInt64(captured), limit: maximumRecordLength), at: offset)
        }
        let length = headerLength &+ Int(captured)
        guard try buffer.request(length) else {
            throw buffer.error(.recordPastEnd(claimed: Int64(length), available: buffer.bytesRead(since: offset)), at: offset)
        }

        var original = record.originalLength
        if original < captured {
            log.add(.capturedLongerThanOriginal(captured: captured, original: original), at: offset, frame: number)
            original = captured
        }
        if captured > header.snapLength && header.snapLength != 0 {
            log.add(.capturedLongerThanSnapLength(captured: captured, snapLength: header.snapLength), at: offset, frame: number)
        }
        let (carry, nanoseconds) = header.resolution.split(UInt64(record.fraction))
        let timestamp = CaptureTimestamp(
            seconds: Int64(record.seconds) &+ Int64(truncatingIfNeeded: carry),
            nanoseconds: nanoseconds,
            fractionDigits: header.resolution.fractionDigits
        )
        let data = RecordFields(buffer.unread, length: length, order: header.order)
            .view(at: headerLength, length: Int(captured), wireCount: Int(original))
        buffer.consume(length)
        return CapturedFrame(
            number: number,
            timestamp: timestamp,
            interfaceIndex: 0,
            linkType: header.linkType,
            bytes: data,
            fileOffset: offset
        )
    }
}
