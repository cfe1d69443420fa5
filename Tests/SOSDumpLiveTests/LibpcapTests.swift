import CPcap
import Foundation
import SOSDump
import Testing
@testable import SOSDumpLive

/// The libpcap wrapper, without privileges: filters compiled against a
/// link type (no device), the default filter run over real captures, the
/// interface list and the errors' messages.
@Suite struct LibpcapTests {
    @Test func aFilterThatDoesNotCompileSaysWhy() throws {
        let error = try #require(CaptureFilter.check("udp and", linkType: .ethernet))
        guard case .badFilter(let expression, let detail) = error else {
            Issue.record("expected badFilter, got \(error)")
            return
        }
        #expect(expression == "udp and")
        #expect(detail.contains("syntax error"))
        #expect(error.description == "the filter \"udp and\" does not compile: \(detail)")
        #expect(CaptureFilter.check("port 4810 or port 4811", linkType: .ethernet) == nil)
        #expect(CaptureFilter.check("udp port 99999", linkType: .ethernet) != nil)
    }

    @Test(arguments: [LinkType.ethernet, .linuxSLL, .linuxSLL2, .raw])
    func theDefaultFilterCompilesForEveryLiveLinkType(linkType: LinkType) {
        let expression = CaptureFilter.defaultExpression(for: linkType)
        #expect(CaptureFilter.check(expression, linkType: linkType) == nil, "\(expression)")
        #expect(expression.contains("vlan") == (linkType == .ethernet))
    }

    @Test func vlanIsOnlyForEthernet() throws {
        let error = try #require(CaptureFilter.check("vlan and udp", linkType: .linuxSLL))
        #expect(error.description.contains("VLAN"))
    }

    /// Frames of `capture` that `expression` keeps, by libpcap's own
    /// offline filter (the same BPF the kernel runs live).
    static func matching(_ expression: String, in path: String) throws -> (kept: Int, total: Int) {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        let handle = try #require(pcap_open_offline(path, &errorBuffer), "\(path): \(Libpcap.text(errorBuffer))")
        defer { pcap_close(handle) }
        var program = bpf_program()
        try #require(pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0, "\(Libpcap.lastError(handle))")
        defer { pcap_freecode(&program) }
        var kept = 0, total = 0
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while pcap_next_ex(handle, &header, &data) == 1, let header, let data {
            total += 1
            if pcap_offline_filter(&program, header, data) != 0 { kept += 1 }
        }
        return (kept, total)
    }

    /// captures/net/vlan.pcap: single 802.1Q tags and 802.1ad+802.1Q
    /// (QinQ), tags in the frames. `udp or arp or icmp` keeps none of them;
    /// the default keeps all twelve.
    @Test func theDefaultFilterKeepsTaggedFramesOneAndTwoTagsDeep() throws {
        let path = Repository.capture("net", "vlan.pcap")
        let untagged = try Self.matching("udp or arp or icmp", in: path)
        #expect(untagged.total == 12 && untagged.kept == 0)
        let oneTag = try Self.matching("\(CaptureFilter.essentials) or (vlan and (\(CaptureFilter.essentials)))", in: path)
        #expect(oneTag.kept == 6)
        let all = try Self.matching(CaptureFilter.defaultExpression(for: .ethernet), in: path)
        #expect(all.kept == 12)
    }

    /// Every frame of a whole recovery passes, IGMP joins included; only
    /// the utility PC's IGMP is dropped by `udp or arp or icmp`.
    @Test(arguments: ["recovered.pcap", "phone-busy.pcap", "vlan.pcap", "tftp-unreachable.pcap", "no-gateway.pcap"])
    func theDefaultFilterKeepsEveryFrameOfARecovery(capture: String) throws {
        let result = try Self.matching(CaptureFilter.defaultExpression(for: .ethernet), in: Repository.capture("sos", capture))
        #expect(result.total > 0)
        #expect(result.kept == result.total)
    }

    @Test func theInterfaceListHasTheLoopback() throws {
        let all = try NetworkInterface.all()
        let lo = try #require(all.first { $0.name == "lo" })
        #expect(lo.isLoopback)
        #expect(lo.listing.hasPrefix("lo ["))
    }

    @Test func anUnknownInterfaceListsTheOnesThatExist() throws {
        #expect {
            try LiveCapture(.init(interface: "lvnosuch0"))
        } throws: { error in
            guard let error = error as? LiveCaptureError, case .noSuchInterface(let name, let available) = error else { return false }
            let text = error.description
            return name == "lvnosuch0" && available.contains { $0.name == "lo" }
                && text.hasPrefix("no interface named \"lvnosuch0\"; these exist:\n    ") && text.contains("\n    lo [")
        }
    }

    @Test func thePrivilegeMessageSaysWhatToDo() {
        let error = LiveCaptureError.noPrivileges(interface: "eth0", detail: "socket: Operation not permitted", promiscuous: false)
        let text = error.description
        #expect(text.hasPrefix("cannot capture on eth0: this user may not capture packets (socket: Operation not permitted)."))
        #expect(text.contains("run it as root"))
        #expect(text.contains("sudo setcap cap_net_raw,cap_net_admin=eip $(command -v sosdump)"))
    }

    @Test func theLibraryVersionIsLibpcaps() {
        #expect(Libpcap.version.hasPrefix("libpcap version"))
    }
}

extension LibpcapTests {
    /// The default snap length: whole frames of the interface's MTU, small
    /// enough that the ring has room for many (see `defaultSnapLength`).
    @Test func theDefaultSnapLengthFollowsTheMTU() throws {
        let loMTU = try #require(Int(String(contentsOfFile: "/sys/class/net/lo/mtu", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(LiveCapture.defaultSnapLength(for: "lo") == min(262_144, max(LiveCapture.compactSnapLength, loMTU + 64)))
        #expect(LiveCapture.defaultSnapLength(for: "lvnosuch0") == LiveCapture.maximumSnapLength)
        #expect(LiveCapture.defaultSnapLength(for: "any") >= 1980)
    }
}
