/// One frame as a capture file (or a live capture) delivered it, before any
/// decoding.
///
/// `bytes` is borrowed from the reader's buffer: it is valid until the reader
/// is asked for the next frame. Frames are numbered from 1 across the whole
/// file, as Wireshark numbers them.
public struct CapturedFrame {
    /// 1-based, across every section and interface of the file.
    public var number: Int
    public var timestamp: CaptureTimestamp
    /// Index into the reader's `interfaces` (always 0 for classic pcap).
    public var interfaceIndex: Int
    public var linkType: LinkType
    /// What was captured; `bytes.wireCount` is the frame's original length.
    public var bytes: ByteView
    /// Byte offset of the frame's record (pcap record header, pcapng block)
    /// in the input, for error messages that say where.
    public var fileOffset: Int64
    /// The pcapng block's options (comments), borrowed as `bytes` is; nil
    /// when the block has none (and always for classic pcap and live).
    public var options: PcapngFrameOptions?

    public init(number: Int, timestamp: CaptureTimestamp, interfaceIndex: Int, linkType: LinkType, bytes: ByteView, fileOffset: Int64) {
        self.number = number
        self.timestamp = timestamp
        self.interfaceIndex = interfaceIndex
        self.linkType = linkType
        self.bytes = bytes
        self.fileOffset = fileOffset
    }

    /// Bytes kept in the capture.
    public var capturedLength: Int { bytes.count }
    /// Bytes the frame had on the wire.
    public var originalLength: Int { bytes.wireCount }

    /// The comments the capture file holds on this frame (pcapng `opt_comment`).
    public var comments: [String] { options?.comments ?? [] }
}

/// An interface a capture was taken on: one for classic pcap, one per
/// Interface Description Block for pcapng.
public struct CaptureInterface: Hashable, Sendable {
    public var linkType: LinkType
    /// The largest number of bytes the capture kept of a frame (0: unknown).
    public var snapLength: UInt32
    /// `if_name` (pcapng), if the file gave one.
    public var name: String?
    /// `if_description` (pcapng), if the file gave one.
    public var description: String?
    /// Which pcapng section (0-based) the interface belongs to.
    public var section: Int
    /// Bytes of frame check sequence at the end of each frame, when the file
    /// says (pcap's link type field, pcapng's `if_fcslen`); nil if unknown.
    public var fcsLength: Int?

    public init(linkType: LinkType, snapLength: UInt32, name: String? = nil, description: String? = nil, section: Int = 0, fcsLength: Int? = nil) {
        self.linkType = linkType
        self.snapLength = snapLength
        self.name = name
        self.description = description
        self.section = section
        self.fcsLength = fcsLength
    }
}

/// The formats sosdump reads, recognised by their magic numbers.
public enum CaptureFormat: String, Sendable, Codable {
    case pcap
    case pcapng
}
