import Testing
@testable import SOSDump

@Suite struct DHCPTests {
    static let mac: [UInt8] = [0x02, 0x00, 0x00, 0xdc, 0x02, 0x02]

    /// A BOOTP message: the 236 fixed bytes, then `vend` (the magic cookie
    /// and `options` unless `vend` is given).
    ///
    /// ```
    /// 0000  op htype hlen hops | xid         | secs  flags | ciaddr
    /// 0010  yiaddr             | siaddr      | giaddr      | chaddr ...
    /// 0020  ... chaddr (16)                              | sname (64) ...
    /// 006c  file (128) ...
    /// 00ec  63 82 53 63 (cookie) | options ...
    /// ```
    static func message(op: UInt8 = 1, hops: UInt8 = 0, xid: UInt32 = 0x1234_5678, flags: UInt16 = 0x8000,
                        ciaddr: [UInt8] = [0, 0, 0, 0], yiaddr: [UInt8] = [0, 0, 0, 0], siaddr: [UInt8] = [0, 0, 0, 0],
                        giaddr: [UInt8] = [0, 0, 0, 0], sname: [UInt8] = [], file: [UInt8] = [],
                        vend: [UInt8]? = nil, options: [UInt8] = [53, 1, 1, 255]) -> [UInt8] {
        var m: [UInt8] = [op, 1, 6, hops] + PacketBuilder.be32(xid) + [0, 3] + PacketBuilder.be16(Int(flags))
        m += ciaddr + yiaddr + siaddr + giaddr
        m += mac + Array(repeating: 0, count: 10)
        m += sname + Array(repeating: 0, count: 64 - sname.count)
        m += file + Array(repeating: 0, count: 128 - file.count)
        return m + (vend ?? [0x63, 0x82, 0x53, 0x63] + options)
    }

    static func decode(_ bytes: [UInt8], wireCount: Int? = nil) -> Result<DHCPMessage, DecodeProblem> {
        ByteView.with(bytes, wireCount: wireCount) { v in
            do throws(DecodeProblem) { return .success(try DHCPMessage.decode(v)) } catch { return .failure(error) }
        }
    }

    static func decoded(_ bytes: [UInt8]) throws -> DHCPMessage {
        try Self.decode(bytes).get()
    }

    /// The options of a message holding only `option`.
    static func value(_ option: [UInt8]) throws -> DHCPOptionValue {
        let m = try decoded(message(op: 2, options: option + [255]))
        return try #require(m.options.first).value
    }

    static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    // MARK: The recovery program's DISCOVER

    /// What the SPA50x recovery program sends (docs/sos-protocol.md §A4): 53, 61,
    /// 12, 60, 55 in that order.
    ///
    /// ```
    /// 35 01 01                          53 DHCP Message Type: Discover
    /// 3d 07 01 02 00 00 dc 02 02        61 Client Identifier: type 1, MAC
    /// 0c 0c 54 4e 45 54 56 31 30 35     12 Host Name: "TNETV1050SDB"
    ///       30 53 44 42
    /// 3c 0b 54 49 2d 64 68 63 70 20     60 Vendor Class: "TI-dhcp 0.1"
    ///       30 2e 31
    /// 37 0f 01 03 04 05 06 07 08 09     55 Parameter Request List
    ///       0c 0f 1c 2a 2c 42 43
    /// ff                                End
    /// ```
    static let sosOptions: [UInt8] = [0x35, 0x01, 0x01, 0x3d, 0x07, 0x01] + mac
        + [0x0c, 0x0c] + text("TNETV1050SDB")
        + [0x3c, 0x0b] + text("TI-dhcp 0.1")
        + [0x37, 0x0f, 1, 3, 4, 5, 6, 7, 8, 9, 12, 15, 28, 42, 44, 66, 67]
        + [0xff]
    static let sosDiscover = message(options: sosOptions)

