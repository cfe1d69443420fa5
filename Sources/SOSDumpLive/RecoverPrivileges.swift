#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SOSDump

/// What `sosdump recover` needs of the system, checked before anything is
/// opened: the capabilities to capture (CAP_NET_RAW: libpcap's packet
/// socket, SO_BINDTODEVICE, the ARP answers of `--answer-gateway`) and to
/// bind UDP port 69 (CAP_NET_BIND_SERVICE). Root has both.
public enum RecoverPrivileges {
    public enum Capability: Int, CaseIterable, Sendable {
        case netBindService = 10
        case netRaw = 13

        public var name: String {
            switch self {
            case .netBindService: "CAP_NET_BIND_SERVICE"
            case .netRaw: "CAP_NET_RAW"
            }
        }
    }

    /// The command line that gives the binary what it needs.
    public static let setcapCommand = "setcap cap_net_raw,cap_net_bind_service=eip $(command -v sosdump)"

    /// The capabilities this process lacks (its effective set, from
    /// /proc/self/status); empty when it has them all.
    public static func missing() -> [Capability] {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else {
            return geteuid() == 0 ? [] : Capability.allCases
        }
        return Capability.allCases.filter { mask & (1 << UInt64($0.rawValue)) == 0 }
    }

    /// What to tell a user who lacks `missing`.
    public static func message(missing: [Capability]) -> String {
        """
        sosdump recover needs privileges it does not have: \(missing.map(\.name).joined(separator: " and ")).
        It captures on the interface (CAP_NET_RAW) and serves TFTP on UDP port 69 (CAP_NET_BIND_SERVICE). \
        Either run it as root (sudo sosdump recover …), or give the binary those two capabilities once:
            sudo \(setcapCommand)
        """
    }
}

/// Which processes hold a UDP port in this network namespace: the
/// sockets bound to it (/proc/net/udp and udp6: their inodes), and the
/// processes with a descriptor on one of them (/proc/PID/fd). A process of
/// another user is found only by root.
public struct PortHolder: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var command: String

    public var description: String { "\(command) (pid \(pid))" }

    public static func holders(ofUDPPort port: UInt16) -> [PortHolder] {
        var inodes: Set<String> = []
        for table in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                guard fields.count > 9, let colon = fields[1].lastIndex(of: ":"),
                      UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) == port else { continue }
                inodes.insert("socket:[\(fields[9])]")
            }
        }
        guard !inodes.isEmpty else { return [] }
        var result: [PortHolder] = []
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }.sorted()
        for pid in pids {
            let fdDirectory = "/proc/\(pid)/fd"
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: fdDirectory) else { continue }
            let holds = fds.contains { fd in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDirectory)/\(fd)")).map(inodes.contains) ?? false
            }
            if holds {
                let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                result.append(PortHolder(pid: pid, command: command))
            }
        }
        return result
    }
}

/// An interface's IPv4 address and prefix (getifaddrs).
public struct InterfaceAddress: Sendable, Equatable {
    public var address: IPv4Address
    public var prefixLength: Int
    public var mac: MACAddress?

    public var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength) }

    /// Whether `other` is in this address's subnet.
    public func contains(_ other: IPv4Address) -> Bool { other.rawValue & mask == address.rawValue & mask }

    /// The first IPv4 address of `interface`, or nil.
    public static func of(_ interface: String) -> InterfaceAddress? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var found: InterfaceAddress?
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard String(cString: entry.pointee.ifa_name) == interface, let addr = entry.pointee.ifa_addr else { continue }
            if Int32(addr.pointee.sa_family) == AF_INET, found == nil, let netmask = entry.pointee.ifa_netmask {
                let a = addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
                let m = netmask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
                found = InterfaceAddress(address: IPv4Address(rawValue: a), prefixLength: m.nonzeroBitCount)
            }
        }
        // The MAC from sysfs (`ip netns exec` mounts the namespace's own /sys).
        if let text = try? String(contentsOfFile: "/sys/class/net/\(interface)/address", encoding: .utf8) {
            let octets = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").compactMap { UInt8($0, radix: 16) }
            if octets.count == 6 { found?.mac = MACAddress(rawValue: octets.reduce(0) { $0 << 8 | UInt64($1) }) }
        }
        return found
    }
}
