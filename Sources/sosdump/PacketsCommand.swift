import ArgumentParser
import Foundation
import SOSDump
import SOSDumpLive

/// `sosdump packets`: one line per frame, to compare sosdump's view of a
/// capture with tcpdump's and tshark's.
struct PacketsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "packets",
        abstract: "Print one line per frame, much like `tcpdump -n -e`.",
        discussion: """
            Each line holds the frame number (from 1, as Wireshark numbers frames), the \
            capture time in UTC with the file's precision, the interface (its pcapng name, \
            or #index) and link type, the link-layer addresses and VLAN tags, and the \
            protocol summary. BOOTP/DHCP (UDP port 67 or 68) prints as tcpdump prints it, \
            with the transaction id and the DHCP message type; S.O.S. recovery messages \
            (`RECM` at offset 4, any port) print as `S.O.S. request (op 0), serial …` with \
            the fields of each kind; TFTP to or from port 69 as tcpdump prints it (`TFTP, \
            length 29, RRQ "file" octet`; `sosdump transfers` follows whole transfers); CDP \
            and LLDP as what a phone or switch says (device id, platform, running load, voice \
            VLAN); SCCP (TCP port 2000) as the messages a segment completes, the stream put \
            back in order first (`SCCP RegisterMessage SEP… type 435 …`, with gaps noted); \
            SIP (port 5060) as its start line, CSeq and Call-ID; other \
            protocols above UDP print as `UDP, length N`. A frame \
            that does not decode says in brackets where it stopped and why: cut by the snap \
            length, or malformed. Bad checksums, reassembly limits, DHCP options that break \
            their format (option 150 sent as text) and the rules an S.O.S. message breaks (the \
            phone drops it) are noted the same way.

            With --format json, each frame is one JSON object on its own line (JSON Lines); \
            DHCP frames have a `dhcp` object with the fixed fields and every option, S.O.S. \
            messages an `sos` object with their fields and `rules_broken`; `cdp`, `lldp`, \
            `sccp` (a list) and `sip` objects likewise.

            As with tcpdump: `-r FILE` (or the file as a word; several files are read one after \
            another, their frames numbered on), `-c N` or `-c1`, `-n` (sosdump never resolves \
            names), and a read filter after the files in BPF syntax (`sosdump packets -r f.pcap \
            udp port 69`), compiled by libpcap; frames keep their numbers in the file.
            """
    )

    @Option(name: .shortAndLong, help: "Stop after this many frames.")
    var count: Int?

    /// What `--format` takes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json

        /// The library's listing format of the same name.
        var listing: PacketListing.Format {
            switch self {
            case .text: .text
            case .json: .json
            }
        }
    }

    @Option(help: "text or json.")
    var format: Format = .text

    @OptionGroup var input: CapturesAndFilter

    func validate() throws {
        if let count, count < 1 { throw ValidationError("-c needs a positive number of frames.") }
    }

    func run() throws {
        let filter = try input.filter()
        var output = StandardOutput()
        var printed = 0
        var numbered = 0
        let decoder = FrameDecoder()
        for file in input.files where printed < (count ?? .max) {
            let reader = try openCapture(file)
            let listing = PacketListing(reader: reader, format: format.listing, decoder: decoder)
            listing.numberOffset = numbered
            if filter.filter != nil { listing.filter = filter.passes }
            do {
                while printed < (count ?? .max), let line = try listing.nextLine() {
                    output.write(line)
                    printed += 1
                }
            } catch {
                output.flush()
                warn(PacketListing.damageLine(error, framesRead: reader.framesRead))
                throw ExitStatus.damaged
            }
            numbered += reader.framesRead
            output.flush()
            for warning in reader.warnings { warn("warning: \(warning)") }
        }
        try filter.check()
    }
}
