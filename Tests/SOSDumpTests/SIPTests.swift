import Testing
@testable import SOSDump

/// SIP start lines and the registration headers, from text written here,
/// over UDP and TCP; and DHCP options 150 and 66 as a phone reads them.
@Suite struct SIPTests {
    static let register = """
        REGISTER sip:10.0.0.1 SIP/2.0\r
        Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1a2b\r
        From: <sip:2001@10.0.0.1>;tag=00aabbcc\r
        To: <sip:2001@10.0.0.1>\r
        Call-ID: 00aabbcc-0001@10.0.0.5\r
        CSeq: 101 REGISTER\r
        User-Agent: Cisco-CP7945G/9.4.2\r
        Contact: <sip:2001@10.0.0.5:5060>;+sip.instance="<urn:uuid:00000000-0000-0000-0000-00aabbccddee>"\r
        Expires: 3600\r
        Content-Length: 0\r
        \r

        """

    static func decode(_ text: String) -> Result<SIPMessage, DecodeProblem> {
        ByteView.with(Array(text.utf8)) { v in
            do throws(DecodeProblem) { return .success(try SIPMessage.decode(v)) } catch { return .failure(error) }
        }
    }

    @Test func aRegister() throws {
        let m = try Self.decode(Self.register).get()
        #expect(m.startLine == .request(method: "REGISTER", uri: "sip:10.0.0.1"))
        #expect(m.method == "REGISTER" && m.statusCode == nil && m.isRegistration && m.headersComplete)
        #expect(m.callID == "00aabbcc-0001@10.0.0.5" && m.cseq?.number == 101 && m.cseq?.method == "REGISTER")
        #expect(m.from == "<sip:2001@10.0.0.1>;tag=00aabbcc" && m.to == "<sip:2001@10.0.0.1>")
        #expect(m.contact?.hasPrefix("<sip:2001@10.0.0.5:5060>") == true)
        #expect(m.expires == 3600 && m.contentLength == 0 && m.userAgent == "Cisco-CP7945G/9.4.2")
    }

    @Test func responsesLFLinesCompactFormsAndFolding() throws {
        let m = try Self.decode("SIP/2.0 401 Unauthorized\ni: abc@h\nCSeq: 7\n  REGISTER\nl: 0\n\n").get()
        #expect(m.startLine == .response(status: 401, reason: "Unauthorized") && m.statusCode == 401)
        #expect(m.callID == "abc@h" && m.cseq?.method == "REGISTER" && m.contentLength == 0 && m.isRegistration)
        let ok = try Self.decode("SIP/2.0 200 OK\r\nCSeq: 2 INVITE\r\n\r\n").get()
        #expect(!ok.isRegistration)
    }

    @Test func notSIPAndCutMessages() throws {
        for text in ["HTTP/1.1 200 OK\r\n\r\n", "SIP/2.0 20 OK\r\n", "REGISTER sip:x SIP/3.0\r\n", "register sip:x SIP/2.0\r\n", ""] {
            #expect(throws: DecodeProblem.self, "\(text)") { try Self.decode(text).get() }
        }
        // Every cut past the start line keeps what it has; before, it is not SIP.
        let whole = Array(Self.register.utf8)
        let firstLine = Self.register.utf8.firstIndex(of: UInt8(ascii: "\r")).map { Self.register.utf8.distance(from: Self.register.utf8.startIndex, to: $0) } ?? 0
        for n in 0..<whole.count {
            let result = ByteView.with(Array(whole.prefix(n))) { v -> SIPMessage? in try? SIPMessage.decode(v) }
            if n < firstLine {
                #expect(result == nil, "cut at \(n)")
            } else {
                #expect(result?.method == "REGISTER", "cut at \(n)")
                #expect(result?.headersComplete == (n == whole.count), "cut at \(n)")
            }
        }
    }

