import CPcap
import SOSDump

/// The libpcap that live capture uses, as `pcap_lib_version()` reports it
/// (tcpdump prints the same line for `--version`).
public enum Libpcap {
    public static var version: String {
        guard let text = pcap_lib_version() else { return "libpcap (unknown version)" }
        return String(cString: text)
    }

    /// The text of a NUL-terminated error buffer.
    static func text(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `pcap_geterr` of a handle.
    static func lastError(_ handle: OpaquePointer) -> String {
        guard let text = pcap_geterr(handle) else { return "unknown libpcap error" }
        return String(cString: text)
    }
}

extension LinkType {
    /// The LINKTYPE_ value (what files store) of a DLT_ value (what
    /// `pcap_datalink` returns). They differ only where the platform's
    /// headers gave a DLT another number: on Linux, DLT_RAW is 12 and
    /// LINKTYPE_RAW 101 (libpcap's own `dlt_to_linktype` is not exported).
    init(dlt: Int32) {
        switch dlt {
        case 12, 14: self = .raw  // DLT_RAW on Linux (12) and on OpenBSD (14)
        default: self.init(rawValue: UInt32(bitPattern: dlt))
        }
    }

    /// The DLT_ value libpcap takes for this link type on this platform.
    var dlt: Int32 {
        self == .raw ? 12 : Int32(bitPattern: rawValue)
    }
}
