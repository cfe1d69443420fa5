/// The words of the boot diagnosis: every sentence a technician reads about
/// a Cisco 79xx phone that does not come up, made from the diagnosis's typed
/// values (`Analysis/Boot/BootFacts.swift`). Text, JSON and live events all
/// word a finding here, so they say the same thing.
enum BootWording {
    static func seconds(_ s: Double) -> String { SOSWording.seconds(s) }
    static func plural(_ n: Int, _ word: String) -> String { SOSWording.plural(n, word) }
    static func file(_ name: String) -> String { SOSWording.file(name) }

    /// A load as a technician reads it: `SCCP45.8-3-3S` is 8.3(3).
    static func release(_ load: String) -> String {
        BootFiles.release(of: load).map { "\(load) (\($0))" } ?? load
    }

    static func shortRelease(_ load: String) -> String { BootFiles.release(of: load) ?? load }

    // MARK: Codes

    static func meaning(_ code: BootVerdictCode) -> String {
        switch code {
        case .registered: "the phone got its configuration (and load) and registered"
        case .upgraded: "a new load was fetched and the phone came back running it; registration not seen"
        case .noPhoneTraffic: "no 79xx phone in the capture"
        case .noDHCPAnswer: "the phone's DHCP went unanswered, or was refused (NAK)"
        case .noTFTPServer: "DHCP gave the phone no TFTP server (no option 150, no option 66, no siaddr)"
        case .tftpOptionMalformed: "option 150 is not a list of addresses the phone can use"
        case .tftpServerSilent: "the phone's TFTP requests drew no answer"
        case .configNotFound: "neither SEP<MAC>.cnf.xml nor XMLDefault.cnf.xml is on the TFTP server"
        case .trustListMismatch: "the phone holds a trust list from another system and asks for a signed configuration"
        case .loadNotFound: "the load the configuration names is not on the TFTP server"
        case .loadPartMissing: "a part the .loads file lists is not on the TFTP server"
        case .loadRejected: "the phone fetched the load, came back with its old one and fetched it again"
        case .upgradePath: "the load is too far from the running one: a step in between is needed"
        case .registrationRejected: "the call manager refused the phone's registration"
        case .noRegistrationAnswer: "the phone tried to register and nothing answered"
        case .bootLoop: "the phone started again and again, and nothing in the capture says why"
        case .transferStalled: "a file transfer stopped before its last block"
        case .captureEnded: "the capture ends while the phone was still booting"
        case .outcomeUnknown: "the phone fetched its load; the capture ends before it came back"
        }
    }

    static func nextStep(_ code: BootVerdictCode) -> String {
        switch code {
        case .registered: "Nothing to fix: the phone is registered."
        case .upgraded: "The phone runs the new load. If it is the last step of the upgrade path, point it at the call manager; else put the next step's files on the TFTP server."
        case .noPhoneTraffic:
            "Capture on the port the phone is on (or a mirror of it), with no capture filter, from before the phone is powered until it shows its screen."
        case .noDHCPAnswer:
            "Start the DHCP server on the laptop's interface that faces the phone, give it a pool in the laptop's subnet, and let UDP 67 through the laptop's firewall; with a voice VLAN, serve DHCP on that VLAN."
        case .noTFTPServer: "Give the phone its TFTP server in DHCP option 150 (a list of IP addresses): the laptop's address."
        case .tftpOptionMalformed: "Send option 150 as an IP address list."
        case .tftpServerSilent:
            "Start the TFTP server on the laptop, let UDP 69 through its firewall, and give the phone the laptop's address in option 150."
        case .configNotFound: "Put XMLDefault.cnf.xml (or SEP<MAC>.cnf.xml) in the TFTP server's root folder."
        case .trustListMismatch:
            "Erase the phone's trust list: Settings > Security > Trust List > ITL File, unlock with **#, Erase (or reset the phone: hold # at power-up, then 123456789*0#)."
        case .loadNotFound: "Put the load's .loads file and its parts in the TFTP server's root folder, named exactly as the configuration says."
        case .loadPartMissing: "Put every file the .loads lists in the TFTP server's root folder, with the same upper and lower case."
        case .loadRejected: "The phone refuses this load: check the upgrade path in the load's release notes and go through the step between."
        case .upgradePath: "Load the step in between first, then the target."
        case .registrationRejected: "Add the phone (its SEP name) on the call manager, or turn auto-registration on."
        case .noRegistrationAnswer: "Check that the call manager the configuration names runs and is reachable on TCP 2000 (SCCP) or UDP 5060 (SIP)."
        case .bootLoop: "Capture from before the phone is powered to its third restart, on the phone's own port, so that sosdump sees what it asks for."
        case .transferStalled: "Try again with a direct cable or a plain switch, and keep the laptop from sleeping during the upgrade."
        case .captureEnded: "Capture the whole boot: start before the phone is powered and stop when it shows its screen or restarts a third time."
        case .outcomeUnknown: "Look at the phone: it writes the load and restarts, which takes minutes. Capture until it comes back."
        }
    }

