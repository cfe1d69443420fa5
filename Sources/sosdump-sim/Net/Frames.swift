import SOSDump

/// Bytes the simulator writes itself: frames it sends through an AF_PACKET
/// socket (ARP, DHCP from 0.0.0.0) and the payloads of TFTP, DHCP and SIP.
enum Frames {
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> UInt32($0)) } }

    /// Pads a frame to Ethernet's 60 bytes (before the FCS), as a NIC does.
    static func padded(_ frame: [UInt8]) -> [UInt8] {
        frame.count >= 60 ? frame : frame + [UInt8](repeating: 0, count: 60 - frame.count)
    }

    // MARK: ARP (RFC 826)

    /// "Who has `target`? Tell `senderIP`": broadcast.
    static func arpRequest(senderMAC: MACAddress, senderIP: IPv4Address, target: IPv4Address) -> [UInt8] {
        let arp: [UInt8] = be16(1) + be16(0x0800) + [6, 4] + be16(1)
            + senderMAC.octets + be32(senderIP.rawValue) + [0, 0, 0, 0, 0, 0] + be32(target.rawValue)
        return padded(MACAddress.broadcast.octets + senderMAC.octets + be16(0x0806) + arp)
    }

    /// The sender of an ARP reply that answers for `target`, or nil.
    static func arpReply(_ frame: [UInt8], answering target: IPv4Address) -> MACAddress? {
        guard frame.count >= 42, frame[12] == 0x08, frame[13] == 0x06, frame[20] == 0, frame[21] == 2 else { return nil }
        let ip = frame[28..<32].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard ip == target.rawValue else { return nil }
        return MACAddress(rawValue: frame[22..<28].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    // MARK: IPv4 + UDP (RFC 791, RFC 768)

    /// An Ethernet frame carrying one UDP datagram, checksums filled in.
    static func udpFrame(from srcMAC: MACAddress, to dstMAC: MACAddress, source: IPv4Address, destination: IPv4Address,
                         sourcePort: UInt16, destinationPort: UInt16, ttl: UInt8, identification: UInt16, payload: [UInt8]) -> [UInt8] {
        var udp = be16(sourcePort) + be16(destinationPort) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
        var c = InternetChecksum()
        c.add(source.rawValue)
        c.add(destination.rawValue)
        c.add(UInt16(17))
        c.add(UInt16(udp.count))
        udp.withUnsafeBytes { c.add($0) }
        let sum = c.value == 0 ? 0xFFFF : c.value
        udp[6] = UInt8(sum >> 8)
        udp[7] = UInt8(sum & 0xFF)
        var ip: [UInt8] = [0x45, 0] + be16(UInt16(20 + udp.count)) + be16(identification) + [0, 0, ttl, 17, 0, 0]
            + be32(source.rawValue) + be32(destination.rawValue)
        var h = InternetChecksum()
        ip.withUnsafeBytes { h.add($0) }
        ip[10] = UInt8(h.value >> 8)
        ip[11] = UInt8(h.value & 0xFF)
        return padded(dstMAC.octets + srcMAC.octets + be16(0x0800) + ip + udp)
    }

    // MARK: DHCP (RFC 2131, RFC 2132)

    /// A DHCPDISCOVER from a client with no address: BOOTP's 236 bytes, the
    /// magic cookie, the options in the order given, End, padding to 300.
    static func dhcpDiscover(mac: MACAddress, transactionID: UInt32, seconds: UInt16, options: [(UInt8, [UInt8])]) -> [UInt8] {
        var m: [UInt8] = [1, 1, 6, 0] + be32(transactionID) + be16(seconds) + be16(0x8000)
        m += [UInt8](repeating: 0, count: 16)  // ciaddr, yiaddr, siaddr, giaddr
        m += mac.octets + [UInt8](repeating: 0, count: 10)
        m += [UInt8](repeating: 0, count: 64 + 128)
        m += [0x63, 0x82, 0x53, 0x63, 53, 1, 1]
        for (code, value) in options { m += [code, UInt8(value.count)] + value }
        m.append(255)
        if m.count < 300 { m += [UInt8](repeating: 0, count: 300 - m.count) }
        return m
    }
}
