#if canImport(Glibc)
import Glibc
#endif
import SOSDump

/// A system call that failed, with its errno.
struct SystemError: Error, CustomStringConvertible {
    var call: String
    var code: Int32
    init(_ call: String, _ code: Int32 = errno) {
        self.call = call
        self.code = code
    }
    var description: String { "\(call): \(String(cString: strerror(code)))" }
}

/// Seconds on the monotonic clock.
func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Sleeps `seconds`, whatever signals arrive.
func pause(_ seconds: Double) {
    let end = now() + seconds
    while true {
        let left = end - now()
        if left <= 0 { return }
        var t = timespec(tv_sec: Int(left), tv_nsec: Int((left - Double(Int(left))) * 1e9))
        nanosleep(&t, nil)
    }
}

/// Waits until one of `fds` can be read or `deadline` (monotonic seconds)
/// passes; returns the readable ones (empty on timeout).
func readable(_ fds: [Int32], until deadline: Double) -> [Int32] {
    var set = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    while true {
        let left = deadline - now()
        let ms = left <= 0 ? 0 : Int32(min(left * 1000 + 1, 60_000))
        let n = poll(&set, nfds_t(set.count), ms)
        if n < 0, errno == EINTR { continue }
        if n <= 0 {
            if now() < deadline, n == 0 { continue }
            return []
        }
        return set.filter { $0.revents & Int16(POLLIN | POLLERR) != 0 }.map(\.fd)
    }
}

func sockaddrIn(_ address: IPv4Address, _ port: UInt16) -> sockaddr_in {
    var s = sockaddr_in()
    s.sin_family = sa_family_t(AF_INET)
    s.sin_port = port.bigEndian
    s.sin_addr = in_addr(s_addr: address.rawValue.bigEndian)
    return s
}

func inAddr(_ address: IPv4Address) -> in_addr { in_addr(s_addr: address.rawValue.bigEndian) }

/// `IPPROTO_IP` as the socket calls take it.
let ipLevel = Int32(IPPROTO_IP)

/// One UDP datagram as received.
struct Datagram {
    /// The bytes received (the whole datagram: the buffer is 64 KiB).
    var bytes: [UInt8]
    var source: IPv4Address
    var sourcePort: UInt16
    /// The IP destination, from IP_PKTINFO.
    var destination: IPv4Address?
    var receivedAt: Double
}

/// A non-blocking IPv4 UDP socket.
final class UDPSocket {
    let fd: Int32

