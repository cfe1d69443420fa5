import ArgumentParser
import Foundation
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

            Exit status: 0 when every capture matches; 1 when one does not, has no expectation, \
            or cannot be read; 2 when DIR cannot be read or holds no capture; 64 for a usage error.
            """
    )

    @OptionGroup var thresholdOptions: ThresholdOptions

    @Option(name: .customLong("catalog"), help: ArgumentHelp("A catalog file added to the built-in one for every capture.", valueName: "file"))
    var catalogPath: String?

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
            warn("\(directory): cannot read the directory")
            throw ExitStatus.unreadable
        }
        let captures = names.filter { Self.stem($0) != nil }.sorted()
        guard !captures.isEmpty else {
            warn("\(directory): no capture (.pcap, .pcapng, or either .gz) in it")
            throw ExitStatus.unreadable
        }
        var output = StandardOutput()
        var passed = 0, failed = 0
        // Every core analyses a capture at a time; the lines come out in
        // the order of the names, each capture's as soon as it and those
        // before it are done.
        let results = CheckResults(count: captures.count)
        let thresholds = thresholdOptions.thresholds
        let directory = directory
        let catalog = base
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: captures.count) { i in
                let path = (directory as NSString).appendingPathComponent(captures[i])
                let stem = (directory as NSString).appendingPathComponent(Self.stem(captures[i]) ?? captures[i])
                results.set(i, Self.check(path: path, stem: stem, base: catalog, thresholds: thresholds))
            }
        }
        for (i, name) in captures.enumerated() {
            let lines = results.wait(i)
            if lines.isEmpty {
                passed += 1
            } else {
                failed += 1
            }
            lines.forEach { output.write($0) }
            if lines.isEmpty { output.write("ok    \(name)") }
            output.flush()
        }
        output.write("\(captures.count) captures: \(passed) match, \(failed) do not")
        output.flush()
        if failed > 0 { throw ExitCode.failure }
    }

    /// The lines of a capture that does not match (empty when it does).
    static func check(path: String, stem: String, base: FirmwareCatalog, thresholds: RecoveryThresholds) -> [String] {
        let name = (path as NSString).lastPathComponent
        let expectation: Expectation
        do {
            expectation = try Expectation.load(path: stem + ".expected.json")
        } catch let error as ExpectationError where !FileManager.default.fileExists(atPath: error.path) {
            return ["FAIL  \(name): no expectation (\((error.path as NSString).lastPathComponent) is missing)"]
        } catch {
            return ["FAIL  \(name): \(error)"]
        }
        var catalog = base
        let own = stem + ".catalog.json"
        if FileManager.default.fileExists(atPath: own) {
            do {
                catalog = catalog.merging(try FirmwareCatalog.load(path: own))
            } catch {
                return ["FAIL  \(name): \(error)"]
            }
        }
        let reader: CaptureReader
        do {
            reader = try CaptureReader(path: path)
        } catch {
            return ["FAIL  \(name): \(error)"]
        }
        let (conclusion, damage) = CaptureAnalysis.analyze(reader, catalog: catalog, thresholds: thresholds)
        let report = AnalysisReport(file: path, conclusion: conclusion, damage: damage.map { "\($0)" })
        let differences = expectation.differences(from: report)
        guard !differences.isEmpty else { return [] }
        return ["FAIL  \(name)"] + differences.map { "      " + $0 }
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

/// The lines of each capture `check` analyses, filled by the workers in any
/// order and read in the order of the names.
private final class CheckResults: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [[String]?]

    init(count: Int) { lines = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: [String]) {
        condition.lock()
        lines[i] = value
        condition.broadcast()
        condition.unlock()
    }

    /// Capture `i`'s lines, once they are there.
    func wait(_ i: Int) -> [String] {
        condition.lock()
        defer { condition.unlock() }
        while lines[i] == nil { condition.wait() }
        let value = lines[i] ?? []
        lines[i] = []
        return value
    }
}
