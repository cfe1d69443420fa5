/// The words for what a capture shows as a whole, whatever the phones:
/// the signs that it was filtered, and how to capture without a filter.
enum CaptureWording {
    static func filtered(_ signs: [CaptureFilterSign]) -> String? {
        guard !signs.isEmpty else { return nil }
        let what = signs.map { sign in
            switch sign {
            case .acknowledgedWithoutData(let n):
                "\(n) TFTP transfer\(n == 1 ? " is" : "s are") seen only through the receiver's ACKs (no DATA)"
            case .oneSource(let mac): "every frame comes from \(mac) (one side only)"
            case .onePort(let port): "every frame is to or from port \(port)"
            case .noARP: "there is no ARP at all"
            }
        }
        return "the capture looks filtered: " + what.joined(separator: "; ")
            + ". Verdicts rest on what is in it (an ACK for block n proves blocks 1 to n arrived), but what was left out cannot be checked."
            + " To see everything, capture on the PC's interface that faces the phone with no filter: `tcpdump -i IFACE -w FILE` with no expression after it, or Wireshark with an empty capture filter."
    }
}