    @Test func fromADissection() throws {
        let payload = Array(Self.register.utf8)
        let udp = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(sport: 5060, dport: 5060, dst: PacketBuilder.ipB, payload)))
        let viaUDP = try FrameDecoder().withDecoded(udp) { d in try d.sip?.get() }
        #expect(viaUDP?.callID == "00aabbcc-0001@10.0.0.5")
        let tcp = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(protocol: 6, PacketBuilder.be16(50000) + PacketBuilder.be16(5060)
            + PacketBuilder.be32(1) + PacketBuilder.be32(0) + [0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0] + payload))
        let viaTCP = try FrameDecoder().withDecoded(tcp) { d in try d.sip?.get() }
        #expect(viaTCP?.method == "REGISTER")
        // A TCP segment that continues a message is not read as one.
        let more = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(protocol: 6, PacketBuilder.be16(50000) + PacketBuilder.be16(5060)
            + PacketBuilder.be32(1) + PacketBuilder.be32(0) + [0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0] + Array("a=rtpmap:0 PCMU/8000\r\n".utf8)))
        FrameDecoder().withDecoded(more) { d in #expect(d.sip == nil) }
    }

    @Test func theEncodersWriteWhatTheDecoderReads() throws {
        let request = SIPMessage.encodeRegister(user: "2001", registrar: "10.0.0.1", from: "abcd", callID: "c1@10.0.0.5", cseq: 3,
                                                contact: "10.0.0.5:5060", userAgent: "Cisco-CP7945G/9.4.2", via: "10.0.0.5:5060")
        let m = try ByteView.with(request) { try SIPMessage.decode($0) }
        #expect(m.method == "REGISTER" && m.cseq?.number == 3 && m.callID == "c1@10.0.0.5" && m.expires == 3600)
        let response = SIPMessage.encodeResponse(status: 200, reason: "OK", to: request)
        let r = try ByteView.with(response) { try SIPMessage.decode($0) }
        #expect(r.statusCode == 200 && r.callID == m.callID && r.cseq?.method == "REGISTER" && r.isRegistration && r.headersComplete)
    }

    // MARK: DHCP options 150 and 66

    static func dhcpOffer(_ options: [UInt8]) throws -> DHCPMessage {
        var m: [UInt8] = [2, 1, 6, 0] + [0, 0, 0, 1] + Array(repeating: 0, count: 228) + [99, 130, 83, 99]
        m += [53, 1, 2] + options + [255]
        return try ByteView.with(m) { try DHCPMessage.decode($0) }
    }

    @Test func option150AsAPhoneReadsIt() throws {
        #expect(try Self.dhcpOffer([150, 8, 10, 0, 0, 1, 10, 0, 0, 2]).tftpServerList == .addresses([IPv4Address(10, 0, 0, 1), IPv4Address(10, 0, 0, 2)]))
        // tftpd32's "i 10.0.0.1": atoi 10, little-endian.
        let integer = try Self.dhcpOffer([150, 4, 10, 0, 0, 0]).tftpServerList
        #expect(integer == .integerEntry([IPv4Address(10, 0, 0, 0)]) && integer?.usableAddresses == [IPv4Address(10, 0, 0, 0)])
        // tftpd32's "10.0.0.1" with no type: the text, 8 bytes.
        #expect(try Self.dhcpOffer([150, 8] + Array("10.0.0.1".utf8)).tftpServerList == .text("10.0.0.1", spelled: [IPv4Address(10, 0, 0, 1)]))
        #expect(try Self.dhcpOffer([150, 10] + Array("tftp.local".utf8)).tftpServerList == .text("tftp.local", spelled: []))
        #expect(try Self.dhcpOffer([150, 5, 10, 0, 0, 1, 0xFF]).tftpServerList == .badLength(5))
        #expect(try Self.dhcpOffer([150, 0]).tftpServerList == .empty)
        #expect(try Self.dhcpOffer([]).tftpServerList == nil)
        // 0.0.0.0 is not an integer entry.
        #expect(try Self.dhcpOffer([150, 4, 0, 0, 0, 0]).tftpServerList == .addresses([.any]))
    }

    @Test func option66AsAPhoneReadsIt() throws {
        #expect(try Self.dhcpOffer([66, 9] + Array("10.0.0.1".utf8) + [0]).tftpServerHost == .address(IPv4Address(10, 0, 0, 1)))
        #expect(try Self.dhcpOffer([66, 4] + Array("cucm".utf8)).tftpServerHost == .name("cucm"))
        #expect(try Self.dhcpOffer([66, 1, 0]).tftpServerHost == .empty)
        #expect(try Self.dhcpOffer([]).tftpServerHost == nil)
    }
}
