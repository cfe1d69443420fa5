import Foundation

/// Runs the `sosdump` executable built beside the test bundle.
enum CommandRunner {
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The `sosdump` in the build directory this test bundle was built into.
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("sosdump")
    }

    /// Runs sosdump; with `fileSizeLimitKiB`, under bash's `ulimit -f`
    /// (a file may not grow past it: the write fails as on a full disk).
    static func sosdump(_ arguments: [String], fileSizeLimitKiB: Int? = nil) throws -> Result {
        if let limit = fileSizeLimitKiB {
            return try run("/bin/bash", ["-c", "ulimit -f \(limit) && exec \"$0\" \"$@\"", executable.path] + arguments)
        }
        return try run(executable.path, arguments)
    }

    /// Runs any program (a shell to pipe into sosdump, say) the same way.
    static func run(_ program: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        // Standard error goes to a file, so neither stream can fill a pipe
        // and block the child while the other is read.
        let errPath = "/tmp/sosdump-test-\(UUID().uuidString).err"
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
                      standardError: String(decoding: errData, as: UTF8.self))
    }

    /// Runs another program (tcpdump, tshark): its status and standard
    /// output, its standard error let go.
    static func program(_ path: String, _ arguments: [String]) throws -> (status: Int32, standardOutput: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// A new empty directory under /tmp.
    static func temporaryDirectory() throws -> String {
        let path = "/tmp/sosdump-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }
}