    // MARK: Evidence

    static func evidence(_ s: BootSign) -> String {
        switch s {
        case .cdp(let id, let platform, let version):
            var words = "CDP"
            if let id { words += " from \(file(id))" }
            if let platform { words += ", \(file(platform))" }
            if let version { words += ", running \(file(version))" }
            return words
        case .cycleStart(let why):
            switch why {
            case .firstSeen: return "the phone's first frame in the capture"
            case .dhcp: return "a boot begins: DHCP again from a phone that had gone further"
            case .newLoad: return "a boot begins: CDP with another load"
            case .tftpAgain: return "a boot begins: the trust list and configuration asked for again"
            }
        case .dhcpAsk(let type, let vendor):
            return "DHCP\(SOSWording.dhcpType(type)) from the phone" + (vendor.map { " (option 60 \"\(file($0))\")" } ?? "")
        case .dhcpReply(let type, let server, let address, let tftp):
            var words = "DHCP\(SOSWording.dhcpType(type)) from \(server)"
            if address != .any { words += ": address \(address)" }
            if tftp != .none { words += ", TFTP server \(choice(tftp))" }
            return words
        case .tftpRequest(let name, let to): return "TFTP request for \(file(name)) to \(to)"
        case .tftpError(let name, let e):
            return "TFTP ERROR \(e.code.rawValue) (\(e.code)) \"\(file(e.message))\" for \(file(name))"
        case .icmpUnreachable(let name, let summary): return "\(summary) (the request for \(file(name)))"
        case .fileArrived(let name, let bytes): return "\(file(name)) arrived whole (\(bytes) bytes)"
        case .lastProgress(let name, let block): return "the last block of \(file(name)) that arrived (\(block))"
        case .register(let p, let name, let type, let server):
            var words = "\(p.rawValue) register to \(server)"
            if let name { words += " as \(file(name))" }
            if let type { words += ", device type \(type)" }
            return words
        case .registerAck(let p): return p == .sccp ? "SCCP RegisterAck" : "SIP 200 OK to REGISTER"
        case .registerReject(let p, let reason): return (p == .sccp ? "SCCP RegisterReject" : "SIP refusal") + " \"\(file(reason))\""
        case .reset: return "SCCP Reset from the call manager"
        case .setup: return "the first frame of the phone setup (the switch's CDP, or a DHCP reply with option 150 or 66)"
        case .captureEnd: return "the last frame of the phone the capture holds"
        }
    }

    /// The TFTP server as DHCP gave it.
    static func choice(_ c: TFTPServerChoice) -> String {
        switch c {
        case .option150(let list): list.map(\.description).joined(separator: ", ") + " (option 150)"
        case .option150Integer(let a): "\(a) (option 150, from an integer)"
        case .option150Text(let text): "\"\(file(text))\" (option 150 sent as text)"
        case .option150Length(let n): "option 150 of \(plural(n, "byte")) (not a multiple of 4)"
        case .option66(let name): "\(file(name)) (option 66)"
        case .nextServer(let a): "\(a) (siaddr)"
        case .none: "none"
        }
    }

    // MARK: Findings

