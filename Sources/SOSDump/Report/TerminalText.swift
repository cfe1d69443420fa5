/// The one escaping function for text that came from a capture or a file
/// (TFTP file names, modes and options, ERROR messages, S.O.S. fields, DHCP
/// text, pcapng interface names, zip member names, catalog fields, paths):
/// every text renderer passes such strings through `TerminalText.escaped`
/// before they reach a terminal, so a capture cannot move the cursor, clear
/// the screen, set the window title, or reorder what the reader sees.
///
/// Escaped, each as `\xNN` (C0, DEL, C1) or `\u{XXXX}` (the others):
/// - C0 controls U+0000–U+001F (ESC among them, and tab and newline: a
///   renderer's line is one line), DEL U+007F, C1 controls U+0080–U+009F
///   (CSI U+009B, OSC U+009D);
/// - bidirectional formatting: U+061C, U+200E, U+200F, U+202A–U+202E
///   (the overrides), U+2066–U+2069 (the isolates);
/// - invisible and zero-width characters: U+00AD, U+180E, U+200B–U+200D,
///   U+2060–U+2064, U+FEFF; and the line and paragraph separators
///   U+2028, U+2029.
///
/// Everything else (printable ASCII and other Unicode text) passes as it
/// is, so names in any script stay readable. The output never holds a
/// character this function escapes, so escaping twice changes nothing.
/// JSON output does not use it: JSON carries the exact string (its encoder
/// escapes what JSON requires).
public enum TerminalText {
    public static func escaped(_ text: some StringProtocol) -> String {
        // Fast path: printable ASCII needs nothing (the common case).
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(text) }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if !mustEscape(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x100 {
                out += "\\x" + hex2(UInt8(scalar.value))
            } else {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    /// Whether `scalar` is one `escaped` never lets through.
    public static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1
        case 0xAD, 0x061C, 0x180E: true  // soft hyphen, Arabic letter mark, Mongolian vowel separator
        case 0x200B...0x200F: true  // zero-width space, non-joiner, joiner; LRM, RLM
        case 0x2028...0x202E: true  // line and paragraph separators; embeddings and overrides
        case 0x2060...0x2064, 0x2066...0x2069: true  // word joiner, invisible operators; isolates
        case 0xFEFF: true  // zero-width no-break space (BOM)
        default: false
        }
    }

    /// Whether `text` holds no character `escaped` would escape.
    public static func isSafe(_ text: some StringProtocol) -> Bool {
        !text.unicodeScalars.contains(where: mustEscape)
    }
}
