import Foundation

/// The verdicts a capture should get, as `NAME.expected.json` beside it
/// says (docs/analysis-json.md, "Expectations"), and how `sosdump check`
/// compares them with what `analyze` found.
///
/// ```
/// {"verdict": "RECOVERED",
///  "phones": [{"mac": "00:02:fd:5a:00:01", "verdict": "RECOVERED",
///              "findings": ["REQUEST_IGNORED", "RECOVERED"]}]}
/// ```
///
/// A finding is a code, or `{"code": …, "frames": [ … ]}` to pin frames
/// too (each must be among the finding's frames). `findings` at the top
/// level (messages no phone can be tied to) is compared only when present.
public struct Expectation: Codable, Sendable, Equatable {
    public var verdict: String
    public var phones: [Phone]
    public var findings: [ExpectedFinding]?

    public init(verdict: String, phones: [Phone], findings: [ExpectedFinding]? = nil) {
        self.verdict = verdict
        self.phones = phones
        self.findings = findings
    }

    /// What a report found, as an expectation (`check --bless`): the
    /// verdicts and finding codes, and the findings of messages no phone
    /// can be tied to when there are some.
    public init(report: AnalysisReport) {
        verdict = report.verdict
        phones = report.phones.map { Phone(mac: $0.mac, verdict: $0.verdict, findings: $0.findings.map { ExpectedFinding(code: $0.code) }) }
        findings = report.findings.isEmpty ? nil : report.findings.map { ExpectedFinding(code: $0.code) }
    }

    /// The expectation file's text (pretty JSON, keys sorted).
    public var json: String { ReportJSON.text(self, pretty: true) }

    public struct Phone: Codable, Sendable, Equatable {
        public var mac: String
        public var verdict: String
        public var findings: [ExpectedFinding]
    }

    public struct ExpectedFinding: Codable, Sendable, Equatable {
        public var code: String
        public var frames: [Int]?

        public init(code: String, frames: [Int]? = nil) {
            self.code = code
            self.frames = frames
        }

        public init(from decoder: any Decoder) throws {
            if let code = try? decoder.singleValueContainer().decode(String.self) {
                self.init(code: code)
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(code: try c.decode(String.self, forKey: .code), frames: try c.decodeIfPresent([Int].self, forKey: .frames))
        }

        /// A plain code, or an object when frames are pinned.
        public func encode(to encoder: any Encoder) throws {
            guard let frames else {
                var c = encoder.singleValueContainer()
                try c.encode(code)
                return
            }
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(code, forKey: .code)
            try c.encode(frames, forKey: .frames)
        }

        enum CodingKeys: String, CodingKey { case code, frames }
    }

    /// Reads an expectation file; the error says what is wrong with it.
    public static func load(path: String) throws -> Expectation {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ExpectationError(path: path, reason: "cannot read it")
        }
        do {
            let e = try JSONDecoder().decode(Expectation.self, from: data)
            for code in [e.verdict] + e.phones.flatMap({ [$0.verdict] + $0.findings.map(\.code) }) + (e.findings ?? []).map(\.code)
            where VerdictCode(rawValue: code) == nil {
                throw ExpectationError(path: path, reason: "\"\(code)\" is not a verdict code")
            }
            return e
        } catch let error as ExpectationError {
            throw error
        } catch {
            throw ExpectationError(path: path, reason: "not an expectation: \(Self.reason(error))")
        }
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "no \"\(key.stringValue)\"" + Self.path(context.codingPath)
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return context.debugDescription + Self.path(context.codingPath)
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "" : " at " + keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    /// Every difference between this expectation and a report, one line
    /// each (empty when they agree): the capture's verdict, then phone by
    /// phone (by MAC) the verdict and the findings.
    public func differences(from report: AnalysisReport) -> [String] {
        var out: [String] = []
        if verdict != report.verdict { out.append("verdict: expected \(verdict), got \(report.verdict)") }
        var got: [String: PhoneRecord] = [:]
        for p in report.phones { got[p.mac.lowercased()] = p }
        var seen: Set<String> = []
        for p in phones {
            let mac = p.mac.lowercased()
            seen.insert(mac)
            guard let g = got[mac] else {
                out.append("phone \(mac): expected (verdict \(p.verdict)), not found")
                continue
            }
            if p.verdict != g.verdict { out.append("phone \(mac): verdict: expected \(p.verdict), got \(g.verdict)") }
            out += Self.compare(p.findings, g.findings, what: "phone \(mac)")
        }
        for p in report.phones where !seen.contains(p.mac.lowercased()) {
            out.append("phone \(p.mac): found (verdict \(p.verdict), findings \(p.findings.map(\.code).joined(separator: ","))), not expected")
        }
        if let findings { out += Self.compare(findings, report.findings, what: "capture") }
        return out
    }

    static func compare(_ expected: [ExpectedFinding], _ got: [FindingRecord], what: String) -> [String] {
        var out: [String] = []
        let e = Set(expected.map(\.code)), g = Set(got.map(\.code))
        if e != g {
            let order = { (codes: Set<String>) in codes.sorted { (VerdictCode(rawValue: $0)?.rank ?? 99) < (VerdictCode(rawValue: $1)?.rank ?? 99) } }
            var line = "\(what): findings: expected [\(order(e).joined(separator: ", "))], got [\(order(g).joined(separator: ", "))]"
            let missing = order(e.subtracting(g)), extra = order(g.subtracting(e))
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { parts.append("unexpected \(extra.joined(separator: ", "))") }
            line += " (" + parts.joined(separator: "; ") + ")"
            out.append(line)
        }
        for f in expected {
            guard let frames = f.frames, let finding = got.first(where: { $0.code == f.code }) else { continue }
            let absent = frames.filter { !finding.frames.contains($0) }
            if !absent.isEmpty {
                out.append("\(what): \(f.code): expected frames \(frames.map(String.init).joined(separator: ", ")), got \(finding.frames.map(String.init).joined(separator: ", "))")
            }
        }
        return out
    }
}

public struct ExpectationError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
