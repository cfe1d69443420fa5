import ArgumentParser
import Foundation
import SOSDump
import SOSDumpLive

/// `sosdump recover`: the vendor's recovery utility, for Linux, with the
/// diagnosis running beside it.
struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Bring a SPA30x/SPA50x phone in S.O.S. recovery mode back: find it, send it the image, and say why if it will not come back.",
        discussion: """
            The image comes from a firmware .bin, the vendor's bundle .zip, or the vendor's \
            *-recovery.exe (the image inside is found by its header). The phone's loader checks run \
            on it first: an image the loader would reject is refused, and the check that fails is \
            named. Then sosdump joins 234.4.8.10 on the interface, asks for phones from UDP port \
            4811 once a second (the phone listens only between its tries of its own URLs: 5, 10, \
            20 … s), shows the phone that answers, checks the community's loader/firmware pairing \
            rule and asks before it sends the upgrade order (--yes: do not ask). It serves the image \
            by TFTP on port 69 as the phone expects (its request and ACKs come to 234.4.8.10; DATA \
            go from a new port), with a progress bar, then waits for the phone to come back and \
            prints the verdict `sosdump analyze` gives the capture (-w saves it).

            Beside its sockets it captures with libpcap on the same interface, so it says at once \
            what goes wrong: port 69 or 4811 taken (and by which program), the phone's replies or \
            its TFTP request reaching the wire but not sosdump (a firewall), the phone's gateway \
            not answering its ARP (--answer-gateway answers it), the phone silent or trying its \
            URLs, the transfer stalling, the phone back in recovery. docs/recover.md explains each \
            message.

            It sends nothing but the recovery protocol, the image and (with --answer-gateway) ARP \
            replies to the phone, and only on the interface given.

            Needs root, or the capabilities CAP_NET_RAW and CAP_NET_BIND_SERVICE: \
            sudo \(RecoverPrivileges.setcapCommand)

            Exit status: 0 when the phone came back with normal firmware (RECOVERED); 1 when it did \
            not (the verdict says why), or the run was stopped; 2 when it could not start (no \
            privileges, no such interface or no IPv4 address on it, port 69 or 4811 taken, or the \
            file cannot be read); 3 when the loader would reject the image; 4 when the file holds no \
            image; 64 for a usage error; 73 when the -w file cannot be written.
            """
    )

    @Option(name: .customShort("i"), help: ArgumentHelp("The interface the phone is plugged into (its network).", valueName: "interface"))
    var interface: String

    @Option(help: ArgumentHelp("The firmware image: a .bin, or the vendor's *-recovery.exe.", valueName: "file"))
    var image: String?

    @Option(help: ArgumentHelp("The vendor's firmware bundle (.zip).", valueName: "file"))
    var bundle: String?

    @Option(help: ArgumentHelp("The phone's serial, as on its label; FFFFFFFFFFFF asks any phone.", valueName: "serial"))
    var serial = SOSRecovery.wildcardSerial

    @Flag(help: "Send the upgrade order without asking.")
    var yes = false

    @Option(name: .customShort("w"), help: ArgumentHelp("Also write every captured frame to this pcapng file.", valueName: "file"))
    var writeFile: String?

    @Flag(help: "Answer the phone's ARP for its gateway with this PC's MAC address, for this run (when no gateway answers).")
    var answerGateway = false

    @Option(help: ArgumentHelp("Stop asking for phones after this many seconds.", valueName: "seconds"))
    var giveUp: Double = 600

    @Option(help: ArgumentHelp("After the transfer, wait this many seconds at most for the phone to come back.", valueName: "seconds"))
    var watch: Double = 300

    @OptionGroup var thresholdOptions: ThresholdOptions

    @OptionGroup var catalogOptions: CatalogOptions

    func validate() throws {
        guard (image == nil) != (bundle == nil) else { throw ValidationError("Give the image with --image FILE or --bundle FILE (one of them).") }
        guard giveUp >= 1, giveUp <= 86_400, watch >= 1, watch <= 86_400 else {
            throw ValidationError("--give-up and --watch take seconds between 1 and 86400.")
        }
        guard !serial.isEmpty, serial.utf8.count < SOSLayout.serialLength, serial.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ValidationError("--serial takes the serial as on the phone's label (at most 19 characters), or FFFFFFFFFFFF.")
        }
    }

    /// 1: the phone did not come back (or the run was stopped).
    static let notRecovered = ExitCode(1)

    func run() throws {
        // The image first: it needs no privileges, and nothing is sent for a bad one.
        let path = image ?? bundle ?? ""
        let loaded: RecoveryImageSource.Image
        do {
            loaded = try RecoveryImageSource.load(path: path)
        } catch {
            warn(RecoverWording.refusal(error))
            switch error {
            case .unreadable: throw ExitStatus.unreadable
            case .noImage: throw ExitStatus.notAnImage
            case .rejected: throw ExitStatus.rejected
            }
        }
        let view = RecoverView()
        view.say(RecoverWording.image(loaded, path: path))

        let missing = RecoverPrivileges.missing()
        guard missing.isEmpty else {
            warn(RecoverPrivileges.message(missing: missing))
            throw ExitStatus.unreadable
        }
        let lookUp = NetworkInterface.lookUp(interface)
        guard lookUp.exists else {
            warn(LiveCaptureError.noSuchInterface(name: interface, available: lookUp.available).description)
            throw ExitStatus.unreadable
        }
        guard let address = InterfaceAddress.of(interface) else {
            warn("\(interface) has no IPv4 address. Give it one in the phone's subnet (the phone keeps the address it last had, 169.254.87.1 when it never had one), e.g. sudo ip addr add 169.254.87.2/16 dev \(interface)")
            throw ExitStatus.unreadable
        }
        let catalog = try catalogOptions.load()

        var options = LiveCapture.Options(interface: interface)
        // Only what comes to this PC, the group and broadcasts: no promiscuous mode (and no CAP_NET_ADMIN).
        options.promiscuous = false
        let capture: LiveCapture
        do {
            capture = try LiveCapture(options)
        } catch {
            warn(error.description)
            throw ExitStatus.unreadable
        }
        var utility = RecoveryUtility.Configuration(fileName: loaded.orderName)
        utility.serial = serial
        utility.requests = Int(giveUp.rounded(.up))
        utility.confirmsUpgrade = true
        utility.upgradeRetries = 30
        utility.tftp = RecoveryTFTPServer.Configuration(image: loaded.bytes, fileName: loaded.orderName)
        utility.rrqWait = 20
        utility.stallGiveUp = thresholdOptions.stall
        utility.watchSeconds = watch
        utility.watchInterval = 2
        var sessionOptions = RecoverySession.Options(interface: interface, address: address)
        sessionOptions.answerGateway = answerGateway
        sessionOptions.imageVersion = loaded.verification.version
        let session: RecoverySession
        do {
            session = try RecoverySession(
                capture: capture,
                analysis: LiveAnalysis(catalog: catalog, thresholds: thresholdOptions.thresholds),
                utility: RecoveryUtility(utility), options: sessionOptions)
        } catch {
            switch error {
            case .portInUse(let port, let holders): warn(RecoverWording.portInUse(port, holders: holders.map(\.description)))
            case .socket(let e): warn("cannot open the recovery sockets on \(interface): \(e)")
            }
            throw ExitStatus.unreadable
        }
        // The -w file only once the sockets are ours: a run that cannot start leaves no file.
        if let writeFile {
            do {
                session.writer = try PcapngWriter(path: writeFile, application: SOSDumpCommand.configuration.version)
            } catch {
                warn(error.description)
                throw ExitStatus.cannotWrite
            }
        }

        view.say("Asking for phones on \(interface) (\(address.address)/\(address.prefixLength)): requests to 234.4.8.10 port 4810, serial \(serial); replies, the TFTP request and ACKs expected on 234.4.8.10. Power the phone on (S.O.S. on its screen) if it is not.")
        StopSignals.install(breaking: capture)
        let result = session.run(
            onEvent: { view.show($0) },
            confirm: { phone in
                if yes { return true }
                return view.ask("Send the upgrade order to this phone? [y/N] ")
            },
            onTick: { view.progress($0) })
        view.endProgress()
        capture.close()

        let report = AnalysisReport(file: writeFile ?? "live capture on \(interface)", analysis: result.conclusion)
        view.say("")
        let text = AnalysisText(style: AnalysisText.Style(colour: AnalyzeCommand.colourWanted()))
        var output = StandardOutput()
        text.lines(report).forEach { output.write($0) }
        output.flush()
        if let dropped = result.summary.droppedByKernel, dropped > 0 {
            warn("warning: the kernel dropped \(dropped) frames: the verdict may miss some of them.")
        }
        if let error = result.writeError {
            warn(error.description)
            throw ExitStatus.cannotWrite
        }
        if case .failed(let message) = result.ending { warn(message) }
        let phone = result.conclusion.phones.first { p in session.utility.phones.contains { $0.mac == p.identity.mac } }
        guard phone?.code == .recovered else { throw Self.notRecovered }
    }
}

