import Foundation
import Testing
@testable import SOSDump

/// `sosdump analyze` and `sosdump check` through the built binary: the
/// corpus of captures/sos passes `check`, every verdict code comes out of
/// at least one capture, and the exit statuses are the documented ones.
@Suite struct AnalyzeCommandTests {
    static let corpus = CaptureCorpus.root.appendingPathComponent("sos").path

    @Test func theCorpusPassesCheck() throws {
        let r = try CommandRunner.sosdump(["check", Self.corpus])
        #expect(r.status == 0, "\(r.standardOutput)\(r.standardError)")
        let captures = CaptureCorpus.captures(in: "sos")
        #expect(captures.count >= 30)
        #expect(r.standardOutput.contains("\(captures.count) captures: \(captures.count) match, 0 do not"))
        for capture in captures { #expect(r.standardOutput.contains("ok    \(capture)\n"), "\(capture)") }
    }

    /// Every code of docs/verdicts.md is a verdict (warnings: a finding) in the
    /// corpus's expectations and in what sosdump says of the corpus.
    @Test func everyCodeComesOutOfTheCorpus() throws {
        var expectedVerdicts: Set<String> = [], expectedFindings: Set<String> = []
        let captures = CaptureCorpus.captures(in: "sos")
        for capture in captures {
            let stem = (capture as NSString).deletingPathExtension
            let e = try Expectation.load(path: CaptureCorpus.path("sos", stem + ".expected.json"))
            expectedVerdicts.insert(e.verdict)
            for p in e.phones {
                expectedVerdicts.insert(p.verdict)
                expectedFindings.formUnion(p.findings.map(\.code))
            }
        }
        var gotVerdicts: Set<String> = [], gotFindings: Set<String> = []
        // As `check` does: a capture with NAME.catalog.json beside it is analysed with that catalog.
        func catalog(_ capture: String) -> String? {
            let path = CaptureCorpus.path("sos", (capture as NSString).deletingPathExtension + ".catalog.json")
            return FileManager.default.fileExists(atPath: path) ? path : nil
        }
        let plain = captures.filter { catalog($0) == nil }
        let r = try CommandRunner.sosdump(["analyze", "--format", "json"] + plain.map { CaptureCorpus.path("sos", $0) })
        // Status 1 when a capture is damaged (the corpus holds some made so on purpose), and only then.
        let damaged = Set(plain).subtracting(CaptureCorpus.readableCaptures(in: "sos"))
        #expect(r.status == (damaged.isEmpty ? 0 : 1), "\(r.standardError)")
        var lines = r.standardOutput.split(separator: "\n")
        for capture in captures {
            guard let catalog = catalog(capture) else { continue }
            let own = try CommandRunner.sosdump(["analyze", "--format", "json", "--catalog", catalog, CaptureCorpus.path("sos", capture)])
            #expect(own.status == 0, "\(own.standardError)")
            lines += own.standardOutput.split(separator: "\n")
        }
        #expect(lines.count == captures.count)
        for line in lines {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            gotVerdicts.insert(try #require(object["verdict"] as? String))
            for phone in try #require(object["phones"] as? [[String: Any]]) {
                gotVerdicts.insert(try #require(phone["verdict"] as? String))
                for f in try #require(phone["findings"] as? [[String: Any]]) {
                    gotFindings.insert(try #require(f["code"] as? String))
                    #expect(!(try #require(f["frames"] as? [Int])).isEmpty || f["code"] as? String == "NO_RECOVERY_TRAFFIC")
                }
                #expect(phone["mac"] is String && phone.keys.contains("transfer"))
                if let t = phone["transfer"] as? [String: Any] {
                    #expect(t["file"] is String && t["bytes"] is Int && t["complete"] is Bool && t.keys.contains("sha256"))
                }
            }
        }
        for code in VerdictCode.allCases {
            if code.isWarning {
                #expect(expectedFindings.contains(code.rawValue), "no expectation raises \(code)")
                #expect(gotFindings.contains(code.rawValue), "sosdump raises \(code) for no capture")
            } else {
                #expect(expectedVerdicts.contains(code.rawValue), "no expectation has the verdict \(code)")
                #expect(gotVerdicts.contains(code.rawValue), "sosdump gives the verdict \(code) to no capture")
            }
        }
    }

    /// The JSON's shape is docs/analysis-json.md's: every key, always.
    @Test func theJSONKeysAreTheDocumentedOnes() throws {
        let r = try CommandRunner.sosdump(["analyze", "--format", "json", CaptureCorpus.path("sos", "recovered.pcap")])
        let object = try #require(JSONSerialization.jsonObject(with: Data(r.standardOutput.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["format", "version", "schema_version", "file", "verdict", "explanation", "next_step", "capture", "thresholds", "phones",
                                     "findings", "timeline", "notes"])
        #expect(object["format"] as? String == "sosdump-analysis" && object["version"] as? Int == 1 && object["schema_version"] as? Int == 3)
        #expect(Set((object["capture"] as? [String: Any] ?? [:]).keys) == ["frames", "start", "end", "seconds", "damage", "comments", "frame_comments"])
        #expect(Set((object["thresholds"] as? [String: Any] ?? [:]).keys) == ["reset_window", "stall", "no_reply"])
        let phone = try #require((object["phones"] as? [[String: Any]])?.first)
        #expect(phone["family"] as? String == "sos")
        #expect(Set(phone.keys) == ["family", "mac", "ip", "addresses", "serial", "product", "loader_version", "hardware_version", "gateway", "verdict",
                                    "explanation", "next_step", "findings", "attempts", "transfer", "image", "downloads", "timeline", "periods", "notes"])
        let finding = try #require((phone["findings"] as? [[String: Any]])?.first)
        #expect(Set(finding.keys) == ["code", "warning", "explanation", "next_step", "caveat", "frames", "evidence"])
        #expect(Set(((finding["evidence"] as? [[String: Any]])?.first ?? [:]).keys) == ["frame", "time", "what"])
        #expect(Set((phone["transfer"] as? [String: Any] ?? [:]).keys) == ["file", "ordered_file", "order_as_text", "bytes", "size", "complete",
                                                                           "sha256", "outcome", "request_to", "server", "requests",
                                                                           "request_frame", "last_frame", "blocks", "final_block_acknowledged",
                                                                           "path", "acknowledged_through", "data_not_captured", "number", "start", "end", "trace"])
        #expect((phone["downloads"] as? [[String: Any]])?.count == 1)
        let trace = try #require((phone["transfer"] as? [String: Any])?["trace"] as? [String: Any])
        #expect(Set(trace.keys) == ["progress", "acknowledged", "retransmissions", "out_of_order", "repeated_acks", "events_not_kept", "final_block", "stall", "gaps",
                                    "seconds"])
        #expect(Set(((trace["progress"] as? [[String: Any]])?.first ?? [:]).keys) == ["frame", "seconds", "block"])
        #expect(Set(((phone["periods"] as? [[String: Any]])?.first ?? [:]).keys) == ["kind", "start", "end", "seconds", "frame", "text"])
        #expect(Set((phone["image"] as? [String: Any] ?? [:]).keys) == ["version", "extent", "size", "loader", "failed_check", "loader_message",
                                                                        "catalog", "release", "has_image_magic", "loader_text", "catalog_text"])
        #expect(Set(((phone["timeline"] as? [[String: Any]])?.first ?? [:]).keys) == ["frame", "last_frame", "count", "time", "last_time", "actor", "text",
                                                                                                     "comments"])
        // A phone that never downloaded: transfer and image are null, not absent.
        let deaf = try CommandRunner.sosdump(["analyze", "--format", "json", CaptureCorpus.path("sos", "utility-deaf.pcap")])
        let deafPhone = try #require(((try JSONSerialization.jsonObject(with: Data(deaf.standardOutput.utf8)) as? [String: Any])?["phones"] as? [[String: Any]])?.first)
        #expect(deafPhone["transfer"] is NSNull && deafPhone["image"] is NSNull)
    }

    @Test func theTextReport() throws {
        let r = try CommandRunner.sosdump(["analyze", CaptureCorpus.path("sos", "two-phones.pcap")])
        #expect(r.status == 0)
        let lines = r.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasSuffix("two-phones.pcap: REVERTED_TO_RECOVERY (\(VerdictCode.revertedToRecovery.meaning))"))
        #expect(lines.contains("phone 00:02:fd:5a:00:01: RECOVERED"))
        #expect(lines.contains("phone 00:02:fd:5a:00:02: REVERTED_TO_RECOVERY"))
        #expect(lines.contains { $0.hasPrefix("  next step: ") })
        // Standard output is a pipe here: no colour.
        #expect(!r.standardOutput.contains("\u{1B}["))
    }

    @Test func unreadableInputAndUsage() throws {
        let good = CaptureCorpus.path("sos", "recovered.pcap")
        let r = try CommandRunner.sosdump(["analyze", "/nonexistent/x.pcap", good])
        #expect(r.status == 2)
        #expect(r.standardOutput.contains("recovered.pcap: RECOVERED"), "the readable capture is still analysed")
        #expect(r.standardError.contains("/nonexistent/x.pcap"))
        #expect(try CommandRunner.sosdump(["analyze"]).status == 64)
        #expect(try CommandRunner.sosdump(["analyze", "--stall", "0", good]).status == 64)
        #expect(try CommandRunner.sosdump(["check"]).status == 64)
    }

    /// A damaged capture is analysed up to the damage, says so in its
    /// verdict (the exchange was still going there), and exits 1.
    @Test func aDamagedCaptureIsAnalysedUpToTheDamage() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = try #require(FileManager.default.contents(atPath: CaptureCorpus.path("sos", "recovered.pcap")))
        let cut = dir + "/cut.pcap"
        // Into the middle of a record in the transfer.
        FileManager.default.createFile(atPath: cut, contents: whole.prefix(whole.count / 2))
        let r = try CommandRunner.sosdump(["analyze", "--format", "json", cut])
        #expect(r.status == 1)
        #expect(r.standardError.contains("cut.pcap") && r.standardError.contains("stopped after frame"))
        let object = try #require(JSONSerialization.jsonObject(with: Data(r.standardOutput.utf8)) as? [String: Any])
        #expect(object["verdict"] as? String == "CAPTURE_DAMAGED")
        let phone = try #require((object["phones"] as? [[String: Any]])?.first)
        #expect((phone["explanation"] as? String)?.contains("byte offset") == true, "the verdict says where")
        #expect((phone["next_step"] as? String)?.contains("Save the capture again") == true)
        let capture = try #require(object["capture"] as? [String: Any])
        #expect((capture["damage"] as? String)?.contains("byte offset") == true)
        let text = try CommandRunner.sosdump(["analyze", cut])
        #expect(text.standardOutput.contains("note: the capture is damaged"))
    }

    @Test func checkSaysWhatDiffers() throws {
        let dir = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try CommandRunner.sosdump(["check", dir]).status == 2, "no capture in it")
        for name in ["recovered.pcap", "no-gateway.pcap", "utility-deaf.pcap"] {
            try FileManager.default.copyItem(atPath: CaptureCorpus.path("sos", name), toPath: dir + "/" + name)
        }
        try FileManager.default.copyItem(atPath: CaptureCorpus.path("sos", "recovered.expected.json"), toPath: dir + "/recovered.expected.json")
        try #"{"verdict": "TFTP_ERROR", "phones": [{"mac": "00:02:fd:5a:00:01", "verdict": "TFTP_ERROR", "findings": ["TFTP_ERROR", {"code": "NO_GATEWAY"}]}]}"#
            .write(toFile: dir + "/no-gateway.expected.json", atomically: true, encoding: .utf8)
        let r = try CommandRunner.sosdump(["check", dir])
        #expect(r.status == 1)
        let out = r.standardOutput
        #expect(out.contains("ok    recovered.pcap"))
        #expect(out.contains("FAIL  no-gateway.pcap\n      verdict: expected TFTP_ERROR, got NO_GATEWAY\n"))
        #expect(out.contains("      phone 00:02:fd:5a:00:01: verdict: expected TFTP_ERROR, got NO_GATEWAY\n"))
        #expect(out.contains("      phone 00:02:fd:5a:00:01: findings: expected [TFTP_ERROR, NO_GATEWAY], got [NO_GATEWAY] (missing TFTP_ERROR)\n"))
        #expect(out.contains("FAIL  utility-deaf.pcap: no expectation (utility-deaf.expected.json is missing)"))
        #expect(out.contains("3 captures: 1 match, 2 do not"))
        // A code that is not one.
        try #"{"verdict": "BROKEN", "phones": []}"#.write(toFile: dir + "/utility-deaf.expected.json", atomically: true, encoding: .utf8)
        let bad = try CommandRunner.sosdump(["check", dir])
        #expect(bad.standardOutput.contains("utility-deaf.expected.json: \"BROKEN\" is not a verdict code"))
    }

    @Test func thresholdsAreOptions() throws {
        // utility-deaf: 11 replies over 10 s. With --no-reply 30 the replies
        // alone would not do, but the utility went on asking: still deaf.
        let deaf = try CommandRunner.sosdump(["analyze", "--no-reply", "30", "--format", "json", CaptureCorpus.path("sos", "utility-deaf.pcap")])
        #expect(deaf.standardOutput.contains("\"verdict\":\"UTILITY_DEAF\""))
        // no-phone-reply: 11 s of requests: CAPTURE_ENDED with --no-reply 30.
        let short = try CommandRunner.sosdump(["analyze", "--no-reply", "30", "--format", "json", CaptureCorpus.path("sos", "no-phone-reply.pcap")])
        #expect(short.standardOutput.hasPrefix("{") && short.standardOutput.contains("\"verdict\":\"CAPTURE_ENDED\""))
        #expect(short.standardOutput.contains("\"no_reply\":30"))
        // reset-during-write: back 9 s after the download; with --reset-window 5 that is a revert.
        let reset = try CommandRunner.sosdump(["analyze", "--reset-window", "5", "--format", "json", CaptureCorpus.path("sos", "reset-during-write.pcap")])
        #expect(reset.standardOutput.contains("\"verdict\":\"REVERTED_TO_RECOVERY\""))
        // capture-ended: the download's last block is the capture's last frame; with --stall 0.001
        // the capture is still too short to call it stalled, and so is every threshold's use at 0 s.
        // transfer-stalled: the phone sent its last ACK five times (its every try) and gave up:
        // stalled whatever --stall says.
        let stall = try CommandRunner.sosdump(["analyze", "--stall", "30", "--format", "json", CaptureCorpus.path("sos", "transfer-stalled.pcap")])
        #expect(stall.standardOutput.contains("\"verdict\":\"TRANSFER_STALLED\"") && stall.standardOutput.contains("\"stall\":30"))
        // cut-mid-transfer: 78 blocks, then the capture ends at once; --stall does not make it a stall.
        let cut = try CommandRunner.sosdump(["analyze", "--stall", "1", "--format", "json", CaptureCorpus.path("sos", "cut-mid-transfer.pcap")])
        #expect(cut.standardOutput.contains("\"verdict\":\"CAPTURE_ENDED\""))
    }
}