    @Test func theRecoveryProgramsDiscover() throws {
        let m = try Self.decoded(Self.sosDiscover)
        #expect(m.operation == .request && m.hardwareType == 1 && m.hardwareLength == 6 && m.hops == 0)
        #expect(m.transactionID == 0x1234_5678 && m.seconds == 3 && m.isBroadcast)
        #expect(m.clientMAC?.description == "02:00:00:dc:02:02")
        #expect(m.clientAddress == .any && m.yourAddress == .any && m.relayAgentAddress == .any)
        #expect(m.hasMagicCookie && m.stop == nil && m.sname == nil && m.file == nil)
        #expect(m.options.map(\.code.rawValue) == [53, 61, 12, 60, 55])
        #expect(m.messageType == .discover)
        #expect(m.vendorClass == "TI-dhcp 0.1")
        #expect(m.isSOSRecoveryProgram)
        #expect(m.option(.hostName)?.value == .text("TNETV1050SDB"))
        guard case .clientIdentifier(let id)? = m.option(.clientIdentifier)?.value else { Issue.record("no 61"); return }
        #expect(id.type == 1 && id.mac?.description == "02:00:00:dc:02:02" && id.description == "ether 02:00:00:dc:02:02")
        guard case .parameterRequestList(let list)? = m.option(.parameterRequestList)?.value else { Issue.record("no 55"); return }
        #expect(list.map(\.rawValue) == [1, 3, 4, 5, 6, 7, 8, 9, 12, 15, 28, 42, 44, 66, 67])
        #expect(list.map { $0.name ?? "?" }.prefix(3) == ["Subnet Mask", "Router", "Time Server"])
        #expect(list.last?.description == "Bootfile Name (67)")
        // Each instance knows where it was: 53 right after the cookie.
        #expect(m.options[0].instances == [DHCPOption.Instance(area: .options, offset: 240, length: 1)])
    }

    @Test func otherClientsAndServerReplies() throws {
        let spa = try Self.decoded(Self.message(options: [53, 1, 3, 60, 13] + Self.text("Cisco SPA504G") + [255]))
        #expect(spa.vendorClass == "Cisco SPA504G" && !spa.isSOSRecoveryProgram)
        #expect(spa.messageType == .request && spa.messageType?.description == "DHCP-Request")
        // A trailing NUL is not part of the class (79xx phones send one).
        let nul = try Self.decoded(Self.message(options: [60, 12] + Self.text("TI-dhcp 0.1") + [0, 255]))
        #expect(nul.isSOSRecoveryProgram)
        let unnamed = try Self.decoded(Self.message(options: [53, 1, 1, 255]))
        #expect(unnamed.vendorClass == nil && !unnamed.isSOSRecoveryProgram)
        // A server's reply says nothing about the client.
        #expect(try !Self.decoded(Self.message(op: 2, options: [53, 1, 2, 60, 11] + Self.text("TI-dhcp 0.1") + [255])).isSOSRecoveryProgram)
        #expect(DHCPMessageType(rawValue: 42).description == "DHCP-type-42")
        #expect(BOOTPOperation(rawValue: 7).description == "unknown (0x07)")
    }

    // MARK: Every named option

    @Test func addressOptions() throws {
        // 01 04 ff ff ff 00: Subnet Mask 255.255.255.0
        #expect(try Self.value([1, 4, 255, 255, 255, 0]) == .address(IPv4Address(255, 255, 255, 0)))
        // 03 08 c0 00 02 01 c0 00 02 02: Router 192.0.2.1, 192.0.2.2
        #expect(try Self.value([3, 8, 192, 0, 2, 1, 192, 0, 2, 2]) == .addresses([IPv4Address(192, 0, 2, 1), IPv4Address(192, 0, 2, 2)]))
        // 06 04 c0 00 02 35: DNS 192.0.2.53
        #expect(try Self.value([6, 4, 192, 0, 2, 53]) == .addresses([IPv4Address(192, 0, 2, 53)]))
        // 32 04 c0 00 02 70: Requested IP 192.0.2.112
        #expect(try Self.value([50, 4, 192, 0, 2, 112]) == .address(IPv4Address(192, 0, 2, 112)))
        // 36 04 c0 00 02 01: Server Identifier 192.0.2.1
        #expect(try Self.value([54, 4, 192, 0, 2, 1]) == .address(IPv4Address(192, 0, 2, 1)))
        // 36 03 c0 00 02: three bytes
        #expect(try Self.value([54, 3, 192, 0, 2]) == .problem(.wrongLength(code: .serverIdentifier, length: 3, expected: 4)))
        #expect(try Self.value([3, 6, 192, 0, 2, 1, 0, 0]) == .problem(.lengthNotMultipleOfFour(code: .router, length: 6)))
    }