    static func explanation(_ f: BootFinding) -> String {
        switch f.fact {
        case .noPhoneTraffic(let cdp, let dhcp):
            var signs: [String] = []
            if cdp > 0 { signs.append("the switch's CDP offering a voice VLAN (\(plural(cdp, "frame")))") }
            if dhcp > 0 { signs.append("\(plural(dhcp, "DHCP reply")) with a TFTP server") }
            return "The capture shows a phone setup — \(signs.joined(separator: " and ")) — but no 79xx phone: no CDP, DHCP or TFTP from one. It was taken on another port than the phone's, filtered, or started after the phone gave up."
        case .dhcpUnanswered(let asks, let s):
            return "The phone asked for an address \(plural(asks, "time")) over \(seconds(s)) and no DHCP server answered."
        case .dhcpNak(let server):
            return "The DHCP server \(server) refused the phone's request (NAK): the address it asked for is not in the server's pool."
        case .noTFTPServer(let server):
            return "The DHCP server \(server) gave the phone an address but no TFTP server: no option 150, no option 66, no siaddr. The phone has nowhere to fetch its configuration."
        case .optionMalformed(let c, let server):
            switch c {
            case .option150Integer(let a):
                return "Option 150 from \(server) holds \(a): an address typed as an integer (tftpd32's \"i\" type keeps only the first number). The phone asks a TFTP server that does not exist."
            case .option150Text(let text):
                return "Option 150 from \(server) holds the text \"\(file(text))\" (\(plural(text.utf8.count, "byte"))), not an address: the phone ignores it."
            case .option150Length(let n):
                return "Option 150 from \(server) is \(plural(n, "byte")) long, not a multiple of 4: not a list of addresses, and the phone ignores it."
            default:
                return "Option 150 from \(server) is not a list of addresses the phone can use."
            }
        case .tftpSilent(let name, let to, let requests, let unreachable):
            let how = unreachable ? "an ICMP unreachable came back: nothing listens on UDP 69 there" : "nothing answered"
            return "The phone asked \(to.address) for \(file(name)) (\(plural(requests, "request")) in all) and \(how)."
        case .configNotFound(let device, let fallback, let server):
            let names = [device, fallback].compactMap { $0 }.map(file).joined(separator: " and ")
            return "The TFTP server \(server.address) answered \"file not found\" for \(names): the phone gets no configuration and starts again."
        case .trustList(let name, let restarts):
            let again = restarts > 0 ? " It started again \(plural(restarts, "time")) on it." : ""
            return "The phone asked for \(file(name)), a signed configuration: it holds a trust list (ITL/CTL) from another call manager, and the server has none. It will not take an unsigned configuration.\(again)"
        case .loadNotFound(let name, let named, let server):
            let source: String = switch named {
            case .config(let load): "the configuration names \(release(load))"
            case .factoryDefault: "the phone has no load of its own (after a factory reset) and asks for its model's default"
            }
            return "The phone asked for \(file(name)) — \(source) — and the TFTP server \(server.address) answered \"file not found\"."
        case .partMissing(let part, let loads, let other):
            let listed = loads.isEmpty ? "the .loads file" : file(loads)
            var words = "\(listed) lists \(file(part)), and the TFTP server answered \"file not found\" for it."
            if let other { words += " The capture holds a file named \(file(other)): the same name in another case, which a case-sensitive server (tftpd-hpa on Linux) does not match." }
            return words
        case .loadRejected(let load, let running, let fetches):
            let old = running.map { ", still running \(release($0))," } ?? ""
            return "The phone fetched \(release(load)) \(plural(fetches, "time")) and each time came back\(old) and fetched it again: it refuses the load."
        case .upgradePath(let running, let target, let step):
            return "The phone runs \(release(running)) and the configuration names \(release(target)): loads below 8.3(3) refuse loads above 8.5(2) (the signing key changed). It needs \(step) first."
        case .stalled(let name, let block, let bytes, let quiet):
            return "The transfer of \(file(name)) stopped at block \(block) (\(bytes) bytes) and nothing moved for \(seconds(quiet))."
        case .registrationRejected(let p, let reason, let server):
            return "The call manager \(server) refused the phone's \(p.rawValue) registration: \"\(file(reason))\". The phone is not added there, or auto-registration is off."
        case .noRegistrationAnswer(let p, let server, let waited):
            return "The phone sent its \(p.rawValue) registration to \(server) and nothing answered in \(seconds(waited))."
        case .bootLoop(let cycles, let s):
            return "The phone started \(plural(cycles, "time")) in \(seconds(s)) and the capture shows nothing that explains it: no refused file, no refused load, no refused registration."
        case .captureEnded(let after):
            return "The capture ends \(seconds(after)) after the phone's last frame, while it was still booting."
        case .outcomeUnknown(let load, let silence):
            return "The phone fetched \(release(load)) and all its parts; the capture ends \(seconds(silence)) later, before the phone came back with it."
        case .upgraded(let from, let to):
            let before = from.map { " from \(release($0))" } ?? ""
            return "The phone took \(release(to))\(before): it came back announcing it in CDP."
        case .registered(let p, let server, let load):
            let running = load.map { " running \(release($0))" } ?? ""
            return "The phone registered with \(server) over \(p.rawValue)\(running)."
        }
    }

