#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct SystemCallFailed: Error, CustomStringConvertible {
    var call: String
    var code: Int32
    var description: String { "\(call): \(String(cString: strerror(code)))" }
}

/// Writes `bytes` to a new file in the temporary directory; returns its path.
func temporaryFile(_ bytes: [UInt8]) throws -> String {
    var template = Array("/tmp/sosdump-test-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw SystemCallFailed(call: "mkstemp", code: errno) }
    defer { close(fd) }
    try writeAll(bytes, to: fd)
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A pipe: (read end, write end).
func makePipe() throws -> (Int32, Int32) {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw SystemCallFailed(call: "pipe", code: errno) }
    return (ends[0], ends[1])
}

func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
    try bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallFailed(call: "write", code: errno)
            }
            done += n
        }
    }
}

/// A thread writing bytes into a descriptor, then closing it.
struct WriterThread {
    private let thread: pthread_t

    fileprivate init(_ thread: pthread_t) { self.thread = thread }

    /// Waits for the writer to finish.
    func join() { pthread_join(thread, nil) }
}

private final class WriteJob {
    let bytes: [UInt8]
    let fd: Int32
    init(bytes: [UInt8], fd: Int32) {
        self.bytes = bytes
        self.fd = fd
    }
}

/// Starts a thread that writes `bytes` to `fd` and closes it. A reader that
/// stops early makes the writer fail with EPIPE, not kill the process.
func startWriting(_ bytes: [UInt8], to fd: Int32) -> WriterThread {
    signal(SIGPIPE, SIG_IGN)
    let job = Unmanaged.passRetained(WriteJob(bytes: bytes, fd: fd)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { context in
        guard let context else { return nil }
        let job = Unmanaged<WriteJob>.fromOpaque(context).takeRetainedValue()
        try? writeAll(job.bytes, to: job.fd)
        close(job.fd)
        return nil
    }, job)
    precondition(status == 0, "pthread_create failed")
    return WriterThread(thread)
}
