import Foundation
import Testing
@testable import SOSDump

/// The DHCP captures made by real servers, clients and a relay
/// (scripts/make-dhcp-captures; captures/README.md says how): the listing
/// against its expected output, and every DHCP frame decoded by sosdump
/// against tshark's reading of it (scripts/update-dhcp-references), field by
/// field and option instance by option instance.
@Suite struct DHCPCaptureTests {
    static let group = "dhcp"
    static let captures = CaptureCorpus.captures(in: group)

    @Test func theCorpusIsThere() {
        #expect(Self.captures.count >= 5, "captures/dhcp holds \(Self.captures.count) captures")
    }

    @Test(arguments: captures)
    func listingMatchesExpected(capture: String) throws {
        try CaptureCorpus.checkListing(group: Self.group, capture: capture)
    }

    /// Every frame on UDP port 67 or 68, decoded, by frame number.
    static func messages(_ path: String) throws -> [Int: Result<DHCPMessage, DecodeProblem>] {
        let reader = try CaptureReader(path: path)
        let decoder = FrameDecoder()
        var out: [Int: Result<DHCPMessage, DecodeProblem>] = [:]
        while let frame = try reader.next() {
            if let result = decoder.decode(frame).dhcp { out[frame.number] = result }
        }
        return out
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map(hex2).joined() }

    /// The text tshark prints for a list: the items joined by ",", or "" for none.
    static func list(_ items: [String]?) -> String { items?.joined(separator: ",") ?? "" }

    @Test(arguments: captures)
    func agreesWithTshark(capture: String) throws {
        let rows = try #require(CaptureCorpus.table(Self.group, capture + ".dhcp.tsv"), "no tshark reference")
        let messages = try Self.messages(CaptureCorpus.path(Self.group, capture))
        #expect(Set(rows.compactMap { $0["frame.number"].flatMap(Int.init) }) == Set(messages.keys),
                "\(capture): tshark and sosdump see DHCP in different frames")

        for row in rows {
            let frame = try #require(row["frame.number"].flatMap(Int.init))
            let at = "\(capture) frame \(frame)"
            guard case .success(let m)? = messages[frame] else { Issue.record("\(at): not decoded"); continue }
            #expect(m.stop == nil, "\(at): \(String(describing: m.stop))")
            /// tshark's value; the first occurrence for fields that also
            /// appear inside options (dhcp.hw.mac_addr, dhcp.hw.type for option 61).
            func field(_ name: String, first: Bool = false) -> String {
                let v = row[name] ?? ""
                return first ? String(v.split(separator: ",").first ?? "") : v
            }
            func check(_ name: String, _ mine: String?, first: Bool = false) {
                #expect(field(name, first: first) == (mine ?? ""), "\(at): \(name)")
            }
            func value(_ code: DHCPOptionCode) -> DHCPOptionValue? { m.option(code)?.value }
            func address(_ code: DHCPOptionCode) -> String? {
                if case .address(let a)? = value(code) { return a.description }
                return nil
            }
            func addresses(_ code: DHCPOptionCode) -> String? {
                if case .addresses(let a)? = value(code) { return Self.list(a.map(\.description)) }
                return nil
            }
            func text(_ code: DHCPOptionCode) -> String? {
                if case .text(let t)? = value(code) { return t }
                return nil
            }

            // The fixed fields.
            check("dhcp.type", String(m.operation.rawValue))
            check("dhcp.hw.type", "0x" + hex2(m.hardwareType), first: true)
            check("dhcp.hw.len", String(m.hardwareLength))
            check("dhcp.hops", String(m.hops))
            check("dhcp.id", "0x" + Self.hex(withUnsafeBytes(of: m.transactionID.bigEndian) { Array($0) }))
            check("dhcp.secs", String(m.seconds))
            check("dhcp.flags", "0x" + Self.hex(withUnsafeBytes(of: m.flags.bigEndian) { Array($0) }))
            check("dhcp.ip.client", m.clientAddress.description)
            check("dhcp.ip.your", m.yourAddress.description)
            check("dhcp.ip.server", m.nextServerAddress.description)
            check("dhcp.ip.relay", m.relayAgentAddress.description)
            check("dhcp.hw.mac_addr", m.clientMAC?.description, first: true)
            check("dhcp.server", m.sname)
            check("dhcp.file", m.file)
            check("dhcp.cookie", m.hasMagicCookie ? "99.130.83.99" : nil)

            // The options with a typed reading in both.
            check("dhcp.option.dhcp", m.messageType.map { String($0.rawValue) })
            check("dhcp.option.option_overload", m.overload.map { String($0.rawValue) })
            check("dhcp.option.subnet_mask", address(.subnetMask))
            check("dhcp.option.router", addresses(.router))
            check("dhcp.option.domain_name_server", addresses(.domainNameServer))
            check("dhcp.option.hostname", text(.hostName))
            check("dhcp.option.requested_ip_address", address(.requestedIPAddress))
            if case .seconds(let s)? = value(.leaseTime) { check("dhcp.option.ip_address_lease_time", String(s)) }
            else { check("dhcp.option.ip_address_lease_time", nil) }
            check("dhcp.option.dhcp_server_id", address(.serverIdentifier))
            if case .parameterRequestList(let codes)? = value(.parameterRequestList) {
                check("dhcp.option.request_list_item", Self.list(codes.map { String($0.rawValue) }))
            } else { check("dhcp.option.request_list_item", nil) }
            check("dhcp.option.vendor_class_id", m.vendorClass)
            check("dhcp.option.tftp_server_name", m.tftpServerName)
            check("dhcp.option.bootfile_name", m.bootfileName)
            if let servers = m.tftpServerAddresses {
                check("dhcp.option.tftp_server_address", Self.list(servers.map(\.description)))
            } else if let problem = m.problems.first(where: { $0.code == .tftpServerAddresses }) {
                // tshark reads the text's bytes as addresses (49.57.50.46 ...); sosdump names the mistake.
                #expect(!field("dhcp.option.tftp_server_address").isEmpty, "\(at): \(problem)")
                guard case .addressesAsText(_, let text) = problem else { Issue.record("\(at): \(problem)"); continue }
                #expect(m.option(.tftpServerAddresses).map { DHCPOptionValue.text($0.data) } == text, "\(at)")
            } else {
                check("dhcp.option.tftp_server_address", nil)
            }
            if case .relayAgentInformation(let info)? = value(.relayAgentInformation) {
                check("dhcp.option.agent_information_option.agent_circuit_id", info.circuitID.map { Self.hex($0) })
            } else { check("dhcp.option.agent_information_option.agent_circuit_id", nil) }
            if case .vendorIdentifying(let blocks)? = value(.vendorIdentifyingVendorSpecific) {
                check("dhcp.option.vi.enterprise", Self.list(blocks.map { String($0.enterpriseNumber) }))
            } else { check("dhcp.option.vi.enterprise", nil) }
        }

