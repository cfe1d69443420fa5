import Crypto
import Foundation
import Testing
@testable import SOSDump

/// The tracker on real transfers between real programs (captures/tftp, made
/// by scripts/make-tftp-captures): each transfer must be found with the
/// client, server and options the capture shows, end as the script arranged,
/// and rebuild exactly the file that was served; wherever tshark could
/// export a file, sosdump's must be the same bytes.
@Suite struct TFTPCaptureTests {
    /// One row of a tab-separated table with a header line.
    typealias Row = [String: String]

    static func table(_ name: String) throws -> [Row] {
        let text = try #require(CaptureCorpus.text("tftp", name), "captures/tftp/\(name) is missing")
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    static func track(_ capture: String) throws -> [TFTPTransfer] {
        let reader = try CaptureReader(path: CaptureCorpus.path("tftp", capture))
        var tracker = TFTPTransferTracker()
        try FrameDecoder().decodeAll(from: reader) { tracker.observe($0) }
        return tracker.finish()
    }

    static func sha256(_ bytes: some Sequence<UInt8>) -> String { hexString(SHA256.hash(data: Array(bytes))) }

    static var captures: [String] {
        (try? table("transfers.tsv").compactMap { $0["capture"] }).map { Array(Set($0)).sorted() } ?? []
    }

    @Test func theManifestCoversEveryCapture() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: CaptureCorpus.path("tftp", ""))
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") || $0.hasSuffix(".pcap.gz") }
        #expect(Set(files) == Set(Self.captures))
        #expect(files.count >= 20)
    }

    @Test(arguments: captures)
    func transfersMatchTheManifest(capture: String) throws {
        let expected = try Self.table("transfers.tsv").filter { $0["capture"] == capture }
        let found = try Self.track(capture)
        #expect(found.count == expected.count)
        for row in expected {
            let label = "\(capture) #\(row["transfer"] ?? "?")"
            let t = try #require(found.first { "\($0.request.frame)" == row["rrq_frame"] }, "\(label): no transfer at the RRQ frame")
            #expect(t.client.description == row["client"], "\(label)")
            #expect(t.requestDestination.description == row["server"], "\(label)")
            #expect((t.server?.description ?? "-") == row["server_tid"], "\(label)")
            #expect(t.fileName == row["file"], "\(label)")
            #expect("\(t.blockSize)" == row["blksize"] && "\(t.windowSize)" == row["windowsize"], "\(label)")
            #expect("\(t.file.blocksCaptured)" == row["blocks_received"], "\(label)")

            let error = row["error"] ?? "-"
            switch row["outcome"] {
            case "error" where error.hasPrefix("8 ") && error.hasSuffix("(from client)"):
                #expect(t.outcome == .optionProbe, "\(label): a client ending with ERROR 8 after the OACK only probed")
            case let outcome?:
                #expect(t.outcome.rawValue == outcome, "\(label)")
            case nil:
                Issue.record("\(label): no outcome")
            }
            if error != "-" {
                #expect(error.hasPrefix("\(t.error?.code.rawValue ?? 999) \(t.error?.message ?? "")"), "\(label)")
                #expect(error.hasSuffix("(from \(t.error?.sentBy.rawValue ?? "?"))"), "\(label)")
            }

            if row["outcome"] == "complete" {
                #expect(t.file.isComplete, "\(label)")
                #expect("\(t.file.size ?? -1)" == row["served_size"], "\(label)")
                #expect(t.digests?.sha256 == row["served_sha256"], "\(label)")
                #expect(Self.sha256(t.file.bytes) == row["served_sha256"], "\(label): the kept bytes are the served file")
            } else {
                // What arrived before it stopped: the unbroken first blocks.
                let prefix = t.file.bytes.prefix(t.file.keptPrefixCount)
                #expect("\(prefix.count)" == row["received_size"], "\(label)")
                #expect(Self.sha256(prefix) == row["received_sha256"] || prefix.isEmpty, "\(label)")
            }
        }
    }

    @Test func everyFileTsharkExportsIsTheFileSosdumpRebuilds() throws {
        let exports = try Self.table("tshark-export.tsv").filter { $0["object"] != "-" }
        #expect(exports.count >= 10)
        for row in exports {
            let capture = try #require(row["capture"])
            let t = try #require(try Self.track(capture).first { $0.outcome == .complete && $0.fileName == row["object"] }, "\(capture)")
            #expect("\(t.file.bytes.count)" == row["size"], "\(capture)")
            #expect(Self.sha256(t.file.bytes) == row["sha256"], "\(capture)")
        }
    }

    /// tshark cannot follow the S.O.S. shape; sosdump must.
    @Test func theRecoveryShapeThatTsharkCannotExportIsRebuilt() throws {
        let exported = Set(try Self.table("tshark-export.tsv").filter { $0["object"] != "-" }.compactMap { $0["capture"] })
        #expect(!exported.contains("sos-transfer.pcap"))
        let t = try #require(try Self.track("sos-transfer.pcap").first)
        #expect(t.requestDestination.description == "234.4.8.10:69")
        #expect(t.client.port == 2000)
        #expect(t.outcome == .complete && t.digests != nil)
    }

    @Test func aServerKilledMidTransferStallsWithTheServerQuietAndTheICMPNoted() throws {
        let t = try #require(try Self.track("server-killed-tftp-hpa.pcap").first)
        #expect(t.outcome == .stalled)
        #expect(t.stall?.quietSide == .server)
        #expect(t.unreachable?.drawnBy == .client)
        #expect(t.repeatedAcks.count >= 1)
        #expect(t.stall?.block == t.file.highestBlock)
    }
}
