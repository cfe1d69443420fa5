import CPcap

#if canImport(Glibc)
import Glibc
#endif

/// A network interface as `pcap_findalldevs` lists it (the list
/// `tcpdump -D` prints): what the unknown-interface message offers.
public struct NetworkInterface: Equatable, Sendable {
    public var name: String
    public var description: String?
    public var isUp: Bool
    public var isRunning: Bool
    public var isLoopback: Bool

    public init(name: String, description: String? = nil, isUp: Bool = true, isRunning: Bool = true, isLoopback: Bool = false) {
        self.name = name
        self.description = description
        self.isUp = isUp
        self.isRunning = isRunning
        self.isLoopback = isLoopback
    }

    /// `NAME [Up, Running, Loopback] (description)`, as `tcpdump -D` words it.
    public var listing: String {
        var flags: [String] = []
        if isUp { flags.append("Up") }
        if isRunning { flags.append("Running") }
        if isLoopback { flags.append("Loopback") }
        var text = name
        if !flags.isEmpty { text += " [\(flags.joined(separator: ", "))]" }
        if let description, !description.isEmpty { text += " (\(description))" }
        return text
    }

    /// Every interface libpcap can capture on, in its order (`any` included
    /// on Linux). Needs no privileges.
    public static func all() throws(LiveCaptureError) -> [NetworkInterface] {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        var first: UnsafeMutablePointer<pcap_if_t>?
        guard pcap_findalldevs(&first, &errorBuffer) == 0 else {
            throw .cannotListInterfaces(detail: Libpcap.text(errorBuffer))
        }
        defer { if let first { pcap_freealldevs(first) } }
        var result: [NetworkInterface] = []
        var node = first
        while let current = node {
            let entry = current.pointee
            let flags = entry.flags
            result.append(NetworkInterface(
                name: String(cString: entry.name),
                description: entry.description.map { String(cString: $0) },
                isUp: flags & UInt32(PCAP_IF_UP) != 0,
                isRunning: flags & UInt32(PCAP_IF_RUNNING) != 0,
                isLoopback: flags & UInt32(PCAP_IF_LOOPBACK) != 0
            ))
            node = entry.next
        }
        return result
    }

    /// Whether `name` names an interface: the kernel knows it, or libpcap
    /// lists it (`any`, `nflog`, `usbmon0`… are not kernel interfaces).
    /// Returns the list when it does not, for the error message.
    public static func lookUp(_ name: String) -> (exists: Bool, available: [NetworkInterface]) {
        if if_nametoindex(name) != 0 { return (true, []) }
        guard let all = try? all() else { return (true, []) }  // cannot tell: let pcap_activate say
        return (all.contains { $0.name == name }, all)
    }
}
