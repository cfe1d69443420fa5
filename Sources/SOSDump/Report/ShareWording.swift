/// The words of `sosdump share`: the comment it writes into the shared
/// file (the section header's `opt_comment`, which Wireshark shows under
/// Statistics › Capture File Properties) and its summary line.
public enum ShareWording {
    /// What the file holds and what was done to it, known before the frames
    /// are written: the policy and what the diagnoses followed.
    public static func comment(followed: FollowedTraffic, redacted: Bool, damagedAfterFrame: Int? = nil) -> String {
        var lines = [
            "Shared by sosdump share.",
            "Kept: only the frames sosdump's diagnosis used: the frames of the \(count(followed.macs.count, "phone")) it followed "
                + "(by MAC address, or by one of the \(count(followed.addresses.count, "address", plural: "addresses")) they had), "
                + "their ARP, the DHCP about them, their transfers, and every S.O.S. message. "
                + "Frames of other hosts were left out; frames are numbered anew from 1, with their original times.",
        ]
        if redacted {
            lines.append("Replaced by pseudonyms, the same everywhere in this file and in `sosdump analyze --redact` run with the same key: "
                + "MAC addresses (the maker's first three bytes kept), IPv4 addresses (first and last octet kept, and which addresses "
                + "share a /8 to /24 prefix), IPv6 addresses (prefixes shared stay shared), serial numbers, host and domain names, "
                + "SEP device names, in headers and inside the S.O.S., DHCP, ARP and ICMP payloads and in text inside any payload "
                + "(file names, configuration files). Checksums were updated for every change.")
            lines.append("Kept as they were: multicast and broadcast addresses, 0.0.0.0, 234.4.8.10, loopback, subnet masks, "
                + "times, ports, product names and versions, file names other than device names, and the transferred files' bytes "
                + "except where they named a host.")
        } else {
            lines.append("Addresses were kept as they were (--keep-addresses): this file shows the network it came from.")
        }
        if let frame = damagedAfterFrame {
            lines.append("The original capture is damaged: reading stopped after its frame \(frame). This file holds what was read "
                + "before, and ends in a block cut short, so that readers stop where they stopped in the original.")
        }
        return lines.joined(separator: "\n")
    }

    /// A line for standard error when the file is written.
    public static func summary(output: String, _ s: CaptureShare.Summary) -> String {
        var line = "wrote \(count(s.framesKept, "frame")) of \(s.framesRead) to \(output)"
        if s.markers > 0 { line += " (\(s.markers) of them empty, marking when the capture \(s.markers == 1 ? "began or ended" : "began and ended"))" }
        if let r = s.replaced {
            var parts = [count(r.macs.count, "MAC address", plural: "MAC addresses"), count(r.ipv4.count, "IPv4 address", plural: "IPv4 addresses")]
            if !r.ipv6.isEmpty { parts.append(count(r.ipv6.count, "IPv6 address", plural: "IPv6 addresses")) }
            parts.append(count(r.names.count, "name") + " (serials, host and device names)")
            line += "; replaced " + parts.joined(separator: ", ")
            if r.notRemembered > 0 { line += "; \(r.notRemembered) more were replaced in headers only (memory limit)" }
        } else {
            line += "; addresses kept as they were"
        }
        return line
    }

    static func count(_ n: Int, _ one: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? one : plural ?? one + "s")"
    }
}
