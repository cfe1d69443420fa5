import Foundation
@testable import SOSDump

/// The captures in `captures/` and the expected outputs beside them.
enum CaptureCorpus {
    /// The repository's `captures/` folder, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("captures")

    /// Every capture file (by name) in `captures/<group>/`.
    static func captures(in group: String) -> [String] {
        let dir = root.appendingPathComponent(group)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
    }

    /// The captures of `group` that read to their end: a live capture is
    /// never damaged, so the tests that replay files as live runs leave out
    /// the ones made damaged on purpose (their reader stops with an error).
    static func readableCaptures(in group: String) -> [String] {
        captures(in: group).filter { name in
            guard let reader = try? CaptureReader(path: path(group, name)) else { return false }
            do {
                while try reader.next() != nil {}
                return true
            } catch {
                return false
            }
        }
    }

    static func path(_ group: String, _ name: String) -> String {
        root.appendingPathComponent(group).appendingPathComponent(name).path
    }

    static func text(_ group: String, _ name: String) -> String? {
        try? String(contentsOfFile: path(group, name), encoding: .utf8)
    }

    /// What `sosdump packets FILE` prints: the lines on standard output, and
    /// the line on standard error if reading stopped at damage.
    static func listing(_ path: String, format: PacketListing.Format = .text) throws -> (lines: [String], damage: String?) {
        let reader = try CaptureReader(path: path)
        let listing = PacketListing(reader: reader, format: format)
        var lines: [String] = []
        do {
            // A frame's comments follow its line, on lines of their own.
            while let line = try listing.nextLine() { lines += line.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        } catch {
            return (lines, "sosdump: " + PacketListing.damageLine(error, framesRead: reader.framesRead))
        }
        return (lines, nil)
    }

    /// Every record of a capture, up to any damage.
    static func records(_ path: String) throws -> [PacketRecord] {
        let listing = PacketListing(reader: try CaptureReader(path: path), format: .text)
        var records: [PacketRecord] = []
        while let r = try? listing.nextRecord() { records.append(r) }
        return records
    }
}
