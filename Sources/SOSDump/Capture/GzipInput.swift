import CSystemZlib

/// A gzip-compressed input read as the bytes it holds, streamed through
/// Debian's zlib: `dump.pcapng.gz` reads as Wireshark and tshark read it,
/// without unpacking it first. Concatenated gzip members (what `cat a.gz
/// b.gz` makes) read as one stream. Memory is two fixed buffers whatever
/// the sizes.
public final class GzipInput: ByteInput {
    /// The first two bytes of every gzip member (RFC 1952 §2.3.1).
    public static let magic: [UInt8] = [0x1F, 0x8B]
    static let chunk = 1 << 16

    private var source: any ByteInput
    private let name: String
    private var stream = z_stream()
    private let compressed: UnsafeMutableRawBufferPointer
    private var sourceEnded = false
    private var finished = false
    /// Compressed bytes handed to zlib so far (for error messages).
    private var consumed: Int64 = 0
    /// Members whose trailer check failed (at most a few kept).
    public private(set) var warnings: [CaptureWarning] = []
    /// Damage met while bytes inflated before it were still to hand out.
    private var pendingError: CaptureError?

    /// Inflates `source`, whose first bytes, already read, are `prefix`.
    public init(source: any ByteInput, name: String, prefix: [UInt8] = []) throws(CaptureError) {
        self.source = source
        self.name = name
        compressed = .allocate(byteCount: max(Self.chunk, prefix.count), alignment: 16)
        prefix.withUnsafeBytes { compressed.copyMemory(from: $0) }
        // windowBits 15 + 16: a gzip wrapper is required (not raw, not zlib).
        let status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            compressed.deallocate()
            throw CaptureError(file: name, offset: nil, kind: .readFailed("cannot start zlib (\(status))"))
        }
        stream.next_in = compressed.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = UInt32(prefix.count)
    }

    deinit {
        inflateEnd(&stream)
        compressed.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if let error = pendingError {
            // The bytes inflated before the damage went out first.
            pendingError = nil
            finished = true
            throw error
        }
        while !finished {
            if stream.avail_in == 0, !sourceEnded { try refill() }
            let room = UInt32(min(buffer.count, Int(UInt32.max)))
            stream.next_out = out.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = room
            let before = stream.avail_in
            let status = inflate(&stream, Z_NO_FLUSH)
            consumed += Int64(before - stream.avail_in)
            let produced = Int(room - stream.avail_out)
            let message = stream.msg.map { String(cString: $0) }
            var memberEnded = status == Z_STREAM_END
            if status == Z_DATA_ERROR, message == "incorrect data check" || message == "incorrect length check" {
                // The trailer (CRC-32, then the length) is read after every
                // byte of the member was inflated: keep them, as zcat does,
                // and say so. zlib stops at a bad CRC-32 before the length.
                if warnings.count < 8 {
                    // Where the trailer starts: zlib has read its CRC-32, and for a bad length the length too.
                    let trailer = consumed - (message == "incorrect data check" ? 4 : 8)
                    warnings.append(CaptureWarning(file: name, offset: trailer, frame: nil, kind: .gzipCheckFailed(message ?? "")))
                }
                if message == "incorrect data check" { try skipInput(4) }
                memberEnded = true
            }
            switch status {
            case _ where memberEnded:
                // Another member may follow; only the end of the input ends it.
                if stream.avail_in == 0, !sourceEnded { try refill() }
                if stream.avail_in == 0 { finished = true } else { inflateReset(&stream) }
            case Z_OK, Z_BUF_ERROR:
                if produced == 0, stream.avail_in == 0, sourceEnded {
                    pendingError = damage("the gzip data ends before its end marker (the .gz file is cut short)")
                }
            default:
                pendingError = damage("the gzip data is corrupt (\(message ?? "zlib error \(status)"))")
            }
            if produced > 0 { return produced }
            if let error = pendingError {
                pendingError = nil
                finished = true
                throw error
            }
        }
        return 0
    }

    /// The next compressed bytes from the source.
    private func refill() throws(CaptureError) {
        let n = try source.read(into: compressed)
        if n == 0 { sourceEnded = true }
        stream.next_in = compressed.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = UInt32(n)
    }

    /// Passes over `count` compressed bytes (fewer when the input ends).
    private func skipInput(_ count: Int) throws(CaptureError) {
        var left = count
        while left > 0 {
            if stream.avail_in == 0 {
                guard !sourceEnded else { return }
                try refill()
                continue
            }
            let n = min(left, Int(stream.avail_in))
            stream.next_in += n
            stream.avail_in -= UInt32(n)
            consumed += Int64(n)
            left -= n
        }
    }

    private func damage(_ what: String) -> CaptureError {
        CaptureError(file: name, offset: nil, kind: .readFailed("\(what) at compressed byte \(consumed)"))
    }
}

/// An input whose first bytes were read already (to look at its magic):
/// hands them out first, then reads on.
final class PrefixedInput: ByteInput {
    private var prefix: [UInt8]
    private var source: any ByteInput

    init(prefix: [UInt8], source: any ByteInput) {
        self.prefix = prefix
        self.source = source
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int {
        guard !prefix.isEmpty else { return try source.read(into: buffer) }
        let n = min(prefix.count, buffer.count)
        prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
        prefix.removeFirst(n)
        return n
    }

    /// The file with the bytes held in front, when the source is a file.
    func mapRest() -> MappedFile? {
        guard let file = source as? FileInput, let mapped = file.mapRest(replaying: prefix.count) else { return nil }
        prefix = []
        return mapped
    }
}

extension GzipInput {
    /// `input` as it should be read: inflated when it starts with the gzip
    /// magic, as it is otherwise. Reads its first two bytes to tell.
    public static func unwrapping(_ input: any ByteInput, name: String) throws(CaptureError) -> any ByteInput {
        let head = UnsafeMutableRawBufferPointer.allocate(byteCount: magic.count, alignment: 1)
        defer { head.deallocate() }
        var have = 0
        var source = input
        while have < head.count {
            let n: Int
            do {
                n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: head[have...]))
            } catch {
                var located = error
                located.offset = located.offset ?? Int64(have)
                throw located
            }
            if n == 0 { break }
            have += n
        }
        let prefix = Array(head[..<have])
        if prefix == magic { return try GzipInput(source: source, name: name, prefix: prefix) }
        return PrefixedInput(prefix: prefix, source: source)
    }
}
