/// A `.loads` file: the list of the parts a 79xx load is made of, which
/// the phone fetches by TFTP after its configuration names the load.
///
/// A signed header (``SignedFileHeader``; its tag 2 says where the text
/// starts), then plain text, CRLF or LF lines:
///
/// ```
///  # RELEASE load version 9-4-2SR4-3         a comment naming the release
///  #HARDWARE_COMP_1 15                      the hardware the load accepts
///  jar45sccp.9-4-2ES26.sbn                  one part a line, some with
///  apps45.9-4-2ES26.sbn                     trailing spaces
///  LA_VERSION=...                           (7940/7960: a setting, not a part)
/// ```
///
/// 7940/7960 `P003….loads` files may have no header: the whole file is
/// text. `termNN.default.loads` has the body of the versioned file.
public struct LoadsFile: Sendable, Equatable {
    /// The release the `RELEASE load version` comment names, as written (`9-4-2SR4-3`).
    public var releaseComment: String?
    /// `#HARDWARE_COMP_n value` lines: (n, value).
    public var hardwareCompatibility: [(index: Int, value: String)]
    /// Part file names, in order, trailing spaces removed.
    public var parts: [String]
    /// `NAME=value` lines.
    public var settings: [(name: String, value: String)]
    /// The header, when the file has one.
    public var header: SignedFileHeader?
    /// Lines ended by CRLF, by LF, and the last line with neither.
    public var lineEndings: (crlf: Int, lf: Int)
    /// Lines with trailing spaces or tabs.
    public var linesWithTrailingSpaces: Int
    /// Lines with bytes that are not printable ASCII (by line number from 1).
    public var unreadableLines: [Int]

    public static func == (a: LoadsFile, b: LoadsFile) -> Bool {
        a.releaseComment == b.releaseComment && a.hardwareCompatibility.map(\.index) == b.hardwareCompatibility.map(\.index)
            && a.hardwareCompatibility.map(\.value) == b.hardwareCompatibility.map(\.value) && a.parts == b.parts
            && a.settings.map(\.name) == b.settings.map(\.name) && a.settings.map(\.value) == b.settings.map(\.value)
            && a.header == b.header && a.lineEndings == b.lineEndings && a.linesWithTrailingSpaces == b.linesWithTrailingSpaces
            && a.unreadableLines == b.unreadableLines
    }

    /// The most lines read (a .loads lists about ten).
    public static let maxLines = 4096

    /// Reads a `.loads` file's bytes; nil when its signed header is broken
    /// (``SignedFileHeader/problems``), since then where the text starts is not known.
    public static func read(_ bytes: ByteView) -> LoadsFile? {
        let header = SignedFileHeader.read(bytes)
        if let header, !header.isWellFormed { return nil }
        let start = header?.headerLength ?? 0
        guard let body = bytes.dropFirst(min(start, bytes.count)) else { return nil }
        var file = LoadsFile(releaseComment: nil, hardwareCompatibility: [], parts: [], settings: [], header: header,
                             lineEndings: (0, 0), linesWithTrailingSpaces: 0, unreadableLines: [])
        var lineStart = 0
        var number = 0
        while lineStart < body.count, number < maxLines {
            number += 1
            let newline = body[lineStart...].firstIndex(of: 0x0A)
            var end = newline ?? body.count
            if newline != nil {
                if end > lineStart, body.uint8(at: end - 1) == 0x0D {
                    end -= 1
                    file.lineEndings.crlf += 1
                } else {
                    file.lineEndings.lf += 1
                }
            }
            if let line = body.slice(at: lineStart, length: end - lineStart) { file.take(line, number: number) }
            lineStart = (newline ?? body.count) + 1
        }
        return file
    }

    private mutating func take(_ line: ByteView, number: Int) {
        if !line.allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x09 }) { unreadableLines.append(number) }
        let raw = String(decoding: line, as: UTF8.self)
        let text = raw.trimmingSpaces
        if let last = raw.last, last == " " || last == "\t" { linesWithTrailingSpaces += 1 }
        guard !text.isEmpty else { return }
        if text.hasPrefix("#") {
            let comment = text.dropFirst().trimmingSpaces
            if comment.hasPrefix("HARDWARE_COMP_") {
                let rest = comment.dropFirst("HARDWARE_COMP_".count)
                let parts = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                if let n = parts.first.flatMap({ Int($0) }) { hardwareCompatibility.append((n, parts.dropFirst().joined(separator: " "))) }
            } else if let r = comment.range(of: "RELEASE load version") {
                releaseComment = comment[r.upperBound...].trimmingSpaces
            }
        } else if let eq = text.firstIndex(of: "="), !text.contains(" ") {
            settings.append((String(text[..<eq]), String(text[text.index(after: eq)...])))
        } else {
            parts.append(text)
        }
    }
}

extension LoadsFile {
    /// A `.loads` file as the vendor's have it: a signed header naming
    /// `fileName` (none when `signed` is false), then the lines, each ended
    /// with `lineEnding`.
    public static func encode(fileName: String, release: String?, hardware: [(Int, String)] = [(1, "15")], parts: [String],
                              settings: [(String, String)] = [], lineEnding: String = "\r\n", trailingSpaces: Bool = false,
                              signed: Bool = true) -> [UInt8] {
        var lines: [String] = []
        if let release { lines.append("# RELEASE load version \(release)") }
        lines += hardware.map { "#HARDWARE_COMP_\($0.0) \($0.1)" }
        lines += parts.map { trailingSpaces ? $0 + "  " : $0 }
        lines += settings.map { "\($0.0)=\($0.1)" }
        let text = Array(lines.map { $0 + lineEnding }.joined().utf8)
        return (signed ? SignedFileHeader.encode(fileName: fileName) : []) + text
    }
}
