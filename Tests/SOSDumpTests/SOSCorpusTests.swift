import Foundation
import Testing
@testable import SOSDump

/// The S.O.S. recovery corpus (captures/sos/, made by scripts/make-sos-captures
/// with sosdump-sim): its expected verdicts are well formed and cover every
/// code, and what sosdump decodes in each capture agrees with what the
/// simulator was told to do — the rules the requests break, the phones seen,
/// the replies' fields, how each TFTP transfer ended.
@Suite struct SOSCorpusTests {
    static let group = "sos"
    static let captures = CaptureCorpus.captures(in: group)

    /// The verdict codes of docs/verdicts.md, most serious first (captures/README.md).
    static let seriousness = [
        "LOADER_FIRMWARE_MISMATCH", "REVERTED_TO_RECOVERY", "RESET_DURING_WRITE", "IMAGE_REJECTED", "TRANSFER_STALLED",
        "TFTP_ERROR", "TFTP_UNREACHABLE", "TFTP_NO_RESPONSE", "NO_GATEWAY", "UTILITY_DEAF", "PHONE_BUSY",
        "REQUEST_IGNORED", "NO_PHONE_REPLY", "CAPTURE_DAMAGED", "CAPTURE_ENDED", "OUTCOME_UNKNOWN", "IMAGE_MISMATCH",
        "RECOVERED", "NO_RECOVERY_TRAFFIC",
    ]
    /// Warnings: findings, never a verdict. (LOADER_FIRMWARE_MISMATCH is a
    /// warning beside RECOVERED, and the verdict when the phone came back in
    /// recovery after a good image.)
    static let warnings: Set = ["IMAGE_MISMATCH"]

    struct Expected: Decodable {
        var verdict: String
        var phones: [Phone]
        struct Phone: Decodable {
            var mac: String
            var verdict: String
            var findings: [String]
        }
    }

    static func expected(_ capture: String) throws -> Expected {
        let name = (capture as NSString).deletingPathExtension + ".expected.json"
        let text = try #require(CaptureCorpus.text(group, name), "\(capture): no \(name)")
        return try JSONDecoder().decode(Expected.self, from: Data(text.utf8))
    }

    @Test func theCorpusIsThere() {
        #expect(Self.captures.count >= 30, "captures/sos holds \(Self.captures.count) captures")
    }

    @Test(arguments: captures)
    func expectedVerdictsAreWellFormed(capture: String) throws {
        let e = try Self.expected(capture)
        #expect(Self.seriousness.contains(e.verdict) && !Self.warnings.contains(e.verdict), "\(capture): \(e.verdict)")
        for phone in e.phones {
            #expect(MACAddress(rawValue: phone.mac.split(separator: ":").reduce(0) { $0 << 8 | (UInt64($1, radix: 16) ?? 0) }).description == phone.mac)
            #expect(!Self.warnings.contains(phone.verdict) && phone.verdict != "NO_RECOVERY_TRAFFIC", "\(capture)")
            #expect(phone.findings.contains(phone.verdict), "\(capture): the verdict is one of the findings")
            #expect(phone.findings.allSatisfy(Self.seriousness.contains), "\(capture): \(phone.findings)")
            let ranks = phone.findings.compactMap { Self.seriousness.firstIndex(of: $0) }
            #expect(ranks == ranks.sorted(), "\(capture): findings most serious first")
        }
        if let worst = e.phones.compactMap({ Self.seriousness.firstIndex(of: $0.verdict) }).min() {
            #expect(e.verdict == Self.seriousness[worst], "\(capture): the capture's verdict is its most serious phone's")
        } else {
            #expect(["NO_RECOVERY_TRAFFIC", "NO_PHONE_REPLY", "REQUEST_IGNORED", "CAPTURE_ENDED", "CAPTURE_DAMAGED"].contains(e.verdict), "\(capture)")
        }
    }

    @Test func everyCodeIsCovered() throws {
        var verdicts: Set<String> = []
        var findings: Set<String> = []
        for capture in Self.captures {
            let e = try Self.expected(capture)
            verdicts.insert(e.verdict)
            for phone in e.phones {
                verdicts.insert(phone.verdict)
                findings.formUnion(phone.findings)
            }
        }
        for code in Self.seriousness {
            if Self.warnings.contains(code) {
                #expect(findings.contains(code), "no capture raises \(code)")
            } else {
                #expect(verdicts.contains(code), "no capture has the verdict \(code)")
            }
        }
    }

    /// What sosdump decodes in a capture: the frames' link sources, the
    /// S.O.S. messages (with their delivery), the TFTP transfers.
    struct Decoded {
        var sources: Set<String> = []
        var messages: [(SOSMessage, SOSDelivery?)] = []
        var transfers: [TFTPTransfer] = []
        var stops = 0
        /// Where reading stopped (the damaged-* captures only).
        var damage: CaptureError?
    }

    static func decode(_ capture: String) throws -> Decoded {
        var d = Decoded()
        var tracker = TFTPTransferTracker()
        let reader = try CaptureReader(path: CaptureCorpus.path(group, capture))
        let read = Result { try FrameDecoder().decodeAll(from: reader) { dissection in
            switch dissection.link {
            case .ethernet(let e): d.sources.insert(e.source.description)
            case .linuxSLL(let h): if let s = h.source { d.sources.insert(s.description) }
            case .linuxSLL2(let h): if let s = h.source { d.sources.insert(s.description) }
            default: break
            }
            if dissection.stop != nil { d.stops += 1 }
            if case .success(let m)? = dissection.sosRecovery { d.messages.append((m, SOSDelivery(dissection))) }
            tracker.observe(dissection)
        } }
        if case .failure(let error) = read {
            // The damaged-* captures: what came before the damage is kept.
            guard capture.hasPrefix("damaged-"), let damage = error as? CaptureError else { throw error }
            d.damage = damage
        }
        d.transfers = tracker.finish()
        return d
    }

