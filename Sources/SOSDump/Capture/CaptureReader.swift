/// Reads a capture file, classic pcap or pcapng (recognised by its magic
/// number, never by its name), front to back, one frame at a time.
///
///     let reader = try CaptureReader(path: "recovery.pcapng")
///     while let frame = try reader.next() {
///         // frame.bytes is valid until the next call to next()
///     }
///
/// Reading streams through one reusable buffer, so memory stays the same
/// whatever the file's size: a frame's `bytes` point into that buffer and
/// are valid only until the next call to `next()` (copy what must outlive
/// it). The buffer starts at `initialBufferCapacity` and grows, only for a
/// longer record, up to `maximumRecordLength`; a record or block claiming
/// more is an error, whatever its header says.
///
/// Damage stops the reading with a `CaptureError` that names the file and
/// the byte offset of the record at fault, after every frame before it was
/// delivered; after that, and after the end of the input, `next()` returns
/// nil. Oddities that leave a frame usable become `warnings`.
///
/// Own reader rather than libpcap: libpcap cannot read a pcapng file whose
/// interfaces have different link types.
public final class CaptureReader {
    /// The longest record (pcap record header and captured bytes) or block
    /// (pcapng) the reader accepts: 16 MiB, as Wireshark's limit on a block.
    /// It bounds the buffer.
    public static let maximumRecordLength = 16 << 20
    /// The buffer's size until a longer record needs more.
    public static let initialBufferCapacity = 1 << 20
    /// Warnings kept; further ones are only counted (`suppressedWarnings`).
    public static let maximumWarnings = 100
    /// Interface descriptions one pcapng section may hold (its interface
    /// IDs are its own); a section with more is refused rather than let
    /// grow memory without bound.
    public static let maximumInterfaces = 1024
    /// Interface descriptions kept across all of a file's sections (files
    /// joined with `cat` have a section each): the bound on their memory.
    public static let maximumInterfacesInAllSections = 16 * 1024

    /// The path (`standard input` for `-`), or the name the reader was given.
    public let name: String
    public let format: CaptureFormat
    /// The input, for its own warnings (a gzip trailer's).
    private let input: any ByteInput
    @exclusivity(unchecked) private var core: Core

    /// Whether `bytes` begin as a capture file does: pcap's or pcapng's
    /// magic number, or gzip's (a compressed capture). For a command that
    /// was handed a capture where it expected something else.
    public static func looksLikeCapture(_ bytes: some Collection<UInt8>) -> Bool {
        let head = Array(bytes.prefix(4))
        guard head.count == 4 else { return false }
        if head[0] == 0x1F && head[1] == 0x8B { return true }
        let magic = UInt32(head[0]) << 24 | UInt32(head[1]) << 16 | UInt32(head[2]) << 8 | UInt32(head[3])
        return magic == PcapngBlockType.sectionHeader.rawValue || PcapMagic.recognize(magic) != nil
    }

    /// Opens and reads the file at `path`; `-` reads standard input. A
    /// gzip-compressed capture (`.pcap.gz`, whatever its name) is inflated
    /// as it is read.
    public convenience init(path: String) throws(CaptureError) {
        let file = try FileInput(path: path)
        let input = try GzipInput.unwrapping(file, name: file.name)
        try self.init(input: input, name: file.name, bufferCapacity: Self.initialBufferCapacity)
    }

    /// Reads `input`, naming it `name` in errors and warnings.
    public convenience init(input: some ByteInput, name: String) throws(CaptureError) {
        try self.init(input: input, name: name, bufferCapacity: Self.initialBufferCapacity)
    }