    /// Binds to `address`:`port` (port 0: the kernel chooses).
    init(address: IPv4Address = .any, port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddrIn(address, port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = SystemError("bind \(address):\(port)")
            close(fd)
            throw e
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        try option(ipLevel, IP_PKTINFO, 1, "IP_PKTINFO")
        // Only the groups this socket joins itself (Linux otherwise hands a
        // socket every group any socket of the host joined).
        try option(ipLevel, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL")
    }

    deinit { close(fd) }

    /// The port the socket is bound to.
    var localPort: UInt16 {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return UInt16(bigEndian: addr.sin_port)
    }

    func option(_ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws {
        var v = value
        guard setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else { throw SystemError(label) }
    }

    /// TTL of unicast and multicast datagrams.
    func setTTL(_ ttl: Int32) throws {
        try option(ipLevel, IP_TTL, ttl, "IP_TTL")
        try option(ipLevel, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL")
    }

    /// Sends multicast from `address`'s interface, not looped back to this host.
    func setMulticastInterface(_ address: IPv4Address) throws {
        var a = inAddr(address)
        guard setsockopt(fd, ipLevel, IP_MULTICAST_IF, &a, socklen_t(MemoryLayout<in_addr>.size)) == 0 else {
            throw SystemError("IP_MULTICAST_IF")
        }
        try option(ipLevel, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP")
    }

    /// Receives datagrams sent to `group` on the interface with `interfaceAddress`.
    func join(_ group: IPv4Address, interfaceAddress: IPv4Address) throws {
        var m = ip_mreq(imr_multiaddr: inAddr(group), imr_interface: inAddr(interfaceAddress))
        guard setsockopt(fd, ipLevel, IP_ADD_MEMBERSHIP, &m, socklen_t(MemoryLayout<ip_mreq>.size)) == 0 else {
            throw SystemError("IP_ADD_MEMBERSHIP \(group)")
        }
    }

    func allowBroadcast() throws { try option(SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST") }

    /// Clears the IP "don't fragment" bit, as the phone's own stack does.
    func clearDontFragment() throws { try option(ipLevel, IP_MTU_DISCOVER, Int32(IP_PMTUDISC_DONT), "IP_MTU_DISCOVER") }

    func send(_ bytes: [UInt8], to address: IPv4Address, port: UInt16) throws {
        var addr = sockaddrIn(address, port)
        let n = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard n == bytes.count else { throw SystemError("sendto \(address):\(port)") }
    }

    /// The next datagram waiting, or nil.
    func receive() -> Datagram? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var control = [UInt8](repeating: 0, count: 256)
        var from = sockaddr_in()
        let n: Int = buffer.withUnsafeMutableBytes { raw in
            control.withUnsafeMutableBytes { ctl in
                withUnsafeMutablePointer(to: &from) { fromPtr in
                    var iov = iovec(iov_base: raw.baseAddress, iov_len: raw.count)
                    return withUnsafeMutablePointer(to: &iov) { iovPtr in
                        var msg = msghdr()
                        msg.msg_name = UnsafeMutableRawPointer(fromPtr)
                        msg.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                        msg.msg_iov = iovPtr
                        msg.msg_iovlen = 1
                        msg.msg_control = ctl.baseAddress
                        msg.msg_controllen = ctl.count
                        let got = recvmsg(fd, &msg, 0)
                        return got >= 0 ? got : -1
                    }
                }
            }
        }
        guard n >= 0 else { return nil }
        return Datagram(bytes: Array(buffer.prefix(n)), source: IPv4Address(rawValue: UInt32(bigEndian: from.sin_addr.s_addr)),
                        sourcePort: UInt16(bigEndian: from.sin_port), destination: Self.packetInfoDestination(control), receivedAt: now())
    }

    /// The header destination address (`ipi_addr`) of an IP_PKTINFO control
    /// message: cmsghdr (len 8, level 4, type 4), then in_pktinfo (ifindex 4,
    /// spec_dst 4, addr 4).
    static func packetInfoDestination(_ control: [UInt8]) -> IPv4Address? {
        var offset = 0
        let header = MemoryLayout<Int>.size + 8
        while offset + header <= control.count {
            let length = control[offset..<offset + 8].reversed().reduce(0) { $0 << 8 | Int($1) }
            guard length >= header, offset + length <= control.count else { return nil }
            let level = control[offset + 8..<offset + 12].reversed().reduce(0) { $0 << 8 | Int32($1) }
            let type = control[offset + 12..<offset + 16].reversed().reduce(0) { $0 << 8 | Int32($1) }
            if level == ipLevel, type == IP_PKTINFO, length >= header + 12 {
                let a = offset + header + 8
                return IPv4Address(control[a], control[a + 1], control[a + 2], control[a + 3])
            }
            offset += (length + 7) & ~7
        }
        return nil
    }

    /// Throws away everything waiting (a phone that reboots loses it).
    func drain() { while receive() != nil {} }
}

/// An AF_PACKET socket on one interface: whole Ethernet frames.
final class PacketSocket {
    let fd: Int32
    let interfaceIndex: Int32

    /// `ethertype` 0x0806 receives ARP only; 0 receives nothing (send only).
    init(interface: String, ethertype: UInt16) throws {
        interfaceIndex = Int32(if_nametoindex(interface))
        guard interfaceIndex > 0 else { throw SystemError("if_nametoindex \(interface)") }
        fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(ethertype.bigEndian))
        guard fd >= 0 else { throw SystemError("socket(AF_PACKET)") }
        // sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8].
        var ll = [UInt8](repeating: 0, count: 20)
        ll[0] = UInt8(AF_PACKET & 0xFF); ll[1] = UInt8(AF_PACKET >> 8)
        ll[2] = UInt8(ethertype >> 8); ll[3] = UInt8(ethertype & 0xFF)
        withUnsafeBytes(of: interfaceIndex.littleEndian) { for i in 0..<4 { ll[4 + i] = $0[i] } }
        let rc = ll.withUnsafeBytes { raw in
            bind(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        guard rc == 0 else { throw SystemError("bind AF_PACKET \(interface)") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close(fd) }

    func send(_ frame: [UInt8]) throws {
        let n = frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard n == frame.count else { throw SystemError("send AF_PACKET") }
    }

    /// The next frame received (not one this host sent), or nil.
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var ll = [UInt8](repeating: 0, count: 20)
        var len = socklen_t(20)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in
                ll.withUnsafeMutableBytes { addr in
                    recvfrom(fd, raw.baseAddress, raw.count, 0, addr.baseAddress!.assumingMemoryBound(to: sockaddr.self), &len)
                }
            }
            guard n >= 0 else { return nil }
            if ll[10] == 4 { continue }  // PACKET_OUTGOING: our own frame
            return Array(buffer.prefix(n))
        }
    }
}

/// An interface's MAC address, from sysfs (`ip netns exec` mounts the
/// namespace's own /sys).
func interfaceMAC(_ name: String) throws -> MACAddress {
    let path = "/sys/class/net/\(name)/address"
    guard let file = fopen(path, "r") else { throw SystemError("open \(path)") }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 64)
    guard fgets(&line, 64, file) != nil else { throw SystemError("read \(path)") }
    let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let octets = text.split(separator: ":").compactMap { UInt8($0, radix: 16) }
    guard octets.count == 6 else { throw SystemError("parse \(path)", EINVAL) }
    return MACAddress(rawValue: octets.reduce(0) { $0 << 8 | UInt64($1) })
}

/// Tells the kernel's ARP cache that `address` is at `mac` on `interface`
/// (SIOCSARP, a permanent entry), so that it does not ask again what the
/// phone's own ARP just learnt: the phone sends only the ARP requests of
/// the loader's `arp_resolve`.
func teachARP(_ address: IPv4Address, is mac: MACAddress, on interface: String) throws {
    // struct arpreq (net/if_arp.h, not in Swift's Glibc module): sockaddr
    // arp_pa (16 bytes), sockaddr arp_ha (16), int arp_flags (4), sockaddr
    // arp_netmask (16), char arp_dev[16].
    var req = [UInt8](repeating: 0, count: 68)
    var sin = sockaddrIn(address, 0)
    withUnsafeBytes(of: &sin) { for i in 0..<16 { req[i] = $0[i] } }
    req[16] = 1  // arp_ha.sa_family = ARPHRD_ETHER, little-endian
    for (i, b) in mac.octets.enumerated() { req[18 + i] = b }
    req[32] = 0x06  // arp_flags = ATF_COM | ATF_PERM, little-endian: the kernel never probes it again
    for (i, b) in interface.utf8.prefix(15).enumerated() { req[52 + i] = b }
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw SystemError("socket") }
    defer { close(fd) }
    let siocsarp: UInt = 0x8955
    let rc = req.withUnsafeMutableBytes { ioctl(fd, siocsarp, $0.baseAddress!) }
    guard rc == 0 else { throw SystemError("SIOCSARP \(address)") }
}

/// A TCP connection attempt with a deadline: true when connected (the
/// socket is returned), false when the deadline passed or it was refused.
func connectTCP(to address: IPv4Address, port: UInt16, timeout: Double) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    var ttl: Int32 = Int32(SOSRecovery.timeToLive)
    setsockopt(fd, ipLevel, IP_TTL, &ttl, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddrIn(address, port)
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if rc == 0 { return fd }
    guard errno == EINPROGRESS else { close(fd); return nil }
    var p = [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)]
    let deadline = now() + timeout
    while now() < deadline {
        let n = poll(&p, 1, Int32(max(1, (deadline - now()) * 1000)))
        if n > 0 {
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            if err == 0 { return fd }
            close(fd)
            return nil
        }
    }
    close(fd)
    return nil
}