    @Test(arguments: captures)
    func thePhonesAreInTheCapture(capture: String) throws {
        let e = try Self.expected(capture)
        let d = try Self.decode(capture)
        #expect(d.stops == 0, "\(capture): \(d.stops) frames did not decode")
        #expect((d.damage != nil) == capture.hasPrefix("damaged-"), "\(capture): \(String(describing: d.damage))")
        for phone in e.phones {
            #expect(d.sources.contains(phone.mac), "\(capture): \(phone.mac) sends nothing")
        }
        // Every phone that replied is listed.
        let replied = Set(d.messages.compactMap { $0.0.kind == .reply ? $0.0.mac?.description : nil })
        #expect(replied.isSubset(of: Set(e.phones.map(\.mac))), "\(capture): \(replied)")
    }

    /// The rules the library says the messages to port 4810 break, judged
    /// with the phone's serial and address from its reply: exactly the
    /// ones each scenario broke on purpose (the simulated phone applies
    /// its own, separately written, checks).
    static let rulesBroken: [String: Set<String>] = [
        "ignored-length.pcap": ["length"],
        "ignored-oversize.pcap": ["heap-overflow", "length"],
        "ignored-source-port.pcap": ["source-port"],
        "ignored-broadcast.pcap": ["broadcast"],
        "ignored-serial.pcap": ["serial"],
    ]

    @Test(arguments: captures)
    func requestsBreakTheScenariosRulesOnly(capture: String) throws {
        let d = try Self.decode(capture)
        let reply = d.messages.first { $0.0.kind == .reply }?.0
        let facts = SOSPhoneFacts(address: reply?.phoneAddress, prefixLength: reply == nil ? nil : 24, serial: reply?.serial?.bytes)
        var broken: Set<String> = []
        for (message, delivery) in d.messages where message.kind.isSentToPhone {
            guard let delivery else { continue }
            broken.formUnion(message.ruleViolations(delivery: delivery, phone: facts).map(\.code))
        }
        #expect(broken == Self.rulesBroken[capture] ?? [], "\(capture)")
    }

    @Test(arguments: captures)
    func repliesCarryTheSimulatedPhone(capture: String) throws {
        for (m, _) in try Self.decode(capture).messages where m.kind == .reply {
            #expect(m.length == 100 && m.product?.string == "SPA504G", "\(capture)")
            #expect(m.softwareVersion == SOSText(bytes: Array("7.4.4rec".utf8), terminated: true), "\(capture)")
            #expect(m.hardwareVersion == SOSText(bytes: Array("1.0.2".utf8), terminated: true), "\(capture)")
            #expect(m.trailer == 0xFFFF && m.serial?.string.hasPrefix("CBT9999000") == true, "\(capture)")
        }
    }

    /// How the transfer of the firmware image ended (the tracker's outcome).
    static let transferOutcomes: [String: [TFTPTransfer.Outcome]] = [
        "tftp-error.pcap": [.error], "tftp-error-two-interfaces.pcapng": [.error],
        "tftp-no-response.pcap": [.unanswered], "tftp-unreachable.pcap": [.unreachable],
        "transfer-stalled.pcap": [.stalled], "capture-ended.pcap": [.stalled], "cut-mid-transfer.pcap": [.stalled],
        "bad-checksum.pcap": [.stalled], "filtered-stalled-phone-only.pcap": [.stalled], "damaged-mid-transfer.pcap": [.stalled],
        "damaged-first-frame.pcap": [], "recovered-by-url.pcap": [],  // its image came by HTTP
        "two-phones.pcap": [.complete, .complete],
        "cut-after-request.pcap": [], "cut-after-reply.pcap": [], "cut-after-upgrade.pcap": [], "no-gateway.pcap": [],
        "no-recovery-traffic.pcap": [], "no-phone-reply.pcap": [], "utility-deaf.pcap": [], "phone-busy.pcap": [],
        "ignored-length.pcap": [], "ignored-oversize.pcap": [], "ignored-source-port.pcap": [], "ignored-broadcast.pcap": [],
    ]

    @Test(arguments: captures)
    func theImageTransfersEndAsIntended(capture: String) throws {
        let transfers = try Self.decode(capture).transfers.filter { $0.fileName.hasSuffix(".bin") }
        let busy = capture == "phone-busy.pcap"  // its Recovery URL try is a .bin too, unanswered
        let outcomes = transfers.filter { !busy || $0.fileName != "spa504g-recovery.bin" }.map(\.outcome)
        #expect(outcomes == (Self.transferOutcomes[capture] ?? [.complete]), "\(capture)")
        if capture.hasPrefix("filtered-") {  // seen only through the phone's ACKs
            #expect(!transfers.isEmpty && transfers.allSatisfy { $0.dataPackets == 0 }, "\(capture)")
        }
        for t in transfers where t.outcome == .complete && t.dataPackets > 0 {
            let verification = FirmwareVerification(t.file.bytes)
            #expect(verification.loaderAccepts == (capture != "image-rejected.pcap"), "\(capture)")
        }
    }
}