    @Test func textTimeAndTypeOptions() throws {
        // 0c 05 70 68 6f 6e 65: Host Name "phone"
        #expect(try Self.value([12, 5] + Self.text("phone")) == .text("phone"))
        // 42 0b 31 39 32 2e 30 2e 32 2e 31 30 00: TFTP Server Name "192.0.2.10" + NUL (as dnsmasq sends it)
        #expect(try Self.value([66, 11] + Self.text("192.0.2.10") + [0]) == .text("192.0.2.10"))
        // 43 0b 73 70 61 35 30 34 47 2e 63 66 67: Bootfile Name "spa504G.cfg"
        #expect(try Self.value([67, 11] + Self.text("spa504G.cfg")) == .text("spa504G.cfg"))
        // 3c 0d "Cisco SPA504G"
        #expect(try Self.value([60, 13] + Self.text("Cisco SPA504G")) == .text("Cisco SPA504G"))
        // 33 04 00 00 0e 10: Lease Time 3600 s
        #expect(try Self.value([51, 4, 0, 0, 0x0e, 0x10]) == .seconds(3600))
        #expect(try Self.value([51, 2, 0x0e, 0x10]) == .problem(.wrongLength(code: .leaseTime, length: 2, expected: 4)))
        // 35 01 05: ACK
        #expect(try Self.value([53, 1, 5]) == .messageType(.ack))
        #expect(try Self.value([53, 2, 5, 5]) == .problem(.wrongLength(code: .messageType, length: 2, expected: 1)))
        // 39 02 02 40: Maximum Message Size 576
        #expect(try Self.value([57, 2, 2, 0x40]) == .number(576))
        #expect(try Self.value([55, 0]) == .problem(.tooShort(code: .parameterRequestList, length: 0, minimum: 1)))
        #expect(try Self.value([61, 1, 1]) == .problem(.tooShort(code: .clientIdentifier, length: 1, minimum: 2)))
        // 3d 05 00 61 62 63 64: type 0, "abcd"
        #expect(try Self.value([61, 5, 0, 0x61, 0x62, 0x63, 0x64]).description == "type 0 61626364")
        // 72 and a0: captive portal (RFC 8910) and the provisioning URL (vendor use of 160)
        #expect(try Self.value([114, 5] + Self.text("https")) == .text("https"))
        #expect(try Self.value([160, 22] + Self.text("http://192.0.2.10/spa/")) == .text("http://192.0.2.10/spa/"))
    }

