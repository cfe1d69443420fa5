#if canImport(Glibc)
import Glibc
#endif
import SOSDump
import SOSDumpLive

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