/// The shell completions and the manual (scripts/install) come from the
/// command definitions: what they are made from names every subcommand and
/// the options of this issue.
@Suite struct CommandDefinitionTests {
    @Test func completionsAndTheManualsSourceNameTheCommands() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try CommandRunner.sosdump(["--generate-completion-script", shell])
            #expect(r.status == 0)
            for word in ["analyze", "check", "packets", "transfers", "extract", "verify", "catalog", "live", "bless", "junit"] {
                #expect(r.standardOutput.contains(word), "\(shell): \(word)")
            }
        }
        // What generate-manual reads: every subcommand with its abstract, discussion and options.
        let dump = try CommandRunner.sosdump(["--experimental-dump-help"])
        let info = try #require(JSONSerialization.jsonObject(with: Data(dump.standardOutput.utf8)) as? [String: Any])
        let command = try #require(info["command"] as? [String: Any])
        let subcommands = try #require(command["subcommands"] as? [[String: Any]])
        let analyze = try #require(subcommands.first { $0["commandName"] as? String == "analyze" })
        #expect((analyze["discussion"] as? String)?.contains("--format html") == true)
        let format = try #require((analyze["arguments"] as? [[String: Any]])?.first { ($0["names"] as? [[String: Any]])?.first?["name"] as? String == "format" })
        #expect(format["allValues"] as? [String] == ["text", "json", "html"])
    }
}