    /// As `init(input:name:)`, with the buffer's first size (tests make it
    /// small to exercise refills and growth).
    init(input: any ByteInput, name: String, bufferCapacity: Int) throws(CaptureError) {
        var buffer = ReadBuffer(input: input, name: name, capacity: bufferCapacity, maximumCapacity: Self.maximumRecordLength)
        var log = WarningLog(file: name, limit: Self.maximumWarnings)
        guard try buffer.request(4) else {
            throw buffer.error(.truncatedHeader(needed: 4, available: buffer.available), at: 0)
        }
        let magic = ByteView(buffer.unread).uint32(at: 0) ?? 0
        let format: CaptureFormat
        var pcap: PcapDecoder?
        var pcapng: PcapngDecoder?
        if magic == PcapngBlockType.sectionHeader.rawValue {
            format = .pcapng
            buffer.format = format
            pcapng = try PcapngDecoder(
                buffer: &buffer, log: &log,
                maximumRecordLength: Self.maximumRecordLength, maximumInterfaces: Self.maximumInterfaces,
                maximumInterfacesInAllSections: Self.maximumInterfacesInAllSections
            )
        } else if PcapMagic.recognize(magic) != nil {
            format = .pcap
            buffer.format = format
            pcap = try PcapDecoder(buffer: &buffer, maximumRecordLength: Self.maximumRecordLength)
        } else {
            throw buffer.error(.notACapture(magic: magic), at: 0)
        }
        self.name = name
        self.format = format
        self.input = input
        self.core = Core(buffer: buffer, format: format, pcap: pcap, pcapng: pcapng, log: log)
    }

    /// The next frame, or nil at the end of the input (or after an error).
    /// Its `bytes` are valid until the next call.
    public func next() throws(CaptureError) -> CapturedFrame? {
        try core.next()
    }

    /// The interfaces described so far: classic pcap's one; for pcapng, those
    /// of every section up to the last block read (at least the first
    /// section's first, once the reader is open).
    public var interfaces: [CaptureInterface] {
        switch format {
        case .pcap: core.pcap?.interfaces ?? []
        case .pcapng: core.pcapng?.interfaces ?? []
        }
    }

    /// When the capture stopped, if the file says so (pcapng's Interface
    /// Statistics Blocks, read so far): it may be well after the last frame.
    public var recordedEnd: CaptureTimestamp? { core.pcapng?.recordedEnd }

    /// Bytes of the input read and accounted for: the offset of the next record.
    public var bytesConsumed: Int64 { core.buffer.offset }

    /// The capture file's own comments read so far (pcapng section headers'
    /// `opt_comment`; none for classic pcap).
    public var comments: [String] { core.pcapng?.sectionComments ?? [] }

    /// Frames delivered so far.
    public var framesRead: Int { core.framesRead }

    /// The first `maximumWarnings` warnings (the input's own, a gzip
    /// trailer's, first).
    public var warnings: [CaptureWarning] { input.warnings + core.log.warnings }

    /// Warnings past the first `maximumWarnings`, counted but not kept.
    public var suppressedWarnings: Int { core.log.suppressed }

    /// The buffer's current size, for tests of memory bounds.
    var bufferCapacity: Int { core.buffer.capacity }

    /// Whether the file is mapped rather than read (for tests).
    var isMapped: Bool { core.buffer.isMapped }

    /// Everything the per-frame path touches, in one value, so that a call
    /// to `next()` makes one access to the reader's state.
    private struct Core: ~Copyable {
        var buffer: ReadBuffer
        let format: CaptureFormat
        var pcap: PcapDecoder?
        var pcapng: PcapngDecoder?
        var log: WarningLog
        var framesRead = 0
        var finished = false

        init(buffer: consuming ReadBuffer, format: CaptureFormat, pcap: PcapDecoder?, pcapng: PcapngDecoder?, log: WarningLog) {
            self.buffer = buffer
            self.format = format
            self.pcap = pcap
            self.pcapng = pcapng
            self.log = log
        }

        @inline(__always)
        mutating func next() throws(CaptureError) -> CapturedFrame? {
            if finished { return nil }
            let number = framesRead &+ 1
            let frame: CapturedFrame?
            do {
                // Both decoders' `next` inline here, so a frame is built in
                // place (measured: a call and a copy cost a quarter of the
                // time per small frame). pcapng comes first: in the other
                // order the optimizer stopped inlining it.
                switch format {
                case .pcapng: frame = try pcapng?.next(number: number, buffer: &buffer, log: &log)
                case .pcap: frame = try pcap?.next(number: number, buffer: &buffer, log: &log)
                }
            } catch {
                finished = true
                throw error
            }
            if frame == nil {
                finished = true
            } else {
                framesRead = number
            }
            return frame
        }
    }
}