    static func nextStep(_ f: BootFinding) -> String {
        switch f.fact {
        case .optionMalformed(let c, let server):
            switch c {
            case .option150Integer(let a):
                let intended = server.rawValue >> 24 == a.rawValue >> 24 ? server : a
                return "Option 150 holds \(a): tftpd32 read \"i \(intended)\" as an integer; enter \"a \(intended)\" (type a, an address list). With ISC dhcpd declare option 150 as \"array of ip-address\"."
            default:
                return "Send option 150 as an address list: in tftpd32 enter \"a \(server)\"; with ISC dhcpd declare \"option tftp-servers code 150 = array of ip-address;\"; with dnsmasq \"dhcp-option=150,\(server)\"."
            }
        case .configNotFound(let device, _, _):
            let sep = device.map(file) ?? "SEP<MAC>.cnf.xml"
            return "Put XMLDefault.cnf.xml (or \(sep)) in the TFTP server's root folder, with the phone's load in it."
        case .loadNotFound(let name, _, _):
            return "Put \(file(name)) and every part it lists in the TFTP server's root folder, or change the load in the configuration to one the server has (the name without .loads)."
        case .partMissing(let part, _, let other):
            if let other { return "Rename \(file(other)) to \(file(part)) on the TFTP server (the case matters), or serve from a server that ignores case." }
            return "Copy \(file(part)) from the load's zip file into the TFTP server's root folder."
        case .upgradePath(let running, let target, let step):
            return "This phone runs \(shortRelease(running)): load \(step) first, then \(shortRelease(target)) (put the step's .loads and parts on the server and name it in the configuration)."
        case .noTFTPServer(let server):
            return "Give the phone its TFTP server in DHCP option 150 (a list of IP addresses), e.g. \"a \(server)\" in tftpd32 or \"dhcp-option=150,\(server)\" in dnsmasq."
        case .tftpSilent(_, let to, _, let unreachable):
            return unreachable
                ? "Start the TFTP server on \(to.address) (nothing listens on UDP 69), or let UDP 69 through its firewall."
                : "Check that \(to.address) is the laptop, that its TFTP server runs, and that its firewall lets UDP 69 in."
        default:
            return nextStep(f.code)
        }
    }

    // MARK: Cycles

    static func startedBy(_ s: BootCycleStart) -> String {
        switch s {
        case .firstSeen: "first seen"
        case .dhcp: "DHCP again"
        case .newLoad: "new load"
        case .tftpAgain: "files again"
        }
    }

    static func dhcp(_ o: BootDHCPOutcome) -> String {
        switch o {
        case .notSeen: "not seen"
        case .unanswered(let asks, _, _): "\(plural(asks, "ask")), no answer"
        case .offered(let server, let address, _): "offered \(address) by \(server)"
        case .acknowledged(_, let address, _): "\(address)"
        case .nak(let server, _): "NAK from \(server)"
        }
    }

    static func outcome(_ o: BootFileOutcome) -> String {
        switch o {
        case .pending: "no end seen"
        case .transferred(let bytes): "\(bytes) bytes"
        case .error(let e): "ERROR \(e.code.rawValue)"
        case .unanswered: "no answer"
        case .unreachable: "unreachable"
        case .stalled(let block, _, _): "stalled at block \(block)"
        }
    }

    static func registration(_ r: BootRegistration) -> String? {
        switch r {
        case .none: nil
        case .sent(let server, let p, _): "\(p.rawValue) to \(server), no answer"
        case .accepted(let server, let p, _, _): "\(p.rawValue) registered with \(server)"
        case .rejected(let server, let p, let reason, _, _): "\(p.rawValue) rejected by \(server): \"\(file(reason))\""
        }
    }

    // MARK: Notes

    static func note(_ n: BootPhoneNote) -> String {
        switch n {
        case .cyclesNotKept(let n, let max): "\(plural(n, "cycle")) between the first and the latest \(max - 1) were left out"
        case .filesNotKept(let n, let max): "\(plural(n, "file request")) after the first \(max) of a cycle were left out"
        case .beganMidCycle(let frame): "the capture begins in the middle of a boot (frame \(frame)): what came before is not in it"
        }
    }

    static func notice(_ n: BootNotice) -> String {
        switch n {
        case .phonesNotFollowed(let n, let max): "\(n) more 79xx phones were not followed: at most \(max) are"
        }
    }
}

// The words, where callers and tests reach for them on the values.
extension BootVerdictCode {
    public var meaning: String { BootWording.meaning(self) }
    public var nextStep: String { BootWording.nextStep(self) }
}

extension BootFinding {
    public var explanation: String { BootWording.explanation(self) }
    public var nextStep: String { BootWording.nextStep(self) }
}

extension BootEvidence {
    public var what: String { BootWording.evidence(shows) }
}

extension BootPhoneVerdict {
    public var explanation: String { verdict.explanation }
    public var nextStep: String { verdict.nextStep }
}
