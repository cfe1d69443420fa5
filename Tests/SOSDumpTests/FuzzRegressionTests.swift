import Foundation
import Testing
@testable import SOSDump

/// Replays the fuzz corpus and every crash the fuzzer ever found through the
/// fuzzer's own entry point: none may crash, hang or fail to finish.
@Suite struct FuzzRegressionTests {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static func inputs(_ folder: String) -> [String] {
        let dir = testsFolder.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasSuffix(".md") }.sorted().map { dir.appendingPathComponent($0).path }
    }

    @Test func theCorpusIsThere() {
        #expect(Self.inputs("FuzzCorpus").count >= 10)
    }

    @Test(arguments: inputs("FuzzCorpus") + inputs("FuzzCrashes"))
    func replays(path: String) throws {
        let bytes = try #require(FileManager.default.contents(atPath: path))
        FuzzEntry.run([UInt8](bytes))
    }

    @Test func everyPrefixOfEverySeedIsSafe() throws {
        // The readers' damage paths: each seed cut at 1/16ths of its length.
        for path in Self.inputs("FuzzCorpus") {
            let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
            for cut in stride(from: 0, through: bytes.count, by: max(1, bytes.count / 16)) {
                FuzzEntry.run(Array(bytes.prefix(cut)))
            }
        }
    }
}
