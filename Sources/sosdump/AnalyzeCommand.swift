import ArgumentParser
import Foundation
import SOSDump

/// The timing thresholds of docs/verdicts.md, shared by `analyze` and `check`.
struct ThresholdOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds after the final ACK of a good image within which a phone heard from again restarted too soon to have written its flash (RESET_DURING_WRITE; later, in recovery: REVERTED_TO_RECOVERY).", valueName: "seconds"))
    var resetWindow: Double = 20

    @Option(help: ArgumentHelp("Seconds without progress after which a download, a TFTP request or a gateway lookup has failed (TRANSFER_STALLED, TFTP_NO_RESPONSE, NO_GATEWAY) rather than been cut by the capture's end (CAPTURE_ENDED).", valueName: "seconds"))
    var stall: Double = 10

    @Option(help: ArgumentHelp("Seconds valid requests (or the phone's replies) go unanswered before it is NO_PHONE_REPLY (or UTILITY_DEAF) rather than CAPTURE_ENDED.", valueName: "seconds"))
    var noReply: Double = 10

    @Option(help: ArgumentHelp("Boots of a 79xx phone that make a loop when nothing in the capture explains them (BOOT_LOOP).", valueName: "cycles"))
    var loopCycles = 3

    @Option(help: ArgumentHelp("Seconds a 79xx boot may go without progress before it has failed (TRANSFER_STALLED, BOOT_LOOP) rather than been cut by the capture's end (CAPTURE_ENDED).", valueName: "seconds"))
    var noProgress: Double = 60

    @Option(help: ArgumentHelp("Seconds a 79xx phone's registration (or its DHCP) may go unanswered before it is NO_REGISTRATION_ANSWER (NO_DHCP_ANSWER) rather than CAPTURE_ENDED.", valueName: "seconds"))
    var registration: Double = 10

    func validate() throws {
        for (name, value) in [("--reset-window", resetWindow), ("--stall", stall), ("--no-reply", noReply), ("--no-progress", noProgress),
                              ("--registration", registration)] {
            guard value.isFinite, value > 0, value <= 86_400 else { throw ValidationError("\(name) must be a number of seconds above 0 (at most 86400).") }
        }
        guard (2...1000).contains(loopCycles) else { throw ValidationError("--loop-cycles must be a number of boots from 2 to 1000.") }
    }

    var thresholds: RecoveryThresholds { RecoveryThresholds(resetWindow: resetWindow, stall: stall, noReply: noReply) }
    var bootThresholds: BootThresholds { BootThresholds(loopCycles: loopCycles, noProgress: noProgress, registration: registration) }
}

