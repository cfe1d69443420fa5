import Foundation
import Testing
@testable import SOSDump

extension CaptureCorpus {
    /// What `sosdump packets` prints for `captures/<group>/<capture>`,
    /// compared line by line with the expected listing beside it (made by
    /// scripts/update-expected), and the damage warning with its `.err`.
    static func checkListing(group: String, capture: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try #require(text(group, capture + ".packets.txt"), "no expected listing: run scripts/update-expected",
                                    sourceLocation: sourceLocation)
        let path = path(group, capture)
        let (lines, damageAbsolute) = try listing(path)
        // The expected warning names the file as scripts/update-expected gave it.
        let damage = damageAbsolute?.replacing(path, with: "captures/\(group)/\(capture)")
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.count == want.count, "\(capture): \(lines.count) lines, expected \(want.count)", sourceLocation: sourceLocation)
        for (i, (got, exp)) in zip(lines, want).enumerated() where got != exp {
            Issue.record("\(capture) line \(i + 1):\n  got      \(got)\n  expected \(exp)", sourceLocation: sourceLocation)
            break
        }
        let expectedDamage = text(group, capture + ".packets.err")?.trimmingCharacters(in: .newlines)
        #expect(damage == expectedDamage, "\(capture)", sourceLocation: sourceLocation)
    }

    /// A tab-separated reference with a header line, as rows of name → value.
    static func table(_ group: String, _ name: String) -> [[String: String]]? {
        guard let tsv = text(group, name) else { return nil }
        var rows = tsv.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard !rows.isEmpty else { return [] }
        let header = rows.removeFirst()
        return rows.map { row in Dictionary(zip(header, row), uniquingKeysWith: { a, _ in a }) }
    }
}
