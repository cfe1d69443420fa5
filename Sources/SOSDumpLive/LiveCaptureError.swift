/// Why live capture could not start or go on, as a value with the message a
/// user needs: what failed, why, and what to do.
///
/// libpcap's own words (`pcap_geterr`) are kept in `detail`; the message
/// around them says what they mean for sosdump.
public enum LiveCaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The process may not open a packet socket (or not in promiscuous
    /// mode): run as root or give the binary CAP_NET_RAW and CAP_NET_ADMIN.
    case noPrivileges(interface: String, detail: String, promiscuous: Bool)
    /// No interface of that name; `available` are those libpcap lists.
    case noSuchInterface(name: String, available: [NetworkInterface])
    /// The interface exists but is down.
    case interfaceDown(name: String, detail: String)
    /// The filter expression does not compile (for this link type).
    case badFilter(expression: String, detail: String)
    /// Anything else libpcap refused while opening: which call, its words.
    case openFailed(interface: String, operation: String, detail: String)
    /// Reading stopped in the middle of the capture (the interface went
    /// away, the socket failed).
    case readFailed(interface: String, detail: String)
    /// `pcap_findalldevs` failed.
    case cannotListInterfaces(detail: String)

    /// The command line the privilege message suggests, as the README gives it.
    public static let setcapCommand = "setcap cap_net_raw,cap_net_admin=eip $(command -v sosdump)"

    public var description: String {
        switch self {
        case .noPrivileges(let interface, let detail, let promiscuous):
            let what = promiscuous ? "capture in promiscuous mode on \(interface)" : "capture on \(interface)"
            return """
                cannot \(what): this user may not capture packets (\(detail)).
                Live capture needs the CAP_NET_RAW and CAP_NET_ADMIN capabilities. Either run it as root \
                (sudo sosdump live …), or give the binary those two capabilities once:
                    sudo \(Self.setcapCommand)
                (reading a capture file needs no privileges: capture with tcpdump or Wireshark and run \
                sosdump transfers FILE)
                """
        case .noSuchInterface(let name, let available):
            var text = "no interface named \"\(name)\""
            if available.isEmpty {
                text += "; libpcap lists none"
            } else {
                text += "; these exist:"
                for interface in available { text += "\n    \(interface.listing)" }
            }
            return text
        case .interfaceDown(let name, let detail):
            return "cannot capture on \(name): the interface is down (\(detail)); bring it up with: ip link set \(name) up"
        case .badFilter(let expression, let detail):
            return "the filter \"\(expression)\" does not compile: \(detail)"
        case .openFailed(let interface, let operation, let detail):
            return "cannot capture on \(interface): \(operation) failed: \(detail)"
        case .readFailed(let interface, let detail):
            return "capture on \(interface) stopped: \(detail)"
        case .cannotListInterfaces(let detail):
            return "cannot list the network interfaces: \(detail)"
        }
    }
}