/// `sosdump analyze`: why an S.O.S. recovery failed, one report per capture.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Explain why a phone's S.O.S. recovery failed, or why a Cisco 79xx phone does not come up (or that it worked): one report per capture.",
        discussion: """
            Every phone in recovery mode is followed by its MAC address: the recovery program's \
            DHCP, the utility's requests and the phone's replies, the upgrade order and its echo, \
            the phone's ARP for its gateway, its TFTP request and the download, the loader's \
            checks on the image, the silence while it writes, and what came back (normal \
            firmware, the recovery program again, or nothing). Each phone gets a verdict and the \
            capture the most serious one: RECOVERED, NO_RECOVERY_TRAFFIC, REQUEST_IGNORED, \
            NO_PHONE_REPLY, UTILITY_DEAF, PHONE_BUSY, NO_GATEWAY, TFTP_UNREACHABLE, \
            TFTP_NO_RESPONSE, TFTP_ERROR, TRANSFER_STALLED, CAPTURE_ENDED, IMAGE_REJECTED, \
            RESET_DURING_WRITE, REVERTED_TO_RECOVERY or OUTCOME_UNKNOWN, with the warnings \
            IMAGE_MISMATCH and LOADER_FIRMWARE_MISMATCH as findings. docs/verdicts.md explains \
            each; every finding names its frames (numbered as Wireshark numbers them) and what to \
            do next.

            Every Cisco 79xx phone (by its CDP, its DHCP as "Cisco Systems, Inc. IP Phone", its \
            files) is followed through its boots: the load it runs, DHCP and the TFTP server it \
            gave (option 150, 66, siaddr), every file it asked for and what came of it, the load \
            the configuration names, the .loads and its parts, the SCCP or SIP registration. Its \
            verdict is one of REGISTERED, UPGRADED, NO_DHCP_ANSWER, NO_TFTP_SERVER, \
            TFTP_OPTION_MALFORMED, TFTP_SERVER_SILENT, TRUST_LIST_MISMATCH, CONFIG_NOT_FOUND, \
            LOAD_NOT_FOUND, LOAD_PART_MISSING, LOAD_REJECTED, UPGRADE_PATH, REGISTRATION_REJECTED, \
            NO_REGISTRATION_ANSWER, BOOT_LOOP, TRANSFER_STALLED, CAPTURE_ENDED, OUTCOME_UNKNOWN; \
            a capture with a phone setup and no phone is NO_PHONE_TRAFFIC. The text report shows \
            its boots as a short table.

            The text report has a header line with the verdict, each phone's timeline (only the \
            frames that matter), its download and image, its findings and the next step; colour \
            only on a terminal, never when NO_COLOR is set. With --format json, one JSON object \
            per capture per line (docs/analysis-json.md). With --format html, one page for all the \
            captures, whole in itself (no script, font or style from elsewhere; it prints): per \
            phone its verdict, a chart of who spoke when, each download's blocks against time \
            (retransmissions, gaps, the stall and the final block marked), the image checks, the \
            findings and the timeline: sosdump analyze --format html FILE > report.html.

            Exit status: 0 when every capture was analysed, whatever the verdicts; 1 when a capture \
            is damaged (it is analysed up to the damage; the verdict CAPTURE_DAMAGED, the report \
            and a warning say where); 2 when a capture could not be read at all (the others are \
            still analysed); 64 for a usage error.
            """
    )

    /// What `--format` takes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
        case html
    }

    @Option(help: "text, json or html.")
    var format: Format = .text

    @OptionGroup var thresholdOptions: ThresholdOptions

    @OptionGroup var keepOptions: KeepOptions<KeepForAnalysis>

    @OptionGroup var catalogOptions: CatalogOptions

    @Flag(help: "Print the report of what `sosdump share` would write: the same pseudonyms for addresses, serials and names (with the same key), and the shared file's frame numbers.")
    var redact = false

    @OptionGroup var key: PseudonymKeyOptions

    @Option(name: .customShort("r"), help: ArgumentHelp("Read this capture, as tcpdump -r does (- for standard input); may be given more than once.", valueName: "file"))
    var readFiles: [String] = []

    @Flag(name: .customShort("n"), help: "Taken for tcpdump's habit; sosdump never resolves names.")
    var noNames = false

    @Argument(help: "pcap or pcapng files (- for standard input).")
    var files: [String] = []

    func validate() throws {
        if captures.isEmpty { throw ValidationError("Name at least one capture to analyse.") }
    }

    func run() throws {
        let catalog = try catalogOptions.load()
        var limits = CaptureAnalysis.Limits()
        limits.tracker = keepOptions.trackerLimits(keep: .images)
        let text = AnalysisText(style: AnalysisText.Style(colour: Self.colourWanted()))
        var output = StandardOutput()
        var unreadable = false, damaged = false
        var pages: [AnalysisReport] = []
        let pseudonyms = redact ? Pseudonyms(key: try key.load()) : nil
        for (i, file) in captures.enumerated() {
            output.flush()
            let source = try SpooledCapture(redact ? file : "")
            defer { source.remove() }
            guard let reader = try? openCapture(redact ? source.path : file, name: file) else {
                unreadable = true
                continue
            }
            var (conclusion, damage) = CaptureAnalysis.analyze(reader, catalog: catalog, thresholds: thresholdOptions.thresholds,
                                                                 bootThresholds: thresholdOptions.bootThresholds, limits: limits)
            if let pseudonyms, let again = try? openCapture(source.path, name: file) {
                // The report of the shared capture, as `share` writes it.
                let redactor = FrameRedactor(pseudonyms: pseudonyms, followed: conclusion.followed)
                let shared = CaptureAnalysis.analyzeShared(again, selection: ShareSelection(followed: conclusion.followed), redactor: redactor,
                                                           catalog: catalog, thresholds: thresholdOptions.thresholds, limits: limits)
                // The shared file's own comment, as `share` writes it: the report of that file shows it.
                let comment = ShareWording.comment(followed: conclusion.followed, redacted: true,
                                                   damagedAfterFrame: damage == nil ? nil : conclusion.sos.frames)
                conclusion = shared.conclusion
                conclusion.comments.capture = [comment]
                damage = shared.summary.damage ?? damage
            }
            let damageLine = damage.map { PacketListing.damageLine($0, framesRead: reader.framesRead) }
            let report = AnalysisReport(file: file, conclusion: conclusion, damage: damage.map { "\($0); stopped after frame \(reader.framesRead)" },
                                        warnings: reader.warnings.map { "\($0)" })
            switch format {
            case .text:
                if i > 0 { output.write("") }
                text.lines(report).forEach { output.write($0) }
            case .json:
                output.write(report.json)
            case .html:
                pages.append(report)
            }
            output.flush()
            if let damageLine {
                warn("\(file): \(damageLine)")
                damaged = true
            }
        }
        if format == .html, !pages.isEmpty { output.write(AnalysisHTML().document(pages)) }
        output.flush()
        if unreadable { throw ExitStatus.unreadable }
        // As `packets` does: what was read is reported, and the status says the file is damaged.
        if damaged { throw ExitStatus.damaged }
    }

    /// The captures named, with -r and as words.
    var captures: [String] { readFiles + files }

    /// Colour on a terminal only, and never when NO_COLOR is set (no-color.org).
    static func colourWanted() -> Bool {
        guard ProcessInfo.processInfo.environment["NO_COLOR"] == nil else { return false }
        return isatty(1) == 1
    }
}
