#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A source of bytes read front to back: a file, standard input, a pipe, or
/// bytes in memory.
///
/// The capture reader asks for bytes in large chunks and never seeks, so
/// anything that can be read in order will do, a pipe included
/// (`tcpdump -w - | sosdump -r -`).
public protocol ByteInput {
    /// Reads at most `buffer.count` bytes into the start of `buffer` and
    /// returns how many it read: at least one while there are bytes left,
    /// 0 only at the end of the input. `buffer` is never empty.
    ///
    /// Errors name the input in `file` and leave `offset` nil; the reader
    /// fills in where in the input the read failed.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int

    /// Oddities of the input itself that did not stop it (a gzip member
    /// whose check failed), for the reader's `warnings`.
    var warnings: [CaptureWarning] { get }

    /// What `read(into:)` would deliver from now on, mapped: a regular
    /// file's rest, for the reader to read in place. `read(into:)` then
    /// goes on after the bytes mapped (a file that grew meanwhile). Nil
    /// when the input is not such a file: it is read.
    mutating func mapRest() -> MappedFile?
}

extension ByteInput {
    public var warnings: [CaptureWarning] { [] }
    public func mapRest() -> MappedFile? { nil }
}

/// A file read with POSIX `open`/`read`, or an already open descriptor
/// (standard input, a pipe).
public final class FileInput: ByteInput {
    /// What `-` reads, as `tcpdump -r -` does.
    public static let standardInputPath = "-"
    /// The name errors give standard input.
    public static let standardInputName = "standard input"

    /// The path, or `standardInputName`: what errors call this input.
    public let name: String
    public let fileDescriptor: Int32
    private let closesDescriptor: Bool

    /// Opens `path` for reading; `-` is standard input (fd 0, left open).
    public init(path: String) throws(CaptureError) {
        if path == Self.standardInputPath {
            self.name = Self.standardInputName
            self.fileDescriptor = 0
            self.closesDescriptor = false
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CaptureError(file: path, offset: nil, kind: .cannotOpen(systemErrorMessage(errno)))
        }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw CaptureError(file: path, offset: nil, kind: .cannotOpen("a folder, not a capture file"))
        }
        #if os(Linux)
        // A hint only: the kernel may read further ahead. Failure changes nothing.
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        self.name = path
        self.fileDescriptor = fd
        self.closesDescriptor = true
    }

    /// Reads an open descriptor; closes it when this input goes away only if
    /// `closeWhenDone`.
    public init(fileDescriptor: Int32, name: String, closeWhenDone: Bool = false) {
        self.name = name
        self.fileDescriptor = fileDescriptor
        self.closesDescriptor = closeWhenDone
    }

    deinit {
        if closesDescriptor { _ = close(fileDescriptor) }
    }

    public func mapRest() -> MappedFile? { mapRest(replaying: 0) }

    /// The file from `replaying` bytes before the descriptor's position
    /// (bytes an input in front of this one read ahead and holds) to its
    /// end; the descriptor then stands at the end of what was mapped.
    func mapRest(replaying: Int) -> MappedFile? {
        let position = lseek(fileDescriptor, 0, SEEK_CUR)
        guard position >= replaying, let mapped = MappedFile(descriptor: fileDescriptor, from: Int64(position) - Int64(replaying)) else { return nil }
        guard lseek(fileDescriptor, off_t(Int64(position) - Int64(replaying) + Int64(mapped.bytes.count)), SEEK_SET) >= 0 else { return nil }
        return mapped
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(CaptureError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = systemRead(fileDescriptor, base, buffer.count)
            if n >= 0 { return n }
            let code = errno
            if code == EINTR { continue }
            throw CaptureError(file: name, offset: nil, kind: .readFailed(systemErrorMessage(code)))
        }
    }
}

/// Bytes in memory, for tests: optionally handed out at most
/// `maximumReadLength` bytes at a time, to exercise the reader's refills.
public struct MemoryInput: ByteInput {
    public let bytes: [UInt8]
    /// The most one `read` hands out; nil for as much as fits.
    public let maximumReadLength: Int?
    /// How many bytes have been read so far.
    public private(set) var position = 0

    public init(_ bytes: [UInt8], maximumReadLength: Int? = nil) {
        precondition(maximumReadLength.map { $0 > 0 } ?? true, "maximumReadLength must be positive")
        self.bytes = bytes
        self.maximumReadLength = maximumReadLength
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = Swift.min(buffer.count, bytes.count - position, maximumReadLength ?? .max)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<(position + n)]))
        }
        position += n
        return n
    }
}

@inline(__always)
private func systemRead(_ fd: Int32, _ base: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, base, count)
    #else
    Darwin.read(fd, base, count)
    #endif
}

/// The system's text for an `errno` value ("No such file or directory").
func systemErrorMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}
