/// The words of `sosdump recover`: its own diagnoses (what the sockets and
/// the wire beside them show), a phone's verdict as it happens, and the
/// refusals before anything is sent. The verdict codes, their meaning and
/// their next steps are the analysis's (`SOSWording`), so `recover` says
/// what `analyze` says of the same capture.
public enum RecoverWording {
    /// A diagnosis: its verdict code (when it is one of the analysis's) and its lines.
    public static func lines(_ d: RecoverDiagnosis) -> [String] {
        switch d {
        case .stillSearching(let s):
            return ["No phone has answered for \(SOSWording.seconds(s)). The phone listens only between its tries of its Recovery and Last Upgrade URLs (windows of 5, 10, 20 … s); while it tries them it does not answer. Keep waiting: sosdump keeps asking. If the phone shows no S.O.S. screen, or nothing comes for several minutes, power-cycle it (sosdump goes on asking) and check that it is plugged into this interface's network (the phone's SW port, not its PC port)."]
        case .repliesNotReachingSocket(let frames):
            return ["\(VerdictCode.utilityDeaf.rawValue): the phone answers (\(frameList(frames)), seen on the wire by libpcap) but its replies to 234.4.8.10 port 4811 never reach sosdump's socket: a firewall rule on this PC drops them (look at `nft list ruleset` and `iptables -L INPUT`), or multicast is not received on this interface.",
                    "Next: " + SOSWording.nextStep(.utilityDeaf)]
        case .requestNotReachingSocket(let frame):
            return ["\(VerdictCode.tftpNoResponse.rawValue): the phone's TFTP request to 234.4.8.10 port 69 (frame \(frame), seen on the wire by libpcap) never reached sosdump's TFTP server: a firewall rule on this PC drops it.",
                    "Next: " + SOSWording.nextStep(.tftpNoResponse)]
        case .gatewayUnanswered(let g, let frame):
            return ["\(VerdictCode.noGateway.rawValue): the phone asks for its gateway \(g) (frame \(frame): ARP who-has \(g)) and nothing answers. Before it downloads, the phone must reach its gateway, because the TFTP server's address (234.4.8.10) is off its subnet.",
                    "Next: run again with --answer-gateway (sosdump then answers ARP for \(g) itself, for this run only), or " + SOSWording.nextStep(.noGateway).prefix(1).lowercased() + SOSWording.nextStep(.noGateway).dropFirst()]
        case .answeredGateway(let g, let frame):
            return ["The phone asks for its gateway \(g) (frame \(frame)): answered with this PC's MAC address (--answer-gateway)."]
        case .phoneOffSubnet(let phone, let interface, let address, let prefix):
            return ["The phone's address \(phone) is not in \(interface)'s subnet (\(address)/\(prefix)): the image could not reach it.",
                    "Next: give \(interface) an address in the phone's subnet as well, e.g. sudo ip addr add \(neighbour(of: phone))/\(phone.rawValue >> 16 == 0xA9FE ? 16 : 24) dev \(interface), and run again."]
        case .pairingBroken(let loader, let image, let oldLoader):
            let finding = Finding(.loaderFirmwareMismatch, .pairing(loader: loader, image: image, oldLoader: oldLoader), evidence: [])
            return ["Warning (\(VerdictCode.loaderFirmwareMismatch.rawValue)): " + SOSWording.explanation(finding), SOSWording.caveat(finding) ?? "",
                    SOSWording.nextStep(.loaderFirmwareMismatch)].filter { !$0.isEmpty }
        }
    }

    /// A phone's verdict as it is decided: code, meaning, explanation, next step.
    /// A phone's verdict as it is decided: code, explanation, next step.
    public static func verdict(_ v: PhoneVerdict) -> [String] {
        ["\(v.code.rawValue): " + SOSWording.explanation(v.verdict), "Next: " + SOSWording.nextStep(v.verdict)]
    }

    /// The phone found, as a technician checks it against the label.
    public static func phoneFound(_ p: RecoveryUtility.Phone) -> [String] {
        ["Found \(p.product ?? "a phone") in recovery: serial \(p.serial ?? "?"), MAC \(p.mac), IP \(p.address.map { "\($0)" } ?? "?"), loader \(p.softwareVersion ?? "?") (hardware \(p.hardwareVersion ?? "?"))."]
    }

    /// The image chosen, before anything is sent.
    public static func image(_ image: RecoveryImageSource.Image, path: String) -> String {
        let v = image.verification
        let from: String = switch image.origin {
        case .file: path
        case .bundleMember(let member, let offset): "\(member) in \(path)" + (offset.map { " at byte \($0)" } ?? "")
        case .embedded(let offset): "\(path) at byte \(offset)"
        }
        return "Image: version \(v.version ?? "?"), \(v.length) bytes, SHA-256 \(v.sha256), from \(from); the loader's checks pass. Served as \(image.orderName)."
    }

    /// Why the image is refused.
    public static func refusal(_ r: RecoveryImageSource.Refusal) -> String {
        switch r {
        case .unreadable(let e):
            return "\(e)"
        case .noImage(let path, let looked):
            return "\(path): no firmware image found: \(looked). Give the firmware .bin, the vendor's bundle .zip, or its *-recovery.exe."
        case .rejected(let path, _, let v, let check):
            let line = check.loaderMessage.map { " (the phone would print \"\($0)\")" } ?? ""
            return "\(path): refused: the phone's loader would reject this image (version \(v.version ?? "?")): \(check.title) check failed\(line): \(check.detail). \(check.meaning) Nothing was sent. Next: " + SOSWording.nextStep(.imageRejected)
        }
    }

    public static func portInUse(_ port: UInt16, holders: [String]) -> String {
        let who = holders.isEmpty ? "another program (one this user cannot see: try with sudo to name it)" : holders.joined(separator: ", ")
        let use = port == 69 ? "the phone downloads the image from TFTP port 69" : "the phone answers to port 4811"
        return "UDP port \(port) is in use by \(who): \(use), so sosdump must hold it. Stop that program for the recovery (a TFTP server such as tftpd-hpa, atftpd or dnsmasq's TFTP: sudo systemctl stop tftpd-hpa), then run again."
    }

    static func frameList(_ frames: [Int]) -> String {
        frames.count == 1 ? "frame \(frames[0])" : "frames " + frames.map(String.init).joined(separator: ", ")
    }

    /// An address beside `a` in its subnet (.1 or .2) to suggest for the PC.
    static func neighbour(of a: IPv4Address) -> IPv4Address {
        let last = a.rawValue & 0xFF
        return IPv4Address(rawValue: (a.rawValue & ~0xFF) | (last == 2 ? 1 : 2))
    }
}