        // Every option instance: where it is, its code, length and bytes.
        let instances = try #require(CaptureCorpus.table(Self.group, capture + ".dhcp-options.tsv"), "no option reference")
        var tshark: [Int: [String]] = [:]
        for row in instances {
            guard let frame = row["frame"].flatMap(Int.init) else { continue }
            tshark[frame, default: []].append([row["offset"], row["code"], row["length"], row["value"]].map { $0 ?? "" }.joined(separator: " "))
        }
        for (frame, result) in messages {
            guard case .success(let m) = result else { continue }
            var mine: [(Int, String)] = []
            for option in m.options {
                var start = 0
                for i in option.instances {
                    let bytes = option.data[start..<(start + i.length)]
                    start += i.length
                    mine.append((i.offset, "\(i.offset) \(option.code.rawValue) \(i.length) \(Self.hex(bytes))"))
                }
            }
            let sortedMine = mine.sorted { $0.0 < $1.0 }.map(\.1)
            let theirs = (tshark[frame] ?? []).sorted { Int($0.split(separator: " ")[0])! < Int($1.split(separator: " ")[0])! }
            #expect(sortedMine == theirs, "\(capture) frame \(frame): option instances differ")
        }
    }

    /// What the captures were made to show, read through the public API.
    @Test func whatEachCaptureShows() throws {
        func decoded(_ capture: String) throws -> [DHCPMessage] {
            try Self.messages(CaptureCorpus.path(Self.group, capture)).sorted { $0.key < $1.key }.map { try $0.value.get() }
        }
        let spa = try decoded("dora-spa504g.pcap")
        #expect(spa.map { $0.messageType?.name ?? "" } == ["Discover", "Offer", "Request", "ACK", "Release"])
        #expect(spa[0].vendorClass == "Cisco SPA504G" && !spa[0].isSOSRecoveryProgram)
        #expect(spa[3].tftpServerAddresses == [IPv4Address(192, 0, 2, 10), IPv4Address(198, 51, 100, 10)])
        #expect(spa[3].tftpServerName == "192.0.2.10" && spa[3].bootfileName == "/spa504G.cfg")
        #expect(spa[3].option(.provisioningURL)?.value == .text("http://192.0.2.10/spa$PSN.cfg"))
        #expect(spa[3].option(.vendorIdentifyingVendorSpecific)?.value == .vendorIdentifying([
            DHCPVendorIdentifyingData(enterpriseNumber: 9, subOptions: [DHCPSubOption(code: 1, data: Array("SPA504G".utf8))]),
        ]))

        let ti = try decoded("dora-ti-dhcp.pcap")
        #expect(ti[0].isSOSRecoveryProgram && ti[2].isSOSRecoveryProgram)
        #expect(!ti[1].isSOSRecoveryProgram)

        let text = try decoded("option150-text.pcap")
        #expect(text[3].problems == [.addressesAsText(code: .tftpServerAddresses, text: "192.0.2.1")])
        #expect(text[7].problems == [.addressesAsText(code: .tftpServerAddresses, text: "198.51.100.1")])
        #expect(text[7].option(.tftpServerAddresses)?.data.count == 12)

        let overload = try decoded("overload.pcap")
        #expect(overload[3].overload == [.file, .sname] && overload[3].sname == nil && overload[3].file == nil)
        #expect(Set(overload[3].options.flatMap { $0.instances.map(\.area) }) == [.options, .file, .sname])

        let relay = try decoded("relay-agent.pcap")
        #expect(relay.allSatisfy { $0.hops == 1 && $0.relayAgentAddress == IPv4Address(198, 51, 100, 1) })
        for m in relay {
            guard case .relayAgentInformation(let info)? = m.option(.relayAgentInformation)?.value else {
                Issue.record("no option 82"); continue
            }
            #expect(info.circuitID == Array("dhr0".utf8))
        }
    }
}
