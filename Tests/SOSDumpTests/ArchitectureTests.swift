import Foundation
import Testing

/// The layering rules of docs/architecture.md that a compiler does not
/// check, checked on the sources: the analysis layer holds values, never a
/// record or a sentence of the report layer.
@Suite struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every Swift file under `folder`, with its text.
    static func sources(_ folder: String) throws -> [(name: String, text: String)] {
        let base = root.appendingPathComponent(folder)
        let names = try FileManager.default.subpathsOfDirectory(atPath: base.path).filter { $0.hasSuffix(".swift") }.sorted()
        return try names.map { ($0, try String(contentsOf: base.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The types of `Report/`, read from its files: every top-level `struct`,
    /// `enum` and `class` declared there (nested ones are reached through them).
    static func reportTypes() throws -> Set<String> {
        var names: Set<String> = []
        for (_, text) in try sources("Sources/SOSDump/Report") {
            for line in text.split(separator: "\n") where !(line.first?.isWhitespace ?? true) {
                let words = line.split(separator: " ")
                for (i, w) in words.enumerated() where ["struct", "enum", "class"].contains(w) && i + 1 < words.count {
                    let name = words[i + 1].prefix { $0.isLetter || $0.isNumber }
                    if !name.isEmpty { names.insert(String(name)) }
                }
            }
        }
        return names
    }

    /// Code lines of a file: comments dropped.
    static func code(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard let comment = line.range(of: "//") else { return String(line) }
            return String(line[..<comment.lowerBound])
        }
    }

    @Test func theAnalysisLayerUsesNoReportType() throws {
        let report = try Self.reportTypes()
        #expect(report.contains("AnalysisReport") && report.contains("SOSWording") && report.contains("FirmwareReport"))
        let analysis = try Self.sources("Sources/SOSDump/Analysis")
        #expect(analysis.count >= 15)
        for (name, text) in analysis {
            for (n, line) in Self.code(text).enumerated() {
                let identifiers = Set(line.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
                let used = identifiers.intersection(report)
                #expect(used.isEmpty, "Analysis/\(name):\(n + 1) uses \(used.sorted()) of Report/")
            }
        }
    }

    /// No `==` against a string literal in the analysis layer: decisions are
    /// made on typed values, not on words or codes rendered as text.
    @Test func theAnalysisLayerComparesNoRenderedString() throws {
        for (name, text) in try Self.sources("Sources/SOSDump/Analysis") {
            for (n, line) in Self.code(text).enumerated() where line.contains("== \"") || line.contains("!= \"") {
                Issue.record("Analysis/\(name):\(n + 1) compares a string: \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
    }
}
