/// `sosdump transfers` written as transfers end, so that memory holds the
/// transfers still open and a bounded window of records, never the
/// capture's whole list: the text table and the JSON document, one
/// `TransferRecord` at a time.
///
/// Records come out in request order through a window of `window`
/// records: a transfer that stays open while more than that many later
/// ones end comes out after them. The table's columns are as wide as the
/// widest cell of the first window (all of it for a capture of fewer
/// transfers: then the output is what one table of every row would be);
/// a wider cell later pushes the rest of its line.
public struct TransferStream {
    public enum Format: Sendable {
        case text
        case json
    }

    public let format: Format
    public let capture: String
    public let window: Int
    /// A record waiting in the window: its row's cells and detail lines
    /// (text), or its JSON.
    private struct Entry {
        var number: Int
        var row: [String] = []
        var details: [String] = []
        var json = ""
    }

    /// Records waiting from `head` on, sorted by transfer number; those
    /// before `head` are written, and dropped a window at a time (dropping
    /// each as it goes moved the whole window every time).
    private var pending: [Entry] = []
    private var head = 0
    private var widths: [Int]?
    private var started = false
    /// The last record's JSON, held until the next says whether a comma follows it.
    private var heldJSON: String?
    /// Records written so far.
    public private(set) var written = 0
    /// Records waiting in the window.
    public var waiting: Int { pending.count - head }

    public init(format: Format, capture: String, window: Int = 1000) {
        self.format = format
        self.capture = capture
        self.window = max(1, window)
    }

    /// Takes the record of a transfer that ended; returns the text ready
    /// to write (none while the window fills), each element to be followed
    /// by a newline: a record's row with its detail lines, or its JSON
    /// object, is one element.
    public mutating func add(_ t: TFTPTransfer, record: TransferRecord) -> [String] {
        let entry = format == .text
            ? Entry(number: record.number, row: TransferTable.row(t, record), details: TransferTable.escapedDetails(record))
            : Entry(number: record.number, json: Self.json(record))
        var low = head, high = pending.count
        while low < high {
            let mid = (low + high) / 2
            if pending[mid].number < entry.number { low = mid + 1 } else { high = mid }
        }
        pending.insert(entry, at: low)
        guard waiting > window else { return [] }
        var lines = start()
        lines += emit(pending[head])
        head += 1
        if head >= window {
            pending.removeFirst(head)
            head = 0
        }
        return lines
    }

    /// The rest: every record still waiting, then the document's end.
    /// `damage` is where reading stopped, if it did.
    public mutating func finish(damage: String?) -> [String] {
        var lines = start()
        for entry in pending[head...] { lines += emit(entry) }
        pending = []
        head = 0
        switch format {
        case .text:
            if written == 0 { lines.append(TerminalText.escaped("no TFTP transfers in \(capture)")) }
        case .json:
            if let heldJSON { lines.append(heldJSON) }
            heldJSON = nil
            lines.append(written == 0 ? "\n  ]" : "  ]")
            if let damage {
                lines[lines.count - 1] += ","
                lines.append("  \"damage\" : \(ReportJSON.text(damage))")
            }
            lines.append("}")
        }
        return lines
    }

    /// The header, once: the table's column widths are fixed from the window.
    private mutating func start() -> [String] {
        guard !started else { return [] }
        started = true
        switch format {
        case .text:
            var widths = TransferTable.header.map(\.count)
            for entry in pending[head...] { for (i, cell) in entry.row.enumerated() { widths[i] = max(widths[i], cell.count) } }
            self.widths = widths
            return waiting == 0 ? [] : [TransferTable.line(TransferTable.header, widths: widths)]
        case .json:
            return ["{", "  \"capture\" : \(ReportJSON.text(capture)),", "  \"transfers\" : ["]
        }
    }

    private mutating func emit(_ entry: Entry) -> [String] {
        defer { written += 1 }
        switch format {
        case .text:
            return [TransferTable.block(entry.row, details: entry.details, widths: widths ?? [])]
        case .json:
            defer { heldJSON = entry.json }
            return heldJSON.map { [$0 + ","] } ?? []
        }
    }

    /// A record's pretty JSON as an element of the document's array (two
    /// levels deep), written by hand: `TransferRecordJSON.swift` says why.
    static func json(_ record: TransferRecord) -> String {
        var writer = JSONWriter(depth: 2)
        record.write(to: &writer)
        return writer.text
    }
}
