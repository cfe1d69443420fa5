import CSystemZlib

/// Inflates a zlib sector as the loader's `uncompress` does (docs/sos-protocol.md
/// §C4): `inflateInit2(15)`, so a zlib header and an Adler-32 trailer are
/// required; one `inflate(Z_FINISH)` into 64 KiB; only `Z_STREAM_END` is
/// success, so a stream cut short or longer than 64 KiB fails; bytes after
/// the end of the stream are ignored.
///
/// One inflater serves every sector of an image: the stream and its 64 KiB
/// output are allocated once and reset per sector.
final class SectorInflater {
    /// Why a sector did not inflate. The loader prints none of this (only
    /// `Sector %d digest error`); sosdump says it.
    enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// zlib's own message: `incorrect header check`, `incorrect data
        /// check` (the Adler-32), `invalid distance too far back`, …
        case zlib(String)
        /// The stream needs more than the 65,536 bytes the loader gives it.
        case tooLong
        /// The input ends before the stream does.
        case endsEarly
        /// A stream with a preset dictionary, which the loader never supplies.
        case needsDictionary
        /// zlib could not start (no memory).
        case unavailable(Int32)

        var description: String {
            switch self {
            case .zlib(let message): "zlib: \(message)"
            case .tooLong: "it inflates to more than 65536 bytes, the loader's limit"
            case .endsEarly: "the zlib stream ends early: the data is cut off"
            case .needsDictionary: "the zlib stream needs a preset dictionary"
            case .unavailable(let code): "zlib could not start (code \(code))"
            }
        }
    }

    private var stream = z_stream()
    private let output: UnsafeMutableRawBufferPointer
    private var initialised = false

    init() {
        output = .allocate(byteCount: FirmwareImageLayout.sectorSize, alignment: 16)
    }

    deinit {
        if initialised { inflateEnd(&stream) }
        output.deallocate()
    }

    /// Inflates `input` and runs `body` over the output (valid only inside
    /// `body`).
    func inflate<R>(_ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> Result<R, Failure> {
        if initialised {
            inflateReset(&stream)
        } else {
            let status = sosdump_inflate_init_zlib(&stream)
            guard status == Z_OK else { return .failure(.unavailable(status)) }
            initialised = true
        }
        guard let outBase = output.baseAddress else { return .failure(.unavailable(Z_MEM_ERROR)) }
        // zlib takes a mutable pointer but never writes through next_in.
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(clamping: input.count)
        stream.next_out = outBase.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(output.count)
        let status = CSystemZlib.inflate(&stream, Z_FINISH)
        switch status {
        case Z_STREAM_END:
            let produced = output.count - Int(stream.avail_out)
            return .success(body(UnsafeRawBufferPointer(rebasing: output[0..<produced])))
        case Z_NEED_DICT:
            return .failure(.needsDictionary)
        case Z_BUF_ERROR, Z_OK:
            if stream.avail_out != 0 { return .failure(.endsEarly) }
            if stream.avail_in != 0 { return .failure(.tooLong) }
            // Output full and input used up: more output pending means too long.
            var probe: UInt8 = 0
            let pending = withUnsafeMutablePointer(to: &probe) { p -> Bool in
                stream.next_out = p
                stream.avail_out = 1
                let status = CSystemZlib.inflate(&stream, Z_FINISH)
                return (status == Z_OK || status == Z_STREAM_END) && stream.avail_out == 0
            }
            return .failure(pending ? .tooLong : .endsEarly)
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
            return .failure(.zlib(message))
        }
    }
}
