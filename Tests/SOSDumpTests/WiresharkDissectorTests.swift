import Foundation
import Testing
@testable import SOSDump

/// contrib/wireshark/sos.lua, run by tshark (`-X lua_script:`) over every
/// capture of captures/sos: the same frames as S.O.S. messages as `sosdump
/// packets --format json`, and field by field the same values under the
/// same names.
@Suite struct WiresharkDissectorTests {
    static let script = CaptureCorpus.root.deletingLastPathComponent().appendingPathComponent("contrib/wireshark/sos.lua").path
    static let fields = ["kind", "opcode", "length", "serial", "product", "mac", "software_version", "hardware_version",
                         "phone_address", "upgrade_port", "file_name"]

    /// Frame number → field → value, as tshark prints them with the dissector.
    static func tshark(_ capture: String, damaged: Bool) throws -> [Int: [String: String]] {
        let (status, text) = try CommandRunner.program("/usr/bin/tshark", ["-X", "lua_script:" + script, "-r", capture, "-Y", "sos", "-T", "fields",
                                                                           "-E", "separator=|", "-E", "occurrence=f", "-e", "frame.number"]
                                                                           + fields.flatMap { ["-e", "sos." + $0] })
        // tshark exits 2 on a damaged file, after the frames before the damage.
        #expect(status == (damaged ? 2 : 0))
        var result: [Int: [String: String]] = [:]
        for line in text.split(separator: "\n") {
            let values = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard let frame = Int(values[0]) else { continue }
            result[frame] = Dictionary(uniqueKeysWithValues: zip(fields, values.dropFirst()).filter { !$0.1.isEmpty })
        }
        return result
    }

    /// The same from `sosdump packets --format json`.
    static func sosdump(_ capture: String) throws -> (frames: [Int: [String: String]], damaged: Bool) {
        let r = try CommandRunner.sosdump(["packets", "--format", "json", capture])
        #expect(r.status == 0 || r.status == 1)
        var result: [Int: [String: String]] = [:]
        for line in r.standardOutput.split(separator: "\n") {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard let sos = object["sos"] as? [String: Any], let frame = object["frame"] as? Int else { continue }
            result[frame] = sos.filter { fields.contains($0.key) }.mapValues { "\($0)" }
        }
        return (result, r.status == 1)
    }

    @Test(arguments: CaptureCorpus.captures(in: "sos"))
    func theDissectorReadsWhatSosdumpReads(_ name: String) throws {
        let capture = CaptureCorpus.path("sos", name)
        let (ours, damaged) = try Self.sosdump(capture)
        let theirs = try Self.tshark(capture, damaged: damaged)
        #expect(Set(theirs.keys) == Set(ours.keys))
        for (frame, values) in ours {
            for field in Self.fields { #expect(theirs[frame]?[field] == values[field], "frame \(frame) sos.\(field)") }
        }
    }

    /// The corpus has every kind, so the comparison covers every field.
    @Test func theCorpusHasEveryKind() throws {
        var kinds: Set<String> = []
        for name in CaptureCorpus.captures(in: "sos") { kinds.formUnion(try Self.sosdump(CaptureCorpus.path("sos", name)).frames.values.compactMap { $0["kind"] }) }
        #expect(kinds.isSuperset(of: ["request", "reply", "upgrade", "upgrade-echo"]))
    }
}
