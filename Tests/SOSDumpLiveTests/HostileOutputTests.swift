import Foundation
import SOSDump
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sosdump live` when its output goes away: a reader that quits
/// (`| head -1`) and a disk that fills. Either way the run ends cleanly,
/// and the `-w` file reads as a capture to its last byte. Needs root
/// (namespaces, a tmpfs); CI is root.
@Suite(.serialized, .enabled(if: Privileges.mayRunLabTests, "\(Privileges.notRoot)"))
struct HostileOutputTests {
    static var sosdump: String { LiveLabTests.sosdump }

    /// A namespace with its loopback up, removed after `body`.
    static func inNamespace(_ tag: String, _ body: (_ ip: String, _ namespace: String) throws -> Void) throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let ip = try #require(Processes.which("ip"), "ip (iproute2) is missing: scripts/install-deps installs it")
        let namespace = "sos-ho-\(getpid())-\(tag)"
        try Processes.run(ip, ["netns", "add", namespace])
        defer { _ = try? Processes.run(ip, ["netns", "del", namespace]) }
        try Processes.run(ip, ["-n", namespace, "link", "set", "lo", "up"])
        try body(ip, namespace)
    }

    /// Every frame of the file at `path`, which must read to its end.
    static func readWhole(_ path: String) throws -> Int {
        let reader = try CaptureReader(path: path)
        var frames = 0
        while try reader.next() != nil { frames += 1 }
        #expect(reader.bytesConsumed == Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1))
        return frames
    }

    @Test(.timeLimit(.minutes(1)))
    func aReaderThatQuitsEndsTheRunWithItsSummaryAndAWholeFile() throws {
        try Self.inNamespace("pipe") { ip, namespace in
            let file = NSTemporaryDirectory() + "sosdump-head-\(getpid()).pcapng"
            defer { unlink(file) }
            // head prints the first line and quits; the next event line meets EPIPE.
            let pipeline = "set -o pipefail; \"$0\" live -i lo -w \(file) udp port 69 | head -1"
            let live = try Processes.start(ip, ["netns", "exec", namespace, "bash", "-c", pipeline, Self.sosdump])
            try #require(live.waitForOutput(containing: "listening on lo", seconds: 10), "sosdump live did not start: \(live.error)")
            // TFTP read requests (bash's /dev/udp): each is an event line.
            let requests = "for i in $(seq 1 20); do printf '\\0\\1f%s.bin\\0octet\\0' $i > /dev/udp/127.0.0.1/69; sleep 0.1; done"
            try Processes.run(ip, ["netns", "exec", namespace, "bash", "-c", requests])
            #expect(live.wait(seconds: 10), "sosdump live did not stop when its reader quit")
            let result = live.result()
            #expect(result.status == 0, "\(result.error)")
            #expect(result.output.split(separator: "\n").count == 1)
            #expect(result.error.contains("capture ended (SIGPIPE) after "), "\(result.error)")
            #expect(!result.error.contains("Fatal error"))
            let frames = try Self.readWhole(file)
            #expect(frames >= 1)
            #expect(result.error.contains("; \(frames) frames written"), "\(result.error)")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aFullDiskLeavesNoTornBlock() throws {
        try Self.inNamespace("full") { ip, namespace in
            let mount = try CommandRunnerFolder.make()
            defer { try? FileManager.default.removeItem(atPath: mount) }
            let mountProgram = try #require(Processes.which("mount"), "mount is missing: scripts/install-deps installs it")
            let umount = try #require(Processes.which("umount"))
            try #require(Processes.run(mountProgram, ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount]).status == 0)
            defer { _ = try? Processes.run(umount, [mount]) }
            let file = mount + "/out.pcapng"
            let live = try Processes.start(ip, ["netns", "exec", namespace, Self.sosdump, "live", "-i", "lo", "-w", file, "--duration", "8", "icmp"])
            try #require(live.waitForOutput(containing: "listening on lo", seconds: 10), "sosdump live did not start: \(live.error)")
            // 400 echoes of 1,400 bytes, and their replies: some 1.1 MB for a 64 KiB disk.
            try Processes.run(ip, ["netns", "exec", namespace, "ping", "-q", "-c", "400", "-i", "0.002", "-s", "1400", "127.0.0.1"])
            #expect(live.wait(seconds: 15))
            let result = live.result()
            #expect(result.status == 73, "\(result.error)")
            #expect(result.error.contains("No space left on device"), "\(result.error)")
            // Cut back to its last whole block: it reads as a capture to its end.
            _ = try Self.readWhole(file)
            let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? -1
            #expect(size > 0 && size % 4 == 0)
        }
    }
}

/// A new empty folder under /tmp.
enum CommandRunnerFolder {
    static func make() throws -> String {
        let path = "/tmp/sosdump-live-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
