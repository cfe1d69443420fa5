import ArgumentParser
import Foundation
import FoundationXML
import SOSDump

/// `sosdump check`: every capture of a directory against the verdicts
/// expected of it, for CI and regression corpora.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Analyse every capture in a directory and compare it with NAME.expected.json beside it.",
        discussion: """
            For each NAME.pcap, NAME.pcapng (or either .gz) in DIR, NAME.expected.json holds the \
            verdicts the capture should get: {"verdict": CODE, "phones": [{"mac", "verdict", \
            "findings": [CODE, ...]}]} (docs/analysis-json.md, "Expectations"). Each capture is \
            analysed as `analyze` does, with the built-in firmware catalog, the --catalog file if \
            given, and NAME.catalog.json when it lies beside the capture (your own catalog is not \
            used, so that the result does not depend on who runs it). A line per capture says ok \
            or FAIL (the captures are analysed in parallel, one per core, and printed in name \
            order); under a FAIL, one line per difference: the capture's verdict, and per phone \
            (by MAC) its verdict and its findings, expected against got.

            With --bless, a capture that does not match (or has no expectation) gets a new \
            NAME.expected.json written from what sosdump finds now (verdicts and finding codes; \
            review it with git diff before committing it); captures that match keep theirs, frames \
            pinned included. With --junit FILE, a JUnit XML report is written too (one test case \
            per capture, its differences as the failure), for CI systems that show those.

            Exit status: 0 when every capture matches (or was blessed); 1 when one does not, has \
            no expectation, or cannot be read; 2 when DIR cannot be read or holds no capture, or \
            the JUnit file cannot be written; 64 for a usage error.
            """
    )

    @OptionGroup var thresholdOptions: ThresholdOptions

    @Option(name: .customLong("catalog"), help: ArgumentHelp("A catalog file added to the built-in one for every capture.", valueName: "file"))
    var catalogPath: String?

    @Flag(help: "Write NAME.expected.json from the current result for every capture that does not match.")
    var bless = false

    @Option(help: ArgumentHelp("Write a JUnit XML report of the run to this file.", valueName: "file"))
    var junit: String?

    @Argument(help: "The directory of captures and their NAME.expected.json.")
    var directory: String

    func run() throws {
        var base = FirmwareCatalog.builtIn
        if let catalogPath {
            do {
                base = base.merging(try FirmwareCatalog.load(path: catalogPath))
            } catch {
                warn("\(error)")
                throw ExitStatus.unreadable
            }
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder)
            let why = !exists ? "no such folder" : !isFolder.boolValue ? "not a folder (check reads a folder of captures and their NAME.expected.json)"
                : "cannot read the folder: \(FirmwareCatalog.reason(error))"
            warn("\(directory): \(why)")
            throw ExitStatus.unreadable
        }
        let captures = names.filter { Self.stem($0) != nil }.sorted()
        guard !captures.isEmpty else {
            warn("\(directory): no capture (.pcap, .pcapng, or either .gz) in it")
            throw ExitStatus.unreadable
        }
        var output = StandardOutput()
        var passed = 0, failed = 0, blessed = 0
        var results: [Result] = []
        // Every core analyses a capture at a time; the lines come out in
        // the order of the names, each capture's as soon as it and those
        // before it are done.
        let done = CheckResults(count: captures.count)
        nonisolated(unsafe) let command = self  // read only, by the workers
        let directory = directory
        let catalog = base
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: captures.count) { i in
                let path = (directory as NSString).appendingPathComponent(captures[i])
                let stem = (directory as NSString).appendingPathComponent(Self.stem(captures[i]) ?? captures[i])
                let clock = ContinuousClock.now
                var result = command.check(path: path, stem: stem, base: catalog)
                result.seconds = Self.seconds(ContinuousClock.now - clock)
                done.set(i, result)
            }
        }
        for (i, name) in captures.enumerated() {
            let stem = (directory as NSString).appendingPathComponent(Self.stem(name) ?? name)
            var result = done.wait(i)
            if result.passed {
                passed += 1
                output.write(TerminalText.escaped("ok    \(name)"))
            } else if bless, let report = result.report {
                let file = stem + ".expected.json"
                if FileManager.default.createFile(atPath: file, contents: Data((Expectation(report: report).json + "\n").utf8)) {
                    blessed += 1
                    output.write(TerminalText.escaped("bless \(name): \((file as NSString).lastPathComponent) written" + (result.headline.isEmpty ? "" : " (\(result.headline))")))
                    result.details.forEach { output.write(TerminalText.escaped("      was: " + $0)) }
                } else {
                    failed += 1
                    output.write(TerminalText.escaped("FAIL  \(name): cannot write \(file)"))
                }
            } else {
                failed += 1
                output.write(TerminalText.escaped("FAIL  \(name)" + (result.headline.isEmpty ? "" : ": \(result.headline)")))
                result.details.forEach { output.write(TerminalText.escaped("      " + $0)) }
            }
            results.append(result)
            output.flush()
        }
        output.write("\(captures.count) captures: \(passed) match, \(failed) do not" + (bless ? ", \(blessed) blessed" : ""))
        output.flush()
        if let junit {
            let xml = Self.junitReport(results, suite: directory, blessed: bless)
            guard FileManager.default.createFile(atPath: junit, contents: Data(xml.utf8)) else {
                warn("\(junit): cannot write the JUnit report")
                throw ExitStatus.unreadable
            }
        }
        if failed > 0 { throw ExitCode.failure }
    }

    /// What became of one capture.
    struct Result {
        var name: String
        /// The failure in a few words (no expectation, a reader's error); empty when only differences.
        var headline = ""
        /// One line per difference.
        var details: [String] = []
        /// The analysis, when the capture was read.
        var report: AnalysisReport?
        var seconds = 0.0

        var passed: Bool { headline.isEmpty && details.isEmpty }
    }

    /// Checks one capture against its expectation.
    func check(path: String, stem: String, base: FirmwareCatalog) -> Result {
        var result = Result(name: (path as NSString).lastPathComponent)
        var catalog = base
        let own = stem + ".catalog.json"
        if FileManager.default.fileExists(atPath: own) {
            do {
                catalog = catalog.merging(try FirmwareCatalog.load(path: own))
            } catch {
                result.headline = "\(error)"
                return result
            }
        }
        let reader: CaptureReader
        do {
            reader = try CaptureReader(path: path)
        } catch {
            result.headline = "\(error)"
            return result
        }
        let (conclusion, damage) = CaptureAnalysis.analyze(reader, catalog: catalog, thresholds: thresholdOptions.thresholds,
                                                             bootThresholds: thresholdOptions.bootThresholds)
        let report = AnalysisReport(file: path, conclusion: conclusion, damage: damage.map { "\($0)" })
        result.report = report
        do {
            result.details = try Expectation.load(path: stem + ".expected.json").differences(from: report)
        } catch let error as ExpectationError where !FileManager.default.fileExists(atPath: error.path) {
            result.headline = "no expectation (\((error.path as NSString).lastPathComponent) is missing)"
        } catch {
            result.headline = "\(error)"
        }
        return result
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// The run as JUnit XML (the form Jenkins, GitLab and GitHub's test
    /// reporters read): one `testsuite` for the directory, one `testcase`
    /// per capture, a `failure` with its differences for each that does
    /// not match. Built with FoundationXML, which escapes the text.
    static func junitReport(_ results: [Result], suite: String, blessed: Bool) -> String {
        func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) -> XMLElement {
            let e = text.map { XMLElement(name: name, stringValue: $0) } ?? XMLElement(name: name)
            for (key, value) in attributes { e.addAttribute(XMLNode.attribute(withName: key, stringValue: value) as! XMLNode) }
            return e
        }
        let failing = blessed ? 0 : results.filter { !$0.passed }.count
        let total = results.reduce(0) { $0 + $1.seconds }
        let testsuite = element("testsuite", [("name", "sosdump check \(suite)"), ("tests", "\(results.count)"), ("failures", "\(failing)"),
                                              ("errors", "0"), ("skipped", "0"), ("time", String(format: "%.3f", total))])
        for r in results {
            let testcase = element("testcase", [("classname", "sosdump.check"), ("name", r.name), ("time", String(format: "%.3f", r.seconds))])
            if !r.passed, !blessed {
                let message = r.headline.isEmpty ? "differs from its expectation" : r.headline
                testcase.addChild(element("failure", [("message", message)], text: ([r.headline].filter { !$0.isEmpty } + r.details).joined(separator: "\n")))
            }
            testsuite.addChild(testcase)
        }
        let root = element("testsuites", [])
        root.addChild(testsuite)
        let document = XMLDocument(rootElement: root)
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document.xmlString(options: [.nodePrettyPrint]) + "\n"
    }
    /// NAME for NAME.pcap, NAME.pcapng and their .gz; nil for other files.
    static func stem(_ file: String) -> String? {
        var name = file
        if name.hasSuffix(".gz") { name = String(name.dropLast(3)) }
        for ext in [".pcapng", ".pcap"] where name.hasSuffix(ext) && name.count > ext.count {
            return String(name.dropLast(ext.count))
        }
        return nil
    }
}

/// What `check` found of each capture, filled by the workers in any order
/// and read in the order of the names.
private final class CheckResults: @unchecked Sendable {
    private let condition = NSCondition()
    private var results: [CheckCommand.Result?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: CheckCommand.Result) {
        condition.lock()
        results[i] = value
        condition.broadcast()
        condition.unlock()
    }

    /// Capture `i`'s result, once it is there.
    func wait(_ i: Int) -> CheckCommand.Result {
        condition.lock()
        defer { condition.unlock() }
        while results[i] == nil { condition.wait() }
        return results[i]!
    }
}
