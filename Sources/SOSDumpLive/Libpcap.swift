import CPcap

/// The libpcap that live capture uses, as `pcap_lib_version()` reports it
/// (tcpdump prints the same line for `--version`).
public enum Libpcap {
    public static var version: String {
        guard let text = pcap_lib_version() else { return "libpcap (unknown version)" }
        return String(cString: text)
    }
}
