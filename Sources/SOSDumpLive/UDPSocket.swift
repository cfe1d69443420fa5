#if canImport(Glibc)
import Glibc
#endif
import SOSDump

// UDP sockets for the recovery utility (`sosdump recover`, and the
// simulator's utility and phone): POSIX sockets through Glibc, kept out of
// the SOSDump library as libpcap is. The utility's logic is
// `RecoveryUtility`, which knows no socket.

/// A system call that failed, with its errno.
public struct SystemError: Error, CustomStringConvertible {
    public var call: String
    public var code: Int32
    public init(_ call: String, _ code: Int32 = errno) {
        self.call = call
        self.code = code
    }
    public var description: String { "\(call): \(String(cString: strerror(code)))" }
}

/// Seconds on the monotonic clock.
public func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Waits until one of `fds` can be read or `deadline` (monotonic seconds)
/// passes; returns the readable ones (empty on timeout).
public func readable(_ fds: [Int32], until deadline: Double) -> [Int32] {
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

public func sockaddrIn(_ address: IPv4Address, _ port: UInt16) -> sockaddr_in {
    var s = sockaddr_in()
    s.sin_family = sa_family_t(AF_INET)
    s.sin_port = port.bigEndian
    s.sin_addr = in_addr(s_addr: address.rawValue.bigEndian)
    return s
}

public func inAddr(_ address: IPv4Address) -> in_addr { in_addr(s_addr: address.rawValue.bigEndian) }

/// `IPPROTO_IP` as the socket calls take it.
public let ipLevel = Int32(IPPROTO_IP)

/// One UDP datagram as received.
public struct Datagram: Sendable {
    /// The bytes received (the whole datagram: the buffer is 64 KiB).
    public var bytes: [UInt8]
    public var source: IPv4Address
    public var sourcePort: UInt16
    /// The IP destination, from IP_PKTINFO.
    public var destination: IPv4Address?
    public var receivedAt: Double
}

/// A non-blocking IPv4 UDP socket.
public final class UDPSocket {
    public let fd: Int32

    /// Binds to `address`:`port` (port 0: the kernel chooses). With
    /// `sharing`, SO_REUSEADDR first (the simulator's two sockets on 4811);
    /// without, a port another socket holds is refused (EADDRINUSE) even
    /// when that socket set SO_REUSEADDR. With `device`, SO_BINDTODEVICE:
    /// the socket sends and receives on that interface only.
    public init(address: IPv4Address = .any, port: UInt16, sharing: Bool = true, device: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        if sharing { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        if let device {
            var name = Array(device.utf8)
            name.append(0)
            guard setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, &name, socklen_t(name.count)) == 0 else {
                let e = SystemError("SO_BINDTODEVICE \(device)")
                close(fd)
                throw e
            }
        }
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
    public var localPort: UInt16 {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return UInt16(bigEndian: addr.sin_port)
    }

    public func option(_ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws {
        var v = value
        guard setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else { throw SystemError(label) }
    }

    /// TTL of unicast and multicast datagrams.
    public func setTTL(_ ttl: Int32) throws {
        try option(ipLevel, IP_TTL, ttl, "IP_TTL")
        try option(ipLevel, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL")
    }

    /// Sends multicast from `address`'s interface, not looped back to this host.
    public func setMulticastInterface(_ address: IPv4Address) throws {
        var a = inAddr(address)
        guard setsockopt(fd, ipLevel, IP_MULTICAST_IF, &a, socklen_t(MemoryLayout<in_addr>.size)) == 0 else {
            throw SystemError("IP_MULTICAST_IF")
        }
        try option(ipLevel, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP")
    }

    /// Receives datagrams sent to `group` on the interface with `interfaceAddress`.
    public func join(_ group: IPv4Address, interfaceAddress: IPv4Address) throws {
        var m = ip_mreq(imr_multiaddr: inAddr(group), imr_interface: inAddr(interfaceAddress))
        guard setsockopt(fd, ipLevel, IP_ADD_MEMBERSHIP, &m, socklen_t(MemoryLayout<ip_mreq>.size)) == 0 else {
            throw SystemError("IP_ADD_MEMBERSHIP \(group)")
        }
    }

    public func allowBroadcast() throws { try option(SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST") }

    /// Clears the IP "don't fragment" bit, as the phone's own stack does.
    public func clearDontFragment() throws { try option(ipLevel, IP_MTU_DISCOVER, Int32(IP_PMTUDISC_DONT), "IP_MTU_DISCOVER") }

    public func send(_ bytes: [UInt8], to address: IPv4Address, port: UInt16) throws {
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
    public func receive() -> Datagram? {
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
    public func drain() { while receive() != nil {} }
}

