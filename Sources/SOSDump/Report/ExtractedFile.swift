/// What `sosdump extract` writes for a transfer: a local file name made safe
/// from the name on the wire, and for an incomplete file the gap map that
/// goes beside it.
public enum ExtractedFile {
    /// Names Windows reserves for devices, with or without an extension.
    static let deviceNames: Set<String> = {
        var names: Set<String> = ["CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"]
        for n in 0...9 { names.insert("COM\(n)"); names.insert("LPT\(n)") }
        return names
    }()

    /// The longest name made, in UTF-8 bytes (below every common file
    /// system's 255, leaving room for `.partial.gaps` and a `-N` suffix).
    public static let maxNameBytes = 200

    /// A file name that is safe to create in the output directory, from a
    /// TFTP file name sent by a peer nobody vouches for.
    ///
    /// The wire name's path is flattened, not followed: its components
    /// (split at `/` and `\`, with empty, `.` and `..` ones dropped) are
    /// joined by `_`, so `/spa71f6.bin` becomes `spa71f6.bin` and
    /// `../../etc/passwd` becomes `etc_passwd`. Control characters and
    /// characters Windows forbids become `_`; a name starting with `.`, or
    /// a device name (`CON`, `NUL.txt`, `COM1`), gets a leading `_`; trailing
    /// dots and spaces go; the result is at most `maxNameBytes` bytes. An
    /// empty result is `transfer-N`.
    public static func safeName(fromWire name: String, transferNumber: Int) -> String {
        let components = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).filter { $0 != "." && $0 != ".." }
        var text = ""
        for scalar in components.joined(separator: "_").unicodeScalars {
            let forbidden = scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || "<>:\"|?*".unicodeScalars.contains(scalar)
            text.unicodeScalars.append(forbidden ? "_" : scalar)
        }
        while let last = text.last, last == "." || last == " " { text.removeLast() }
        if text.utf8.count > maxNameBytes {
            var cut = ""
            for character in text where cut.utf8.count + character.utf8.count <= maxNameBytes { cut.append(character) }
            text = cut
            while let last = text.last, last == "." || last == " " { text.removeLast() }
        }
        if text.isEmpty { return "transfer-\(transferNumber)" }
        let stem = text.split(separator: ".", maxSplits: 1).first.map { $0.uppercased().trimmingTrailingSpaces() } ?? ""
        if text.hasPrefix(".") || deviceNames.contains(stem) { text = "_" + text }
        return text
    }

    /// `name` with `-N` before its extension: `spa71f6.bin` → `spa71f6-3.bin`.
    public static func numbered(_ name: String, _ number: Int) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "\(name)-\(number)" }
        return "\(name[..<dot])-\(number)\(name[dot...])"
    }

    /// The byte ranges of `file`'s first `writtenBytes` bytes that the
    /// capture holds, in order: what `extract` writes; the rest stays a
    /// hole in a sparse file (never written as zeros). From RebuiltFile's
    /// public account of its gaps (`missingRuns`, `byteRange(ofBlock:)`).
    public static func presentRanges(of file: RebuiltFile, writtenBytes: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var next = 0
        func add(_ range: Range<Int>) {
            let cut = range.clamped(to: 0..<writtenBytes)
            if !cut.isEmpty { ranges.append(cut) }
        }
        for run in file.missingRuns() {
            add(next..<file.byteRange(ofBlock: run.lowerBound).lowerBound)
            next = file.byteRange(ofBlock: run.upperBound).upperBound
        }
        add(next..<writtenBytes)
        return ranges
    }

    /// The text of `NAME.partial.gaps`: which byte ranges of the partial
    /// file are holes (zeros) and why, one tab-separated line each.
    public static func gapMap(of t: TFTPTransfer, writtenBytes: Int) -> String {
        var lines = [
            "# sosdump gap map for \(TerminalText.escaped(t.fileName)) (transfer \(t.number), requested in frame \(t.request.frame))",
            "# The .partial file holds every captured byte at its offset; these ranges are zeros.",
            "# offset\tlength\tfirst_block\tlast_block\treason",
        ]
        for gap in t.gaps {
            let reason = gap.cutBySnapLength ? "cut-by-snap-length" : gap.acknowledged ? "not-captured-acknowledged" : "not-captured"
            lines.append("\(gap.bytes.lowerBound)\t\(gap.bytes.count)\t\(gap.blocks.lowerBound)\t\(gap.blocks.upperBound)\t\(reason)")
        }
        if let size = t.file.size {
            if writtenBytes < size {
                lines.append("\(writtenBytes)\t\(size - writtenBytes)\t\(writtenBytes / t.blockSize + 1)\t\(t.file.finalBlock ?? 0)\tnot-kept")
                lines.append("# bytes from \(writtenBytes) on were captured but not kept: raise --keep-mib to write them")
            }
            lines.append("# size \(size) bytes (the final block was seen)")
        } else {
            lines.append("# the final block was not seen: the file is at least \(t.file.highestBlock * t.blockSize) bytes, its end unknown")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension StringProtocol {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = String(self)
        while s.last == " " { s.removeLast() }
        return s
    }
}