    @Test func vendorSpecificOption43() throws {
        // 2b 08 01 02 aa bb 02 01 cc ff: two sub-options, then End
        let bytes: [UInt8] = [43, 8, 1, 2, 0xaa, 0xbb, 2, 1, 0xcc, 0xff]
        #expect(try Self.value(bytes) == .vendorSpecific(subOptions: [
            DHCPSubOption(code: 1, data: [0xaa, 0xbb]), DHCPSubOption(code: 2, data: [0xcc]),
        ]))
        // 2b 03 01 05 aa: not sub-options: opaque, bytes kept
        let m = try Self.decoded(Self.message(op: 2, options: [43, 3, 1, 5, 0xaa, 255]))
        #expect(m.options[0].value == .vendorSpecific(subOptions: nil) && m.options[0].data == [1, 5, 0xaa])
        #expect(m.options[0].valueText == "opaque")
        // Sub-option values in words: text when printable, else hex.
        #expect(try Self.value(bytes).description == "1 aabb, 2 cc")
        #expect(try Self.value([43, 5, 2, 3] + Self.text("abc")).description == "2 \"abc\"")
    }

    @Test func relayAgentInformation82() throws {
        // 52 14                       82 Relay Agent Information, 20 bytes
        //    01 04 64 68 72 30        Circuit ID "dhr0"
        //    02 06 02 00 00 dc 03 02  Remote ID (a MAC)
        //    05 04 c6 33 64 00        Link Selection 198.51.100.0
        let bytes: [UInt8] = [82, 20, 1, 4] + Self.text("dhr0") + [2, 6, 2, 0, 0, 0xdc, 3, 2, 5, 4, 198, 51, 100, 0]
        guard case .relayAgentInformation(let info) = try Self.value(bytes) else { Issue.record("not 82"); return }
        #expect(info.subOptions.map(\.code) == [1, 2, 5])
        #expect(info.circuitID == Self.text("dhr0"))
        #expect(info.remoteID == [2, 0, 0, 0xdc, 3, 2])
        #expect(info.linkSelection == IPv4Address(198, 51, 100, 0))
        #expect(DHCPRelayAgentInformation.name(ofSubOption: 1) == "Circuit ID")
        #expect(try Self.value(bytes).description == "Circuit ID \"dhr0\", Remote ID 020000dc0302, Link Selection c6336400")
        // 52 04 01 05 61 62: the circuit ID claims 5 bytes, 2 follow
        #expect(try Self.value([82, 4, 1, 5, 0x61, 0x62])
            == .problem(.subOptionBeyondEnd(code: .relayAgentInformation, offset: 0, claimed: 5, available: 2)))
        // 52 04 01 01 61 02: a code with no length byte
        #expect(try Self.value([82, 4, 1, 1, 0x61, 2])
            == .problem(.subOptionBeyondEnd(code: .relayAgentInformation, offset: 3, claimed: 1, available: 0)))
    }

    @Test func vendorIdentifying125() throws {
        // 7d 11                        125, 17 bytes
        //    00 00 00 09 0c            enterprise 9 (Cisco), 12 bytes of data
        //       01 0a 53 50 41 35 30 34 47 2e 31 32  sub-option 1 "SPA504G.12"
        let bytes: [UInt8] = [125, 17, 0, 0, 0, 9, 12, 1, 10] + Self.text("SPA504G.12")
        #expect(try Self.value(bytes) == .vendorIdentifying([
            DHCPVendorIdentifyingData(enterpriseNumber: 9, subOptions: [DHCPSubOption(code: 1, data: Self.text("SPA504G.12"))]),
        ]))
        // Two enterprises, the second with no data.
        #expect(try Self.value([125, 10, 0, 0, 0, 9, 0, 0, 0, 0x0d, 0xe9, 0]) == .vendorIdentifying([
            DHCPVendorIdentifyingData(enterpriseNumber: 9, subOptions: []),
            DHCPVendorIdentifyingData(enterpriseNumber: 3561, subOptions: []),
        ]))
        // data-len 12 but 3 bytes follow
        #expect(try Self.value([125, 8, 0, 0, 0, 9, 12, 1, 1, 0x61])
            == .problem(.subOptionBeyondEnd(code: .vendorIdentifyingVendorSpecific, offset: 0, claimed: 12, available: 3)))
        // a sub-option inside the block that overruns it: offset in the whole value
        #expect(try Self.value([125, 8, 0, 0, 0, 9, 3, 1, 5, 0x61])
            == .problem(.subOptionBeyondEnd(code: .vendorIdentifyingVendorSpecific, offset: 5, claimed: 5, available: 1)))
    }

    @Test func portParameters159AndProvisioningURLs() throws {
        // 9f 04 06 02 00 34: offset 6, PSID length 2, PSID 52 (RFC 7618 §4)
        #expect(try Self.value([159, 4, 6, 2, 0, 52]) == .portParameters(offset: 6, psidLength: 2, psid: 52))
        // 9f 16 "http://192.0.2.10/spa/": the vendor use (a URL)
        #expect(try Self.value([159, 22] + Self.text("http://192.0.2.10/spa/")) == .text("http://192.0.2.10/spa/"))
        #expect(try Self.value([159, 3, 1, 2, 3]) == .problem(.wrongLength(code: .portParameters, length: 3, expected: 4)))
        #expect(DHCPOptionCode.provisioningURL.description == "Provisioning Server URL (160)")
        #expect(DHCPOptionCode(rawValue: 224).description == "option 224")
    }

    @Test func unknownOptionsAreKeptAsBytes() throws {
        let m = try Self.decoded(Self.message(options: [224, 3, 1, 2, 3, 255]))
        #expect(m.options == [DHCPOption(code: DHCPOptionCode(rawValue: 224), data: [1, 2, 3],
                                         instances: [DHCPOption.Instance(area: .options, offset: 240, length: 3)])])
        #expect(m.options[0].value == .bytes && m.options[0].valueText == "010203")
    }

    // MARK: Option 150

    @Test func option150AsAList() throws {
        // 96 08 c0 00 02 0a c6 33 64 0a: 192.0.2.10, 198.51.100.10
        let m = try Self.decoded(Self.message(op: 2, options: [150, 8, 192, 0, 2, 10, 198, 51, 100, 10, 255]))
        #expect(m.tftpServerAddresses == [IPv4Address(192, 0, 2, 10), IPv4Address(198, 51, 100, 10)])
        #expect(m.problems.isEmpty)
    }

    @Test func option150AsTextIsAProblemInPlainWords() throws {
        // 96 09 31 39 32 2e 30 2e 32 2e 31: "192.0.2.1", the tftpd32/64 mistake
        let m = try Self.decoded(Self.message(op: 2, options: [150, 9] + Self.text("192.0.2.1") + [255]))
        #expect(m.tftpServerAddresses == nil)
        #expect(m.problems == [.addressesAsText(code: .tftpServerAddresses, text: "192.0.2.1")])
        #expect(m.problems.first?.description
            == "option 150 (TFTP Server Addresses) holds the text \"192.0.2.1\" instead of 4-byte addresses; Cisco phones will not use it")
        // 12 bytes of text, a multiple of 4: still text, not three addresses.
        #expect(try Self.value([150, 12] + Self.text("198.51.100.1"))
            == .problem(.addressesAsText(code: .tftpServerAddresses, text: "198.51.100.1")))
        // Two addresses as text, with a NUL.
        #expect(try Self.value([150, 20] + Self.text("192.0.2.1,192.0.2.2") + [0])
            == .problem(.addressesAsText(code: .tftpServerAddresses, text: "192.0.2.1,192.0.2.2")))
    }

    @Test func option150OfAnOddLength() throws {
        // 96 06 c0 00 02 0a 00 01
        let problem = try Self.value([150, 6, 192, 0, 2, 10, 0, 1])
        #expect(problem == .problem(.lengthNotMultipleOfFour(code: .tftpServerAddresses, length: 6)))
        #expect(problem.description
            == "option 150 (TFTP Server Addresses) is 6 bytes long, not a multiple of 4, so it is not a list of IPv4 addresses; Cisco phones will not use it")
        #expect(try Self.value([150, 0]) == .problem(.tooShort(code: .tftpServerAddresses, length: 0, minimum: 4)))
        // Bytes 0x30-0x39 and dots that do not spell addresses stay a length problem.
        #expect(try Self.value([150, 5] + Self.text("1.2.3")) == .problem(.lengthNotMultipleOfFour(code: .tftpServerAddresses, length: 5)))
    }

    // MARK: Overload and RFC 3396

    @Test func overloadIntoFile() throws {
        // options: 35 01 05  34 01 01 (file)  ff
        // file:    43 0b "spa504G.cfg"  ff
        let m = try Self.decoded(Self.message(op: 2, file: [67, 11] + Self.text("spa504G.cfg") + [255],
                                              options: [53, 1, 5, 52, 1, 1, 255]))
        #expect(m.overload == .file && m.file == nil && m.sname == nil && m.stop == nil)
        #expect(m.bootfileName == "spa504G.cfg")
        #expect(m.option(.bootfileName)?.instances == [DHCPOption.Instance(area: .file, offset: 108, length: 11)])
    }

    @Test func overloadIntoSname() throws {
        // sname: 42 0a "192.0.2.10"  ff; file stays a file name
        let m = try Self.decoded(Self.message(op: 2, sname: [66, 10] + Self.text("192.0.2.10") + [255], file: Self.text("boot.bin"),
                                              options: [53, 1, 5, 52, 1, 2, 255]))
        #expect(m.overload == .sname && m.sname == nil && m.file == "boot.bin")
        #expect(m.tftpServerName == "192.0.2.10")
        #expect(m.option(.tftpServerName)?.instances.first?.area == .sname)
    }

    @Test func overloadIntoBothIsReadOptionsThenFileThenSname() throws {
        // options: 34 01 03 96 04 c0 00 02 0a ff
        // file:    96 04 c6 33 64 0a        (no End: the field is read to its end)
        // sname:   96 04 cb 00 71 0a ff
        let m = try Self.decoded(Self.message(op: 2, sname: [150, 4, 203, 0, 113, 10, 255], file: [150, 4, 198, 51, 100, 10],
                                              options: [52, 1, 3, 150, 4, 192, 0, 2, 10, 255]))
        #expect(m.overload == [.file, .sname] && m.stop == nil)
        // RFC 3396: one option, its instances concatenated in that order.
        #expect(m.tftpServerAddresses == [IPv4Address(192, 0, 2, 10), IPv4Address(198, 51, 100, 10), IPv4Address(203, 0, 113, 10)])
        #expect(m.option(.tftpServerAddresses)?.instances.map(\.area) == [.options, .file, .sname])
        #expect(m.options.count == 2)
    }

    @Test func withoutOverloadSnameAndFileAreText() throws {
        let m = try Self.decoded(Self.message(op: 2, sname: Self.text("tftp.example"), file: Self.text("/spa504G.cfg")))
        #expect(m.sname == "tftp.example" && m.file == "/spa504G.cfg" && m.overload == nil)
    }

    @Test func invalidOverloadValueStopsThere() throws {
        // 34 01 04: not 1, 2 or 3
        let m = try Self.decoded(Self.message(op: 2, file: Self.text("f"), options: [53, 1, 5, 52, 1, 4, 255]))
        #expect(m.stop == DHCPStop(offset: 243, area: .options, problem: .malformed(.invalidField(field: .dhcpOptionOverload, value: 4))))
        #expect(m.file == "f" && m.messageType == .ack)
        #expect(m.option(.optionOverload)?.value == .problem(.invalidValue(code: .optionOverload, value: 4)))
    }

    @Test func longOptionsSplitOverInstancesAreConcatenated() throws {
        // RFC 3396 §5 example: two instances of one option, back to back.
        // 77 03 61 62 63  77 02 64 65  (option 119 "abc" + "de")
        // 0c 03 61 62 63  35 01 01  0c 02 64 65   (host name split around 53)
        let m = try Self.decoded(Self.message(options: [119, 3, 0x61, 0x62, 0x63, 119, 2, 0x64, 0x65,
                                                        12, 3, 0x61, 0x62, 0x63, 53, 1, 1, 12, 2, 0x64, 0x65, 255]))
        #expect(m.options.map(\.code.rawValue) == [119, 12, 53])
        #expect(m.option(DHCPOptionCode(rawValue: 119))?.data == Self.text("abcde"))
        #expect(m.option(.hostName)?.value == .text("abcde"))
        #expect(m.option(.hostName)?.instances.map(\.offset) == [249, 257])
    }

    // MARK: Damage

    @Test func optionLengthPastTheEnd() throws {
        // 35 01 01  0c 20 41 42: Host Name claims 32 bytes, 2 follow
        let m = try Self.decoded(Self.message(options: [53, 1, 1, 12, 32, 0x41, 0x42]))
        #expect(m.messageType == .discover && m.options.count == 1)
        #expect(m.stop == DHCPStop(offset: 243, area: .options,
                                   problem: .malformed(.lengthBeyondPacket(field: .dhcpOptionLength, claimed: 32, available: 2))))
        #expect(m.stop?.description == "malformed DHCP at byte 243 (options): DHCP option length is 32 but only 2 bytes follow")
    }

    @Test func missingEndOption() throws {
        let m = try Self.decoded(Self.message(options: [53, 1, 1]))
        #expect(m.messageType == .discover)
        #expect(m.stop == DHCPStop(offset: 243, area: .options, problem: .malformed(.missingEndOption(offset: 243))))
        // Pad after End (as most clients send) is fine.
        #expect(try Self.decoded(Self.message(options: [53, 1, 1, 255, 0, 0, 0])).stop == nil)
    }

    @Test func optionOverrunningFileField() throws {
        // file: 43 ff ... (255 bytes claimed inside a 128-byte field)
        let m = try Self.decoded(Self.message(op: 2, file: [67, 255, 0x61], options: [53, 1, 5, 52, 1, 1, 255]))
        #expect(m.stop == DHCPStop(offset: 108, area: .file,
                                   problem: .malformed(.lengthBeyondPacket(field: .dhcpOptionLength, claimed: 255, available: 126))))
        #expect(m.messageType == .ack)
    }

    @Test func bootpWithoutMagicCookie() throws {
        // RFC 951: a 64-byte vend field of zeros, no cookie.
        let m = try Self.decoded(Self.message(file: Self.text("boot"), vend: Array(repeating: 0, count: 64)))
        #expect(!m.hasMagicCookie && m.options.isEmpty && m.stop == nil && m.messageType == nil)
        #expect(m.vendorArea.count == 64 && m.file == "boot")
        // And with no vend field at all: 236 bytes.
        let bare = try Self.decoded(Self.message(vend: []))
        #expect(!bare.hasMagicCookie && bare.vendorArea.isEmpty && bare.stop == nil)
        // Some other vendor magic: kept as bytes.
        let other = try Self.decoded(Self.message(vend: [1, 2, 3, 4, 5]))
        #expect(!other.hasMagicCookie && other.vendorArea == [1, 2, 3, 4, 5])
    }

    @Test func everyCutOfTheRecoveryDiscover() throws {
        let whole = Self.sosDiscover
        let full = try Self.decoded(whole)
        // Where each option ends: a cut at or after that keeps it.
        let ends = full.options.map { $0.instances[0].offset + 2 + $0.instances[0].length }
        for n in 0..<whole.count {
            let cut = Array(whole.prefix(n))
            let kept = ends.filter { $0 <= n }.count
            // Cut by the snap length: truncated, never malformed.
            switch Self.decode(cut, wireCount: whole.count) {
            case .failure(let p):
                #expect(n < 44 && p == .truncated(needed: 44, captured: n), "snap cut at \(n): \(p)")
            case .success(let m):
                #expect(n >= 44 && m.stop?.isTruncation == true, "snap cut at \(n): \(String(describing: m.stop))")
                #expect(m.options.count == kept, "snap cut at \(n)")
                #expect(m.transactionID == 0x1234_5678 && m.clientMAC == full.clientMAC)
            }
            // Cut on the wire: malformed; a BOOTP vend area shorter than a cookie is plain BOOTP.
            switch Self.decode(cut) {
            case .failure(let p):
                #expect(n < 44 && p == .malformed(.tooShort(needed: 44, available: n)), "wire cut at \(n): \(p)")
            case .success(let m):
                #expect(n >= 44, "wire cut at \(n)")
                if (236..<240).contains(n) {
                    #expect(m.stop == nil && !m.hasMagicCookie, "wire cut at \(n)")
                } else {
                    #expect(m.stop?.isTruncation == false && m.stop != nil, "wire cut at \(n): \(String(describing: m.stop))")
                }
                #expect(m.options.count == kept, "wire cut at \(n)")
            }
        }
    }

    @Test func seededRandomDamageNeverCrashes() throws {
        // Overload into both fields, 82 and 125 and 150 in the options: every reader path.
        let sample = Self.message(op: 2, sname: [150, 4, 203, 0, 113, 10, 255], file: [67, 4] + Self.text("f.cf") + [255],
                                  options: [53, 1, 5, 52, 1, 3, 82, 6, 1, 4] + Self.text("dhr0")
                                      + [125, 8, 0, 0, 0, 9, 3, 1, 1, 0x61] + [150, 9] + Self.text("192.0.2.1")
                                      + [43, 3, 1, 1, 0x62, 159, 4, 6, 2, 0, 52, 255])
        var random = SplitMix64(seed: 0xD4C9)
        for round in 0..<3000 {
            var damaged = sample
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let at = Int.random(in: 0..<damaged.count, using: &random)
                damaged[at] = [0, 1, 3, 52, 255, UInt8.random(in: 0...255, using: &random)].randomElement(using: &random) ?? 0
            }
            let cut = Int.random(in: 0...damaged.count, using: &random)
            for (bytes, wire) in [(damaged, damaged.count), (Array(damaged.prefix(cut)), damaged.count), (Array(damaged.prefix(cut)), cut)] {
                guard case .success(let m) = Self.decode(bytes, wireCount: wire) else { continue }
                // Every instance lies inside the message and its area.
                for option in m.options {
                    #expect(option.instances.map(\.length).reduce(0, +) == option.data.count, "round \(round)")
                    for i in option.instances {
                        let area = switch i.area { case .sname: 44..<108; case .file: 108..<236; case .options: 240..<wire }
                        #expect(area.contains(i.offset) && i.offset + 2 + i.length <= area.upperBound, "round \(round)")
                    }
                    _ = option.valueText
                }
                _ = (m.isSOSRecoveryProgram, m.problems.map(\.description), m.stop?.description)
            }
        }
    }

    @Test func fieldsAfterTheFixedPart() throws {
        let m = try Self.decoded(Self.message(op: 2, hops: 1, xid: 0xcc81_9a16, flags: 0, ciaddr: [192, 0, 2, 9],
                                              yiaddr: [198, 51, 100, 112], siaddr: [192, 0, 2, 1], giaddr: [198, 51, 100, 1]))
        #expect(m.operation == .reply && m.hops == 1 && !m.isBroadcast)
        #expect(m.clientAddress == IPv4Address(192, 0, 2, 9) && m.yourAddress == IPv4Address(198, 51, 100, 112))
        #expect(m.nextServerAddress == IPv4Address(192, 0, 2, 1) && m.relayAgentAddress == IPv4Address(198, 51, 100, 1))
        #expect(m.clientHardwareAddress == Self.mac + Array(repeating: 0, count: 10))
    }

    // MARK: In a frame and in the listing

    @Test func aDissectionDecodesItsDHCPAndTheListingSaysIt() throws {
        let payload = Self.message(op: 2, xid: 0xa50b_2a68, flags: 0, yiaddr: [192, 0, 2, 112],
                                   options: [53, 1, 2, 150, 9] + Self.text("192.0.2.1") + [255])
        let frame = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(sport: 67, dport: 68, payload)))
        let decoder = FrameDecoder()
        let type = decoder.withDecoded(frame) { d in try? d.dhcp?.get().messageType }
        #expect(type == .offer)
        let record = decoder.record(frame)
        #expect(record.summary.hasSuffix(
            "BOOTP/DHCP, Reply, length \(payload.count), xid 0xa50b2a68, DHCP-Offer [DHCP option 150 (TFTP Server Addresses) holds the text \"192.0.2.1\" instead of 4-byte addresses; Cisco phones will not use it]"))
        #expect(record.dhcp?.messageType == "Offer" && record.dhcp?.yourAddress == "192.0.2.112")
        #expect(record.dhcp?.options.map(\.code) == [53, 150])
        #expect(record.dhcp?.problems?.count == 1 && record.stop == nil)

        let request = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(sport: 68, dport: 67, Self.sosDiscover)))
        let r = decoder.record(request)
        #expect(r.summary.hasSuffix("BOOTP/DHCP, Request from 02:00:00:dc:02:02, length \(Self.sosDiscover.count), xid 0x12345678, DHCP-Discover"))
        #expect(r.dhcp?.client == "sos-recovery-program" && r.dhcp?.vendorClass == "TI-dhcp 0.1")

        // Too short to be BOOTP: said where and why.
        let short = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(sport: 68, dport: 67, [1, 1, 6])))
        let s = decoder.record(short)
        #expect(s.summary.hasSuffix("BOOTP/DHCP, length 3 [malformed DHCP: needs 44 bytes, the packet has 3]"))
        #expect(s.stop?.layer == "DHCP" && s.stop?.kind == "malformed" && s.dhcp == nil)

        // Other ports: not DHCP.
        #expect(decoder.withDecoded(PacketBuilder.ethernetIPv4UDP()) { $0.dhcp } == nil)
    }
}
