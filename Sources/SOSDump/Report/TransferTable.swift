import Foundation

/// `sosdump transfers` as text: one row per transfer under a header, with
/// indented lines below a row for what a person should know about it
/// (where the request went, options, digests, retransmissions, gaps, the
/// error or the stall).
public struct TransferTable {
    public private(set) var rows: [[String]] = []
    private var details: [[String]] = []

    public static let header = ["#", "FRAME", "TIME (UTC)", "CLIENT", "SERVER", "OP", "FILE", "BYTES", "BLOCKS", "SECONDS", "RATE", "OUTCOME"]

    public init() {}

    /// Every cell and detail line goes through `TerminalText.escaped`: the
    /// file name, options, ERROR message and image version came from the
    /// capture, the catalog's words from a file.
    public mutating func append(_ t: TFTPTransfer, record r: TransferRecord) {
        rows.append(Self.row(t, r))
        details.append(Self.escapedDetails(r))
    }

    /// A transfer's row of cells, escaped for a terminal.
    static func row(_ t: TFTPTransfer, _ r: TransferRecord) -> [String] {
        [String(r.number), String(r.requestFrame), t.request.time.utcText, r.client, r.server ?? "-", r.direction,
         r.file, String(r.bytes), String(r.blocks), Self.fixed(r.seconds, 3),
         r.bytesPerSecond.map(Self.rate) ?? "-", r.outcome].map { TerminalText.escaped($0) }
    }

    /// The lines under a transfer's row, escaped for a terminal.
    static func escapedDetails(_ r: TransferRecord) -> [String] { details(r).map { TerminalText.escaped($0) } }

    /// One line of cells, each but the last padded to its column's width
    /// and two spaces (a cell wider than its column pushes the rest).
    static func line(_ cells: [String], widths: [Int]) -> String { block(cells, details: [], widths: widths) }

