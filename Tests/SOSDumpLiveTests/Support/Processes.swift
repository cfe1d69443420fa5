import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Running programs from the tests: the built `sosdump`, the lab scripts,
/// `ip`. Started with `posix_spawn` and an empty signal mask, every signal
/// at its default: Foundation's `Process` hands the test runner's blocked
/// signals down, and a child that cannot get SIGINT or SIGTERM (a script
/// stopping its background programs, sosdump at Ctrl-C) waits forever.
enum Processes {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs `executable` to its end; standard output and error go to
    /// files (so that neither can fill a pipe) and are returned.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let running = try start(executable, arguments, environment: environment)
        running.waitUntilExit()
        return running.result()
    }

    /// A program started in the background, its output going to files.
    final class Running {
        let pid: pid_t
        let outputPath: String
        let errorPath: String
        private(set) var status: Int32?

        init(pid: pid_t, outputPath: String, errorPath: String) {
            self.pid = pid
            self.outputPath = outputPath
            self.errorPath = errorPath
        }

        var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
        var error: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

        var isRunning: Bool {
            if status != nil { return false }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid { status = Self.exitStatus(raw) }
            return status == nil && result == 0
        }

        func waitUntilExit() {
            guard status == nil else { return }
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
            status = Self.exitStatus(raw)
        }

        /// The exit status, or 128 + the signal that ended it (as a shell says).
        private static func exitStatus(_ raw: Int32) -> Int32 {
            let signal = raw & 0x7F
            return signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
        }

        /// Waits up to `seconds` until standard output contains `text`.
        func waitForOutput(containing text: String, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if output.contains(text) { return true }
                if !isRunning { return output.contains(text) }
                usleep(50_000)
            }
            return false
        }

        /// Waits up to `seconds` for the program to end; kills it after that.
        func wait(seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while isRunning, Date() < deadline { usleep(50_000) }
            if isRunning {
                kill(pid, SIGKILL)
                waitUntilExit()
                return false
            }
            return true
        }

        func result() -> Result {
            waitUntilExit()
            let result = Result(status: status ?? -1, output: output, error: error)
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
            return result
        }
    }

    static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        let base = "/tmp/sosdump-test-\(UUID().uuidString)"
        let outputPath = base + ".out", errorPath = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { "\($0)=\($1)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw SpawnFailed(executable: executable, code: status) }
        return Running(pid: pid, outputPath: outputPath, errorPath: errorPath)
    }

    struct SpawnFailed: Error, CustomStringConvertible {
        var executable: String
        var code: Int32
        var description: String { "cannot run \(executable): \(String(cString: strerror(code)))" }
    }

    /// Where `name` is on PATH (or in /usr/sbin, /sbin).
    static func which(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Whether the tests that need root may run: as root, yes; not as root,
/// they are skipped on a developer's machine but fail in CI (`CI` set),
/// which runs as root, so that a broken CI can never pass by skipping them.
enum Privileges {
    static var isRoot: Bool { getuid() == 0 }
    static var inCI: Bool { !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty }
    static var mayRunLabTests: Bool { isRoot || inCI }
    static let notRoot = "needs root (network namespaces, packet capture): CI runs the tests as root; run `sudo swift test` to run it here"
}
