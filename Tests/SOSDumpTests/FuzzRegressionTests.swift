import Foundation
import Testing
@testable import SOSDump

/// Replays the fuzz corpus and every crash the fuzzer ever found through the
/// fuzzer's own entry point: none may crash, hang or fail to finish.
@Suite struct FuzzRegressionTests {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// The files of `folder` (not its folders), then those of its folder
    /// named after each fuzz entry, each with the entry it is replayed
    /// through (nil: the entry its first bytes choose).
    static func inputs(_ folder: String) -> [(path: String, entry: String?)] {
        func files(_ dir: URL) -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.filter { name in
                var isFolder: ObjCBool = false
                return !name.hasSuffix(".md")
                    && FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path, isDirectory: &isFolder) && !isFolder.boolValue
            }.sorted().map { dir.appendingPathComponent($0).path }
        }
        let dir = testsFolder.appendingPathComponent(folder)
        var all: [(String, String?)] = files(dir).map { ($0, nil) }
        for entry in FuzzEntry.Entry.allCases {
            all += files(dir.appendingPathComponent(entry.rawValue)).map { ($0, entry.rawValue) }
        }
        return all
    }

    @Test func theCorpusIsThere() {
        #expect(Self.inputs("FuzzCorpus").count >= 10)
        // Every entry but the frame decoders (seeded by the top-level frames) has its own seeds.
        for entry in FuzzEntry.Entry.allCases where entry != .capture && entry != .frame {
            #expect(Self.inputs("FuzzCorpus").contains { $0.entry == entry.rawValue }, "no seeds for \(entry)")
        }
    }

    @Test(arguments: (inputs("FuzzCorpus") + inputs("FuzzCrashes")).map { [$0.path, $0.entry ?? ""] })
    func replays(input: [String]) throws {
        let bytes = try #require(FileManager.default.contents(atPath: input[0]))
        FuzzEntry.run([UInt8](bytes), entry: FuzzEntry.Entry(rawValue: input[1]))
    }

    @Test func everyPrefixOfEverySeedIsSafe() throws {
        // The readers' damage paths: each seed cut at 1/16ths of its length.
        for (path, entry) in Self.inputs("FuzzCorpus") {
            let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
            for cut in stride(from: 0, through: bytes.count, by: max(1, bytes.count / 16)) {
                FuzzEntry.run(Array(bytes.prefix(cut)), entry: entry.flatMap(FuzzEntry.Entry.init(rawValue:)))
            }
        }
    }
}
