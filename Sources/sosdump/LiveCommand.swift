import ArgumentParser
import Foundation
import SOSDump
import SOSDumpLive

/// `sosdump live`: capture on an interface and report, as it happens, the
/// transfers and each phone's verdict; optionally write what was seen as
/// pcapng.
struct LiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Watch a recovery as it happens: capture on an interface, follow transfers and phones, say why it stalled.",
        discussion: """
            Frames are captured with libpcap (immediate mode, nanosecond timestamps) and go through \
            the same decoding and phone stories as `sosdump analyze` on a file. Each phone's verdict \
            is printed as soon as the frames (or a threshold running out) decide it, and again if the \
            phone does more; when the run ends, the whole capture is concluded as `sosdump analyze` \
            concludes the -w file. On a terminal, each open transfer has a status line with a progress \
            bar (blocks, bytes, rate, time since its last block) under the event lines; otherwise one \
            line per event. With --format json, one JSON object per line per event: capture-started, \
            transfer-started, transfer-progress (every --progress-every blocks), transfer-ended (the \
            object `sosdump transfers --format json` gives the transfer), phone-verdict, concluded \
            (the verdicts of `sosdump analyze --format json`) and capture-ended (frames, transfers, \
            libpcap's received and dropped counts).

            FILTER is a BPF expression as tcpdump takes it (pcap-filter(7)), the words after the \
            options. The default keeps what the analysis reads, VLAN-tagged frames included: \
            \(CaptureFilter.defaultExpression(for: .ethernet)) (on Ethernet; -i any gets the same \
            without the vlan parts).

            The run ends after -c frames, after --duration seconds, or at Ctrl-C (SIGINT) or \
            SIGTERM, with the conclusion and a summary; every transfer still open is then ended as at \
            the end of a file.

            Capturing needs privileges: run as root, or give the binary the capabilities once with \
            `sudo \(LiveCaptureError.setcapCommand)`.

            Exit status: 0 when the run ended by -c, --duration or a signal; 1 when reading stopped \
            (the interface went away; everything before was reported); 2 when capture could not \
            start (no such interface, no privileges, interface down); 64 for a usage error (a filter \
            that does not compile included); 73 when the -w file cannot be written.
            """
    )

    @Option(name: .customShort("i"), help: ArgumentHelp("The interface to capture on, or any.", valueName: "interface"))
    var interface: String?

    @Flag(name: [.customShort("D"), .customLong("list-interfaces")], help: "List the interfaces libpcap can capture on, and exit.")
    var listInterfaces = false

    @Option(name: .customShort("w"), help: ArgumentHelp("Also write every captured frame to this pcapng file.", valueName: "file"))
    var writeFile: String?

    @Option(name: .customShort("c"), help: ArgumentHelp("Stop after this many frames.", valueName: "count"))
    var count: Int?

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
    var duration: Double?

    @Option(name: .customShort("s"), help: ArgumentHelp(
        "Bytes kept of each frame; 0 for 262144 (default: the interface's MTU + 64, at least 1980).", valueName: "snaplen"))
    var snapLength: Int?

    @Flag(name: .customShort("p"), help: "Do not put the interface into promiscuous mode.")
    var noPromiscuous = false

    @Option(name: .customShort("B"), help: ArgumentHelp("The kernel's capture buffer (ring) in KiB.", valueName: "KiB"))
    var bufferKiB = LiveCapture.defaultBufferSize >> 10

    /// What `--format` takes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Option(help: "text or json.")
    var format: Format = .text

    @Option(help: ArgumentHelp("A progress event every this many blocks of a transfer.", valueName: "blocks"))
    var progressEvery = 64

    @OptionGroup var thresholdOptions: ThresholdOptions

    @OptionGroup var catalogOptions: CatalogOptions

    @Argument(parsing: .remaining, help: ArgumentHelp("A BPF filter expression (default: what the analysis needs).", valueName: "filter"))
    var filterWords: [String] = []

    func validate() throws {
        if listInterfaces { return }
        guard interface != nil else { throw ValidationError("-i INTERFACE is required (sosdump live -D lists them).") }
        if let count, count < 1 { throw ValidationError("-c needs a positive number of frames.") }
        if let duration, !(duration > 0) { throw ValidationError("--duration needs a positive number of seconds.") }
        if let snapLength, snapLength < 0 || snapLength > LiveCapture.maximumSnapLength {
            throw ValidationError("-s must be between 0 and \(LiveCapture.maximumSnapLength).")
        }
        guard bufferKiB >= 1, bufferKiB <= 1 << 21 else { throw ValidationError("-B must be between 1 and 2097152 KiB.") }
        guard progressEvery >= 1 else { throw ValidationError("--progress-every needs a positive number of blocks.") }
    }

    func run() throws {
        if listInterfaces { return try printInterfaces() }
        guard let interface else { throw ExitCode.validationFailure }
        let catalog = try catalogOptions.load()

        var options = LiveCapture.Options(interface: interface)
        options.snapLength = snapLength
        options.promiscuous = !noPromiscuous
        options.bufferSize = bufferKiB << 10
        options.filter = CaptureFilter.expression(fromWords: filterWords)
        let capture: LiveCapture
        do {
            capture = try LiveCapture(options)
        } catch {
            warn(error.description)
            if case .badFilter = error { throw ExitCode.validationFailure }
            throw ExitStatus.unreadable
        }
        for warning in capture.warnings { warn("warning: \(warning)") }

        // A closed standard output is seen as EPIPE (LiveView stops the run),
        // and a file past `ulimit -f` as EFBIG: neither may kill the process
        // before the `-w` file is closed whole.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        var writer: PcapngWriter?
        if let writeFile {
            do {
                writer = try PcapngWriter(path: writeFile, application: SOSDumpCommand.configuration.version)
            } catch {
                warn(error.description)
                throw ExitStatus.cannotWrite
            }
        }

        var limits = LiveSession.Limits(frames: count, seconds: duration)
        let view = LiveView(format: format)
        limits.tickSeconds = view.isTerminal ? 0.2 : 1
        let session = LiveSession(capture: capture, writer: writer,
                                  analysis: LiveAnalysis(catalog: catalog, thresholds: thresholdOptions.thresholds,
                                                         bootThresholds: thresholdOptions.bootThresholds, progressEvery: progressEvery),
                                  limits: limits)
        session.capturePromiscuous = options.promiscuous
        StopSignals.install(breaking: capture)
        let summary = session.run(onEvent: { view.show($0) }, onTick: { analysis, now in view.tick(analysis.openTransfers, now: now) })
        view.end()
        capture.close()

        if let dropped = summary.droppedByKernel, dropped > 0 {
            warn("warning: the kernel dropped \(dropped) frames that passed the filter: sosdump did not keep up. A larger -B, or a narrower filter, helps.")
        }
        if session.analysis.evictedTransfers > 0 {
            warn("warning: \(session.analysis.evictedTransfers) transfers were ended early: more than \(session.analysis.peakOpenTransfers) were open at once, the most the memory budget held")
        }
        if let error = session.writeError {
            warn(error.description)
            throw ExitStatus.cannotWrite
        }
        if case .failed(let message) = summary.reason {
            warn("warning: \(message)")
            throw ExitStatus.damaged
        }
    }

    private func printInterfaces() throws {
        do {
            var output = StandardOutput()
            for (index, interface) in try NetworkInterface.all().enumerated() {
                output.write(TerminalText.escaped("\(index + 1).\(interface.listing)"))
            }
            output.flush()
        } catch {
            warn(error.description)
            throw ExitStatus.unreadable
        }
    }
}
