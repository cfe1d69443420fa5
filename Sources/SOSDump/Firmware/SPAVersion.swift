/// A Cisco SPA30x/SPA50x firmware version, as releases and images write it,
/// in the order the vendor released them (docs/firmware.md, domain.md).
///
/// Forms seen: `7.4.4`, `7.4.8a`, `7.6.2g` (an image's header), `7.6.2SR7`,
/// `7.6.2.SR1` (release names), `7-6-2g` (file names), `7.5.6_XU`, `7.5.7s`,
/// `7.4.4rec` (the recovery loader's own).
///
/// Order: the numbers (missing trailing numbers count as 0), then the build,
/// then a tag. The build is the letter (none < a < b …) or the service
/// release: release 7.6.2SR7 is the image `7.6.2g`, the seventh letter, so
/// `SPAVersion("7.6.2g") == SPAVersion("7.6.2SR7")`. That equivalence rests
/// on two data points (domain.md); a version with both a letter and an SRn
/// orders by the letter, then the SRn. Tags (`_XU`, `s`, `rec`, anything
/// after an underscore, or more than one letter) are opaque: a tagged version
/// sorts after the same version without a tag, and tags among themselves by
/// their text. `s` alone is a tag, not the 19th build, because 7.5.7s is a
/// variant of 7.5.7 (domain.md).
public struct SPAVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The dotted numbers: `[7, 6, 2]`.
    public let numbers: [Int]
    /// The build letter, `a` to `z`, as images write it.
    public let letter: Character?
    /// The n of SRn, as release names write it.
    public let serviceRelease: Int?
    /// An opaque suffix as written (`_XU`, `s`, `rec`).
    public let tag: String?

    /// Single letters that are tags, not builds.
    static let tagLetters: Set<Character> = ["s"]

    /// The build number: the letter's place in the alphabet (a = 1), else
    /// the service release, else 0.
    public var build: Int {
        if let letter, let a = Character("a").asciiValue, let l = letter.asciiValue { return Int(l - a) + 1 }
        return serviceRelease ?? 0
    }

    /// Parses a version; nil for anything that is not one (at least two
    /// numbers, then optionally a letter, an SRn and a tag).
    public init?(_ text: String) {
        var scanner = Substring(text)
        while scanner.first == " " { scanner = scanner.dropFirst() }
        while scanner.last == " " { scanner = scanner.dropLast() }
        var numbers: [Int] = []
        while true {
            let digits = scanner.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, digits.count <= 6, let n = Int(digits) else { break }
            numbers.append(n)
            scanner = scanner.dropFirst(digits.count)
            // A separator continues the numbers only when a digit follows it.
            if let s = scanner.first, s == "." || s == "-", scanner.dropFirst().first?.isASCIIDigit == true {
                scanner = scanner.dropFirst()
            } else {
                break
            }
        }
        guard numbers.count >= 2 else { return nil }

        var letter: Character?
        if let c = scanner.first, c.isASCIILowercase, !Self.tagLetters.contains(c) {
            let next = scanner.dropFirst().first
            if next == nil || next == "_" || Self.startsServiceRelease(scanner.dropFirst()) {
                letter = c
                scanner = scanner.dropFirst()
            }
        }
        var serviceRelease: Int?
        if Self.startsServiceRelease(scanner) {
            if let s = scanner.first, s == "." || s == "-" { scanner = scanner.dropFirst() }
            scanner = scanner.dropFirst(2)
            let digits = scanner.prefix(while: \.isASCIIDigit)
            guard digits.count <= 4, let n = Int(digits) else { return nil }
            serviceRelease = n
            scanner = scanner.dropFirst(digits.count)
        }
        var tag: String?
        if !scanner.isEmpty {
            let body = scanner.first == "_" ? scanner.dropFirst() : scanner
            guard !body.isEmpty, body.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit }) else { return nil }
            // "SR" without its number is a broken service release, not a tag.
            guard !body.uppercased().hasPrefix("SR") else { return nil }
            tag = String(scanner)
        }
        self.numbers = numbers
        self.letter = letter
        self.serviceRelease = serviceRelease
        self.tag = tag
    }

    private static func startsServiceRelease(_ s: Substring) -> Bool {
        var s = s
        if let c = s.first, c == "." || c == "-" { s = s.dropFirst() }
        guard s.count >= 3, s.prefix(2).uppercased() == "SR" else { return false }
        return s.dropFirst(2).first?.isASCIIDigit == true
    }

    /// Finds the version in a vendor file name: `spa50x-30x-7-6-2g.bin`,
    /// `SPA30x_SPA50x_7.6.2SR7_FW.zip`, `spa50x-30x-7-4-8a.zip`. Takes the
    /// first run that parses with at least three numbers.
    public static func inFileName(_ name: String) -> SPAVersion? {
        var base = Substring(name)
        if let slash = base.lastIndex(of: "/") { base = base[base.index(after: slash)...] }
        // The extension, then the words the vendor puts after the version.
        for suffix in [".bin", ".zip", ".exe", "_fw", "-fw", "-recovery"] where base.lowercased().hasSuffix(suffix) {
            base = base.dropLast(suffix.count)
        }
        // Candidates start at a digit that follows the start or a separator.
        var start = base.startIndex
        while start < base.endIndex {
            let atBoundary = start == base.startIndex || "-_ ".contains(base[base.index(before: start)])
            if atBoundary, base[start].isASCIIDigit {
                // The longest token up to the next `_FW`-like word: try ends from the longest.
                let rest = base[start...]
                var end = rest.endIndex
                while end > rest.startIndex {
                    if let v = SPAVersion(String(rest[..<end])), v.numbers.count >= 3 { return v }
                    guard let cut = rest[..<end].lastIndex(where: { "-_".contains($0) }) else { break }
                    end = cut
                }
            }
            start = base.index(after: start)
        }
        return nil
    }

    public var description: String {
        var text = numbers.map(String.init).joined(separator: ".")
        if let letter { text.append(letter) }
        if let serviceRelease { text += "SR\(serviceRelease)" }
        if let tag { text += tag }
        return text
    }

    // MARK: Order

    private var key: (numbers: [Int], build: Int, secondary: Int, tag: String?) {
        var n = numbers
        while n.count > 1, n.last == 0 { n.removeLast() }
        // With both a letter and an SRn, the letter is the build and the SRn comes after it.
        let secondary = letter != nil ? (serviceRelease ?? 0) : 0
        return (n, build, secondary, tag)
    }

    public static func == (a: SPAVersion, b: SPAVersion) -> Bool {
        let x = a.key, y = b.key
        return x.numbers == y.numbers && x.build == y.build && x.secondary == y.secondary && x.tag == y.tag
    }

    public func hash(into hasher: inout Hasher) {
        let k = key
        hasher.combine(k.numbers)
        hasher.combine(k.build)
        hasher.combine(k.secondary)
        hasher.combine(k.tag)
    }

    public static func < (a: SPAVersion, b: SPAVersion) -> Bool {
        let x = a.key, y = b.key
        for i in 0..<Swift.max(x.numbers.count, y.numbers.count) {
            let p = i < x.numbers.count ? x.numbers[i] : 0
            let q = i < y.numbers.count ? y.numbers[i] : 0
            if p != q { return p < q }
        }
        if x.build != y.build { return x.build < y.build }
        if x.secondary != y.secondary { return x.secondary < y.secondary }
        switch (x.tag, y.tag) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let s?, let t?): return s < t
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILowercase: Bool { isASCII && isLowercase }
    var isASCIILetter: Bool { isASCII && isLetter }
}