    /// A row's line and its detail lines below it, as one text (the lines
    /// joined by newlines), made as bytes: one string a cell and another a
    /// padding, then an array of lines, were a third of the table's cost
    /// on the boot storm.
    static func block(_ cells: [String], details: [String], widths: [Int]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(widths.reduce(2 * cells.count, +) + details.count * 80)
        for (i, cell) in cells.enumerated() {
            bytes.append(contentsOf: cell.utf8)
            guard i < cells.count - 1 else { break }
            let count = cell.count
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(count, i < widths.count ? widths[i] : 0) + 2 - count))
        }
        for note in details {
            bytes.append(UInt8(ascii: "\n"))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 4))
            bytes.append(contentsOf: note.utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The table, its columns padded to their widest cell.
    public func lines() -> [String] {
        var widths = Self.header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = [Self.line(Self.header, widths: widths)]
        for (row, notes) in zip(rows, details) {
            out.append(Self.line(row, widths: widths))
            out.append(contentsOf: notes.map { "    " + $0 })
        }
        return out
    }

    /// Seconds of silence at the end of a capture below which a transfer's
    /// stop says nothing (TFTP peers retry after one to five seconds).
    static let tooSoonToTell = 5.0

    static func details(_ r: TransferRecord) -> [String] {
        var notes: [String] = []
        if r.requests > 1 || r.server.map({ !$0.hasPrefix(Self.host(r.requestTo)) }) ?? true {
            let times = r.requests > 1 ? ", sent \(r.requests) times" : ""
            notes.append("request to \(r.requestTo)\(times)")
        }
        if !r.requestedOptions.isEmpty || r.acceptedOptions != nil {
            var text = "options asked: " + Self.options(r.requestedOptions)
            if let accepted = r.acceptedOptions { text += "; accepted: " + Self.options(accepted) }
            notes.append(text)
        }
        if let size = r.size, r.complete {
            notes.append("file \(size) bytes, sha256 \(r.sha256 ?? "(not computed)")")
        } else if let size = r.size {
            notes.append("file \(size) bytes, \(r.bytes) of them captured")
        }
        if r.sizeMismatch == true, let announced = r.announcedSize {
            notes.append("tsize announced \(announced) bytes but the file is \(r.size ?? r.bytes)")
        }
        if r.dataNotCaptured == true, let acked = r.acknowledgedThrough {
            let end = r.completedByAcknowledgment == true ? ", and nothing more was asked for: complete by its ACKs" : ""
            notes.append("DATA not in the capture (filtered?): the receiver's ACKs prove blocks 1-\(acked) arrived\(end); the file cannot be rebuilt or checked")
        } else if r.completedByAcknowledgment == true, let acked = r.acknowledgedThrough {
            notes.append("the final DATA is not in the capture, but the receiver acknowledged block \(acked) and asked for nothing more: complete by its ACKs")
        }
        if let o = r.corruptedData {
            notes.append("\(o.count) DATA with a bad UDP checksum (first in frame \(o.firstFrame)): the receiver drops them, so they were not delivered")
        }
        if let n = r.duplicateFrames { notes.append("\(n) packets captured twice (two interfaces or merged files), counted once") }
        if let o = r.retransmittedData { notes.append("DATA retransmitted \(o.count) times (first in frame \(o.firstFrame))") }
        if let o = r.repeatedAcks { notes.append("ACKs repeated \(o.count) times (first in frame \(o.firstFrame))") }
        if let frame = r.sorcerersApprenticeFrame {
            notes.append("Sorcerer's Apprentice: from frame \(frame) each repeated ACK drew a repeated DATA")
        }
        if let o = r.outOfOrderBlocks { notes.append("\(o.count) blocks out of order (first in frame \(o.firstFrame))") }
        if let n = r.blocksPeerMissed { notes.append("\(n) blocks sent but not received: the receiver asked for them again") }
        if let o = r.foreignPackets {
            notes.append("\(o.count) packets to the client from another port, ignored (first in frame \(o.firstFrame))")
        }
        for gap in r.gaps ?? [] {
            let blocks = gap.firstBlock == gap.lastBlock ? "block \(gap.firstBlock)" : "blocks \(gap.firstBlock)-\(gap.lastBlock)"
            let why = gap.cutBySnapLength ? "cut by the capture's snap length"
                : gap.acknowledged ? "not in the capture, but the receiver acknowledged them"
                : "not in the capture, and nothing shows the receiver got them"
            notes.append("gap: \(blocks) (bytes \(gap.offset)..<\(gap.offset + gap.length)): \(why)")
        }
        if let e = r.error {
            let text = e.message.isEmpty ? "" : " \"\(e.message)\""
            notes.append("ERROR \(e.code) (\(e.name))\(text) from the \(e.sentBy), frame \(e.frame)")
        }
        if let u = r.unreachable {
            notes.append("ICMP from \(u.reporter), frame \(u.frame): \(u.message) (drawn by the \(u.drawnBy))")
        }
        if let s = r.stall {
            let when = s.block == 0 ? "no block arrived" : "progress stopped at block \(s.block) (frame \(s.frame))"
            var text: String
            if let superseded = s.supersededByFrame {
                text = "\(when); the \(s.quietSide) went quiet; last frame \(s.lastFrame); the client started over in frame \(superseded)"
            } else if s.silenceBeforeCaptureEnd < Self.tooSoonToTell {
                // A peer waits a few seconds before it tries again: a capture
                // that ends sooner says nothing about who went quiet.
                text = "\(when); the capture ends \(Self.fixed(s.silenceBeforeCaptureEnd, 3)) s after its last frame (\(s.lastFrame)): too soon to tell whether it would have gone on"
            } else {
                text = "\(when); the \(s.quietSide) went quiet; last frame \(s.lastFrame), \(Self.fixed(s.silenceBeforeCaptureEnd, 3)) s before the capture ends"
            }
            notes.append(text)
        }
        if let image = r.image {
            let partial = image.extent == "prefix" ? " (its first \(image.size) bytes)" : ""
            if !image.hasImageMagic {
                notes.append("not an SPA30x/SPA50x firmware image: its first bytes are not the image magic (another model's image, or not firmware)")
            }
            notes.append("firmware image \(image.version ?? "of unreadable version")\(partial): the loader \(image.loaderText)")
            notes.append("catalog: \(image.catalogText)")
        }
        notes.append(contentsOf: (r.anomalies ?? []).map { "anomaly: " + $0 })
        return notes
    }

    private static func options(_ options: [TransferRecord.Option]) -> String {
        options.isEmpty ? "none" : options.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    /// The address part of `a:port` or `[a]:port`.
    private static func host(_ endpoint: String) -> String {
        guard let colon = endpoint.lastIndex(of: ":") else { return endpoint }
        return String(endpoint[..<colon])
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        guard digits > 0 else { return (value < 0 ? "-" : "") + "\(scaled)" }
        let whole = scaled / Int64(scale), fraction = scaled % Int64(scale)
        var fractionText = "\(fraction)"
        while fractionText.count < digits { fractionText = "0" + fractionText }
        return (value < 0 ? "-" : "") + "\(whole).\(fractionText)"
    }

    static func rate(_ bytesPerSecond: Double) -> String {
        if bytesPerSecond >= 1_048_576 { return fixed(bytesPerSecond / Double(1 << 20), 1) + " MiB/s" }
        if bytesPerSecond >= 1024 { return fixed(bytesPerSecond / Double(1 << 10), 1) + " KiB/s" }
        return fixed(bytesPerSecond, 0) + " B/s"
    }
}
