import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sosdump live` without the privileges capture needs: a message that
/// says what to do and exit status 2, never a crash; and the remedy the
/// message gives (setcap) works. Privileges are dropped with setpriv(1),
/// so the test itself needs root; CI is root (see `Privileges`).
@Suite(.serialized, .enabled(if: Privileges.mayRunLabTests, "\(Privileges.notRoot)"))
struct PrivilegeTests {
    static let message = """
        sosdump: cannot capture on lo: this user may not capture packets (socket: Operation not permitted).
        Live capture needs the CAP_NET_RAW and CAP_NET_ADMIN capabilities. Either run it as root (sudo sosdump live …), \
        or give the binary those two capabilities once:
            sudo setcap cap_net_raw,cap_net_admin=eip $(command -v sosdump)
        (reading a capture file needs no privileges: capture with tcpdump or Wireshark and run sosdump transfers FILE)

        """

    /// A copy of `sosdump` in a directory anyone may enter (the build
    /// directory may sit under a home only root can read).
    static func publicCopy() throws -> (directory: String, binary: String) {
        let directory = "/tmp/sosdump-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        let binary = directory + "/sosdump"
        // Copied by cp(1), not in this process: a descriptor open for
        // writing here could be inherited by a program another test spawns
        // meanwhile, and exec would then fail with "Text file busy".
        let cp = try Processes.run("/bin/cp", [Repository.binaries.appendingPathComponent("sosdump").path, binary])
        try #require(cp.status == 0, "cp: \(cp.error)")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binary)
        return (directory, binary)
    }

    static func setpriv() throws -> String {
        try #require(Processes.which("setpriv"), "setpriv (util-linux) is missing")
    }

    /// As user nobody with no capabilities, and as root with every
    /// capability dropped: the same message, status 2, nothing on stdout.
    @Test(arguments: [
        ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"],
        ["--inh-caps=-all", "--bounding-set=-all"],
    ])
    func withoutPrivilegesTheMessageSaysWhatToDo(drop: [String]) throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let copy = try Self.publicCopy()
        defer { try? FileManager.default.removeItem(atPath: copy.directory) }
        let result = try Processes.run(try Self.setpriv(), drop + [copy.binary, "live", "-i", "lo", "-c", "1"])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(result.error == Self.message)
        for word in ["Fatal error", "backtrace", "Stack dump", "Thread 0"] {
            #expect(!result.error.contains(word))
        }
        // Without privileges an unknown interface is still named as such.
        let unknown = try Processes.run(try Self.setpriv(), drop + [copy.binary, "live", "-i", "lvnosuch0", "-c", "1"])
        #expect(unknown.status == 2)
        #expect(unknown.error.hasPrefix("sosdump: no interface named \"lvnosuch0\"; these exist:\n    "))
        #expect(unknown.error.contains("\n    lo [Up, Running, Loopback]\n"))
    }

    /// The remedy the message gives: with CAP_NET_RAW and CAP_NET_ADMIN on
    /// the file, user nobody captures (in a namespace of its own, on lo).
    @Test(.timeLimit(.minutes(1)))
    func setcapIsEnough() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let setcap = try #require(Processes.which("setcap"), "setcap is missing: scripts/install-deps installs libcap2-bin")
        let ip = try #require(Processes.which("ip"), "ip (iproute2) is missing: scripts/install-deps installs it")
        let copy = try Self.publicCopy()
        defer { try? FileManager.default.removeItem(atPath: copy.directory) }
        let granted = try Processes.run(setcap, ["cap_net_raw,cap_net_admin=eip", copy.binary])
        try #require(granted.status == 0, "setcap: \(granted.error)")

        let namespace = "sos-lv-\(getpid())-cap"
        try Processes.run(ip, ["netns", "add", namespace])
        defer { _ = try? Processes.run(ip, ["netns", "del", namespace]) }
        try Processes.run(ip, ["-n", namespace, "link", "set", "lo", "up"])
        let live = try Processes.start(ip, ["netns", "exec", namespace, try Self.setpriv(), "--reuid=nobody", "--regid=nogroup",
                                            "--clear-groups", "--inh-caps=-all", copy.binary, "live", "-i", "lo", "-c", "2", "icmp"])
        try #require(live.waitForOutput(containing: "listening on lo", seconds: 10), "no capture as nobody: \(live.error)")
        try Processes.run(ip, ["netns", "exec", namespace, "ping", "-c", "2", "-i", "0.2", "127.0.0.1"])
        #expect(live.wait(seconds: 10))
        let result = live.result()
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("capture ended (-c reached)"))
    }
}