/// What `sosdump recover` shows: one line per event, each verdict once,
/// and the transfer's progress bar (redrawn in place on a terminal; every
/// quarter otherwise).
final class RecoverView {
    let isTerminal = isatty(1) == 1
    private var barShown = false
    private var lastQuarter = -1
    private var verdictsShown: Set<String> = []
    private var watching = false
    private var backShown = false

    /// A line naming what the phone sent and the files given: escaped, as
    /// every text renderer's lines are (docs/hostile-input.md).
    func say(_ line: String) {
        endProgress()
        StandardOutput.writeNow(TerminalText.escaped(line) + "\n")
    }

    func show(_ event: RecoverEvent) {
        switch event {
        case .note(let note):
            switch note {
            case .phoneReplied(_, let first):
                // The phone found is shown with the question; a reply after the image: once.
                if !first, watching, !backShown {
                    backShown = true
                    say(clock() + "The phone answers the requests again: it is in recovery again (its verdict follows).")
                }
            case .confirmationNeeded(let phone):
                RecoverWording.phoneFound(phone).forEach { say(clock() + $0) }
            case .tftpAnswering:
                break
            case .watching(_, let seconds):
                watching = true
                say(clock() + "Image sent. The phone checks it, writes its flash and restarts: do not power it off. Waiting up to \(Int(seconds)) s for it to come back.")
            default:
                say(clock() + UtilityWording.line(note))
            }
        case .diagnosis(let d):
            RecoverWording.lines(d).forEach { say(clock() + $0) }
        case .analysis(let e):
            if case .phoneVerdict(let v, _) = e, verdictsShown.insert("\(v.identity.mac) \(v.code.rawValue)").inserted {
                RecoverWording.verdict(v).forEach { say(clock() + $0) }
            }
        }
    }

    func ask(_ question: String) -> Bool {
        endProgress()
        StandardOutput.writeNow(TerminalText.escaped(question))
        guard let answer = readLine() else {
            StandardOutput.writeNow("\n")
            return false
        }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The open transfer's bar: blocks acknowledged of the image's.
    func progress(_ utility: RecoveryUtility) {
        guard let server = utility.server, let t = server.transfers.last(where: { $0.outcome == nil && $0.block > 0 }) else { return }
        let total = server.blockCount
        let done = max(0, t.block - 1)
        let fraction = Double(done) / Double(max(total, 1))
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            StandardOutput.writeNow("\r[\(bar)] \(Int(fraction * 100))% block \(t.block) of \(total) to \(t.client)")
            barShown = true
        } else if Int(fraction * 4) > lastQuarter {
            lastQuarter = Int(fraction * 4)
            StandardOutput.writeNow(clock() + "TFTP: \(Int(fraction * 100))%: block \(t.block) of \(total) to \(t.client)\n")
        }
    }

    func endProgress() {
        if barShown { StandardOutput.writeNow("\r\u{1B}[2K") }
        barShown = false
    }

    private func clock() -> String {
        var t = time(nil)
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) "
    }
}
