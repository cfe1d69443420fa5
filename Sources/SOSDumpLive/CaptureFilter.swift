import CPcap
import SOSDump

/// BPF filter expressions (pcap-filter(7), as tcpdump takes them), and the
/// one live capture uses when none is given.
public enum CaptureFilter {
    /// What the analysis reads, for one level of encapsulation:
    ///
    /// - `udp`: the S.O.S. messages (ports 4810/4811), TFTP, DHCP and the
    ///   normal firmware's SIP. In libpcap `udp` is IPv4 or IPv6 UDP, and
    ///   every IPv4 fragment of a UDP datagram carries protocol 17, so
    ///   fragments are kept for reassembly.
    /// - `ip6 and ip6[6] == 44`: IPv6 fragments, whose first header is the
    ///   fragment header, not UDP.
    /// - `arp`: the phone asks for its gateway before it answers an upgrade
    ///   order ("Host not found." when nobody answers).
    /// - `icmp or icmp6`: unreachables that end TFTP transfers and that
    ///   quote S.O.S. messages.
    /// - `igmp`: the recovery utility joins 234.4.8.10 to hear the phone's
    ///   replies; a PC that never joins cannot hear them.
    /// - TCP segments with SYN, FIN or RST only: the phone's HTTP Recovery
    ///   URL attempts (connections tried, refused), without the bulk of
    ///   unrelated TCP traffic on a busy PC.
    public static let essentials =
        "udp or arp or icmp or icmp6 or igmp or (ip6 and ip6[6] == 44) or (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0)"

    /// The default for a link type. On Ethernet, frames tagged with 802.1Q
    /// or 802.1ad (a phone on a voice VLAN, a capture on a trunk or on the
    /// parent of a VLAN interface) hide their EtherType behind the tag, and
    /// `udp` alone would drop them all; `vlan and (…)` matches one tag, and
    /// because the first `vlan` shifts every later offset by the tag, a
    /// second `vlan and (…)` after it matches two (QinQ). Tags the kernel
    /// took off into metadata (VLAN offload) are matched by libpcap's
    /// `vlan` too. Other link types (`-i any` gives Linux cooked captures)
    /// have no `vlan` keyword in libpcap, so they get the essentials alone.
    public static func defaultExpression(for linkType: LinkType) -> String {
        guard linkType == .ethernet else { return essentials }
        return "\(essentials) or (vlan and (\(essentials))) or (vlan and (\(essentials)))"
    }

    /// Compiles `expression` for `linkType` without a device (no
    /// privileges needed): nil if it compiles, else libpcap's complaint.
    public static func check(_ expression: String, linkType: LinkType, snapLength: Int32 = 262_144) -> LiveCaptureError? {
        guard let handle = pcap_open_dead(linkType.dlt, snapLength) else {
            return .badFilter(expression: expression, detail: "libpcap cannot compile for link type \(linkType)")
        }
        defer { pcap_close(handle) }
        var program = bpf_program()
        guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            return .badFilter(expression: expression, detail: Libpcap.lastError(handle))
        }
        pcap_freecode(&program)
        return nil
    }

    /// Joins command-line words into one expression, as tcpdump does with
    /// the words after its options.
    public static func expression(fromWords words: [String]) -> String? {
        let joined = words.joined(separator: " ").trimmingCharacters(in: " ")
        return joined.isEmpty ? nil : joined
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var s = Substring(self)
        while s.first == character { s = s.dropFirst() }
        while s.last == character { s = s.dropLast() }
        return String(s)
    }
}
