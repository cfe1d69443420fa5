import Foundation
import SOSDump
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sosdump recover` against the simulated phone (scripts/recover-lab):
/// network namespaces, a veth pair, one failure per scenario. Each run's
/// verdict is the one `sosdump analyze` gives the `-w` file, and its
/// messages say what went wrong and what to do. Needs root; CI is root.
@Suite(.serialized, .enabled(if: Privileges.mayRunLabTests, "\(Privileges.notRoot)"))
struct RecoverLabTests {
    static var sosdump: String { Repository.binaries.appendingPathComponent("sosdump").path }
    static var sim: String { Repository.binaries.appendingPathComponent("sosdump-sim").path }

    struct Run {
        var out: String
        var status: Int32
        var output: String
        var error: String
        var phoneLog: String

        func file(_ name: String) throws -> String {
            try String(contentsOfFile: "\(out)/\(name)", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// The verdict of recover's closing report (its header: `FILE: CODE (meaning)`).
        var reportedVerdict: String? {
            let header = "\(out)/recover.pcapng: "
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(header) }) else { return nil }
            return line.dropFirst(header.count).split(separator: " ").first.map(String.init)
        }

        /// The order of the lines holding `a` and `b` (a first: true).
        func says(_ a: String, before b: String) -> Bool {
            guard let i = output.range(of: a), let j = output.range(of: b) else { return false }
            return i.lowerBound < j.lowerBound
        }
    }

    static func lab(_ scenario: String) throws -> Run {
        let out = "/tmp/sosdump-test-recover-\(scenario)-\(UUID().uuidString)"
        let script = Repository.root.appendingPathComponent("scripts/recover-lab").path
        let lab = try Processes.run(script, [scenario, out], environment: ["SOSDUMP_BIN": Repository.binaries.path])
        try #require(lab.status == 0, "scripts/recover-lab \(scenario) failed (\(lab.status)):\n\(lab.error)")
        func read(_ name: String) -> String { (try? String(contentsOfFile: "\(out)/\(name)", encoding: .utf8)) ?? "" }
        let status = Int32(read("recover.status").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        return Run(out: out, status: status, output: read("recover.out"), error: read("recover.err"), phoneLog: read("phone.log"))
    }

    /// `sosdump analyze --format json` on the `-w` file, with the
    /// thresholds recover was given (`options`): its verdict and the codes
    /// of the one phone's findings.
    static func offline(_ run: Run, _ options: [String] = []) throws -> (verdict: String, findings: [String]) {
        let analyzed = try Processes.run(sosdump, ["analyze", "--format", "json"] + options + ["\(run.out)/recover.pcapng"])
        try #require(analyzed.status == 0, "sosdump analyze: \(analyzed.error)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(analyzed.output.utf8)) as? [String: Any])
        let phones = try #require(report["phones"] as? [[String: Any]])
        try #require(phones.count == 1, "\(phones.count) phones in the -w file")
        let findings = (phones[0]["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        return (try #require(report["verdict"] as? String), findings)
    }

    static func cleanUp(_ run: Run) { try? FileManager.default.removeItem(atPath: run.out) }

    /// The image inside an .exe-shaped file, served to the phone, which
    /// checks it (its SHA-256 is the image's), writes it and boots normal
    /// firmware: RECOVERED, exit 0, and the `-w` file says the same.
    @Test(.timeLimit(.minutes(1)))
    func aWholeRecoveryFromARecoveryProgram() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let run = try Self.lab("recovered")
        defer { Self.cleanUp(run) }
        #expect(run.status == 0, "\(run.error)\n\(run.output)")
        let sha256 = try run.file("fw.sha256")
        #expect(run.output.contains("SHA-256 \(sha256), from \(run.out)/spa50x-30x-7-4-9c-recovery.exe at byte 70004; the loader's checks pass. Served as /spa50x-30x-7-4-9c.bin."))
        #expect(run.phoneLog.contains("Validate firmware successful (version 7.4.9c, 17649 bytes, sha256 \(sha256))"), "\(run.phoneLog)")
        #expect(run.output.contains("Found SPA504G in recovery: serial CBT99990001, MAC 00:02:fd:5a:00:01, IP 192.0.2.2, loader 7.4.4rec"))
        #expect(run.says("Found SPA504G", before: "upgrade order (recm): /spa50x-30x-7-4-9c.bin"))
        #expect(run.output.contains("TFTP: 17649 bytes sent to 192.0.2.2.2000 in 35 blocks"))
        #expect(run.output.contains("RECOVERED: The phone received /spa50x-30x-7-4-9c.bin (17649 bytes, version 7.4.9c"))
        #expect(run.reportedVerdict == "RECOVERED")
        #expect(try Self.offline(run).verdict == "RECOVERED")
        #expect(run.error.isEmpty, "\(run.error)")
    }

    /// Nothing answers the phone's ARP for its gateway: NO_GATEWAY, said as
    /// it happens with the offer of --answer-gateway; with it, RECOVERED.
    @Test(.timeLimit(.minutes(1)))
    func noGatewayAndAnsweringIt() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let run = try Self.lab("no-gateway")
        defer { Self.cleanUp(run) }
        #expect(run.status == 1)
        #expect(run.output.contains("NO_GATEWAY: the phone asks for its gateway 192.0.2.254 (frame "), "\(run.output)")
        #expect(run.output.contains("Next: run again with --answer-gateway (sosdump then answers ARP for 192.0.2.254 itself"))
        #expect(run.reportedVerdict == "NO_GATEWAY")
        #expect(try Self.offline(run, ["--stall", "3"]).verdict == "NO_GATEWAY")

        let answered = try Self.lab("answer-gateway")
        defer { Self.cleanUp(answered) }
        #expect(answered.status == 0, "\(answered.output)")
        #expect(answered.output.contains("The phone asks for its gateway 192.0.2.254 (frame "))
        #expect(answered.output.contains("answered with this PC's MAC address (--answer-gateway)"))
        #expect(answered.phoneLog.contains("ARP: 192.0.2.254 is at 02:00:00:00:01:01"))
        #expect(answered.reportedVerdict == "RECOVERED")
        #expect(try Self.offline(answered).verdict == "RECOVERED")
    }

    /// recover starts while the phone tries its Recovery URL: PHONE_BUSY and
    /// the advice to wait, then the phone listens again and is recovered.
    @Test(.timeLimit(.minutes(1)))
    func aBusyPhoneIsWaitedFor() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let run = try Self.lab("phone-busy")
        defer { Self.cleanUp(run) }
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("PHONE_BUSY: "), "\(run.output)")
        #expect(run.output.contains("Next: Wait until the phone stops trying its Recovery/Last Upgrade URL"))
        #expect(run.says("PHONE_BUSY", before: "Found SPA504G"))
        #expect(run.reportedVerdict == "RECOVERED")
        #expect(try Self.offline(run).verdict == "RECOVERED")
    }

    /// nftables on the PC drops what comes to 234.4.8.10: libpcap sees the
    /// replies, the socket does not: UTILITY_DEAF, naming the firewall.
    @Test(.timeLimit(.minutes(1)))
    func multicastDroppedByTheFirewall() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let run = try Self.lab("multicast-dropped")
        defer { Self.cleanUp(run) }
        #expect(run.status == 1)
        #expect(run.output.contains("UTILITY_DEAF: the phone answers (frames "), "\(run.output)")
        #expect(run.output.contains("seen on the wire by libpcap) but its replies to 234.4.8.10 port 4811 never reach sosdump's socket: a firewall rule on this PC drops them"))
        #expect(run.output.contains("Recovery failed: cannot find the specified device"))
        #expect(!run.output.contains("upgrade order (recm)"))
        #expect(run.reportedVerdict == "UTILITY_DEAF")
        #expect(try Self.offline(run, ["--no-reply", "3"]).verdict == "UTILITY_DEAF")
    }

    /// socat holds UDP port 69: exit 2, naming it; nothing sent, no file.
    @Test(.timeLimit(.minutes(1)))
    func port69Taken() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let run = try Self.lab("port-taken")
        defer { Self.cleanUp(run) }
        #expect(run.status == 2)
        #expect(run.error.hasPrefix("sosdump: UDP port 69 is in use by socat (pid "), "\(run.error)")
        #expect(run.error.contains("Stop that program for the recovery"))
        #expect(!FileManager.default.fileExists(atPath: "\(run.out)/recover.pcapng"))
    }

    /// The phone takes a good image, writes it and is back in recovery:
    /// REVERTED_TO_RECOVERY (flash suspect). With a 7.6.2 image for its
    /// 7.4.4rec loader the pairing rule is said before the order, and the
    /// verdict is LOADER_FIRMWARE_MISMATCH: the pairing first, then the flash.
    @Test(.timeLimit(.minutes(1)))
    func backInRecoveryPairingThenFlash() throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let run = try Self.lab("reverted")
        defer { Self.cleanUp(run) }
        #expect(run.status == 1)
        #expect(run.output.contains("The phone answers the requests again: it is in recovery again"), "\(run.output)")
        #expect(run.output.contains("REVERTED_TO_RECOVERY: The phone received /fw.bin"))
        #expect(run.output.contains("Next: The phone's flash is suspect"))
        #expect(!run.output.contains("LOADER_FIRMWARE_MISMATCH"))
        #expect(run.reportedVerdict == "REVERTED_TO_RECOVERY")
        #expect(try Self.offline(run, ["--reset-window", "2"]).verdict == "REVERTED_TO_RECOVERY")

        let pairing = try Self.lab("pairing")
        defer { Self.cleanUp(pairing) }
        #expect(pairing.status == 1)
        #expect(pairing.output.contains("Warning (LOADER_FIRMWARE_MISMATCH): The phone's loader reports 7.4.4rec (7.5.2b or older) and the image is 7.6.2"))
        #expect(pairing.says("Warning (LOADER_FIRMWARE_MISMATCH)", before: "upgrade order (recm)"))
        #expect(pairing.output.contains("LOADER_FIRMWARE_MISMATCH: The phone received /fw.bin"), "\(pairing.output)")
        #expect(pairing.output.contains("The likelier cause is the utility's release"))
        #expect(pairing.says("Next: Run the recovery again with the recovery utility release that pairs with the phone's loader",
                             before: "If the phone comes back in recovery with that one too, its flash is suspect"))
        #expect(pairing.reportedVerdict == "LOADER_FIRMWARE_MISMATCH")
        #expect(try Self.offline(pairing, ["--reset-window", "2"]).verdict == "LOADER_FIRMWARE_MISMATCH")
    }
}

/// What `recover` refuses before it touches the network: a damaged image,
/// a file without one, and a run without the privileges it needs.
@Suite struct RecoverRefusalTests {
    static func image(_ arguments: [String]) throws -> (path: String, folder: String) {
        let folder = "/tmp/sosdump-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        let path = folder + "/fw.bin"
        let made = try Processes.run(RecoverLabTests.sim, ["image", "--out", path] + arguments)
        try #require(made.status == 0, "sosdump-sim image: \(made.error)")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        return (path, folder)
    }

    @Test func aDamagedImageIsRefusedNamingTheCheckBeforeAnythingIsSent() throws {
        let (path, folder) = try Self.image(["--damage", "sector-data"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Processes.run(RecoverLabTests.sosdump, ["recover", "-i", "lo", "--image", path, "--yes"])
        #expect(result.status == 3)
        #expect(result.output.isEmpty)
        #expect(result.error.contains("\(path): refused: the phone's loader would reject this image (version 7.4.9c): sector #3 (id 34) digest check failed (the phone would print \"Sector 34 digest error\")"), "\(result.error)")
        #expect(result.error.contains("Nothing was sent. Next: Use a good image"))
    }

    @Test func aFileWithoutAnImageIsRefused() throws {
        let folder = "/tmp/sosdump-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/tool-recovery.exe"
        try Data(("MZ" + String(repeating: "x", count: 5000)).utf8).write(to: URL(fileURLWithPath: path))
        let result = try Processes.run(RecoverLabTests.sosdump, ["recover", "-i", "lo", "--bundle", path])
        #expect(result.status == 4)
        #expect(result.error.contains("\(path): no firmware image found: no firmware header (SkOsMo5 fIrMwArE) in its 5002 bytes."), "\(result.error)")
    }

    /// As nobody, and as root with every capability dropped: the message
    /// names what is missing and the remedy, exit 2, nothing sent.
    @Test(.enabled(if: Privileges.mayRunLabTests, "\(Privileges.notRoot)"),
          arguments: [
              ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"],
              ["--inh-caps=-all", "--bounding-set=-all"],
          ])
    func withoutPrivilegesItSaysWhatItNeeds(drop: [String]) throws {
        try #require(Privileges.isRoot, "\(Privileges.notRoot)")
        let copy = try PrivilegeTests.publicCopy()
        defer { try? FileManager.default.removeItem(atPath: copy.directory) }
        let (path, folder) = try Self.image([])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Processes.run(try PrivilegeTests.setpriv(), drop + [copy.binary, "recover", "-i", "lo", "--image", path, "--yes"])
        #expect(result.status == 2)
        #expect(result.error == """
            sosdump: sosdump recover needs privileges it does not have: CAP_NET_BIND_SERVICE and CAP_NET_RAW.
            It captures on the interface (CAP_NET_RAW) and serves TFTP on UDP port 69 (CAP_NET_BIND_SERVICE). \
            Either run it as root (sudo sosdump recover …), or give the binary those two capabilities once:
                sudo setcap cap_net_raw,cap_net_bind_service=eip $(command -v sosdump)

            """, "\(result.error)")
        #expect(!result.output.contains("Asking for phones"))
    }
}
