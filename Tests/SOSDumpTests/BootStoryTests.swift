import Foundation
import SOSDump
import SOSDumpSimulation
import Testing

/// The 79xx boot diagnosis driven to every verdict of its table with built
/// frames (`BootScene`), and its bounds: many phones, many cycles, a
/// capture that begins in the middle of a boot.
@Suite struct BootStoryTests {
    typealias S = BootScene
    let p = BootScene.phone1

    func verdict(_ s: BootScene, thresholds: BootThresholds = BootThresholds()) -> BootPhoneVerdict? {
        s.boot(thresholds: thresholds).phone(p)
    }

    @Test func registeredWithTheLoadItRuns() throws {
        var s = BootScene()
        s.bootToConfig(p, running: S.target, config: S.target)
        s.register(p, accepted: true)
        let v = try #require(verdict(s))
        #expect(v.code == .registered)
        #expect(v.identity.model == "7945")
        #expect(v.identity.deviceName == p.sep)
        #expect(v.cycles.count == 1)
        let c = try #require(v.cycles.first)
        #expect(c.configLoad == S.target)
        #expect(c.tftp == .option150([S.server]))
        #expect(c.files.map(\.kind) == [.trustList, .trustList, .trustList, .deviceConfig, .defaultConfig])
        #expect(v.verdict.frames.count == 2)
    }

    @Test func upgradedThenRegistered() throws {
        var s = BootScene()
        s.bootToConfig(p, running: S.mid, config: S.target)
        s.load(p, S.target)
        s.wait(5)
        s.bootToConfig(p, running: S.target, config: S.target)
        s.register(p, accepted: true)
        let v = try #require(verdict(s))
        #expect(v.code == .registered)
        #expect(v.findingCodes == [.registered, .upgraded])
        #expect(v.cycles.count == 2)
        #expect(v.cycles[0].loadParts?.count == 5)
        #expect(v.cycles[1].startedBy == .newLoad)
    }

    @Test func upgradedWithoutRegistration() throws {
        var s = BootScene()
        s.bootToConfig(p, running: S.mid, config: S.target)
        s.load(p, S.target)
        s.wait(5)
        s.bootToConfig(p, running: S.target, config: S.target)
        #expect(verdict(s)?.code == .upgraded)
    }

    @Test func outcomeUnknownAfterTheLastPart() throws {
        var s = BootScene()
        s.bootToConfig(p, running: S.mid, config: S.target)
        s.load(p, S.target)
        #expect(verdict(s)?.code == .outcomeUnknown)
    }

    @Test func captureEndedMidBoot() throws {
        var s = BootScene()
        s.cdp(p, load: S.target)
        s.dora(p)
        s.trustList(p)
        let v = try #require(verdict(s))
        #expect(v.code == .captureEnded)
        #expect(v.code.isUndecided)
    }

    @Test func noDHCPAnswer() throws {
        var s = BootScene()
        for _ in 0..<4 {
            s.dhcpAsk(p)
            s.wait(4)
        }
        s.wait(8)
        s.dhcpAsk(p)
        let v = try #require(verdict(s))
        #expect(v.code == .noDHCPAnswer)
        if case .dhcpUnanswered(let asks, _) = v.verdict.fact { #expect(asks == 5) } else { Issue.record("fact \(v.verdict.fact)") }
    }

    @Test func dhcpNak() throws {
        var s = BootScene()
        s.dhcpAsk(p, type: 3)
        s.dhcpReply(p, type: 6)
        #expect(verdict(s)?.code == .noDHCPAnswer)
    }

    @Test func noTFTPServer() throws {
        var s = BootScene()
        s.cdp(p, load: S.target)
        s.dora(p, option150: nil)
        s.wait(5)
        s.dora(p, option150: nil)
        #expect(verdict(s)?.code == .noTFTPServer)
    }

    /// tftpd32's "i 192.0.2.1": atoi gives 192, four little-endian bytes: 192.0.0.0.
    @Test func option150FromAnInteger() throws {
        var s = BootScene()
        s.dora(p, option150: [192, 0, 0, 0])
        s.wait(12)
        s.dora(p, option150: [192, 0, 0, 0])
        let v = try #require(verdict(s))
        #expect(v.code == .tftpOptionMalformed)
        #expect(v.verdict.fact == .optionMalformed(.option150Integer(IPv4Address(192, 0, 0, 0)), server: S.server))
        #expect(v.verdict.nextStep.contains("a 192.0.2.1"))
    }

    @Test func option150AsText() throws {
        var s = BootScene()
        s.dora(p, option150: Array("192.0.2.1".utf8))
        s.wait(12)
        let v = try #require(verdict(s))
        #expect(v.code == .tftpOptionMalformed)
        #expect(v.verdict.fact == .optionMalformed(.option150Text("192.0.2.1"), server: S.server))
    }

    @Test func tftpServerSilent() throws {
        var s = BootScene()
        s.cdp(p, load: S.target)
        s.dora(p)
        s.fetch(p, "CTL\(p.sep).tlv", .nothing)
        s.wait(12)
        let v = try #require(verdict(s))
        #expect(v.code == .tftpServerSilent)
    }

    @Test func configNotFound() throws {
        var s = BootScene()
        s.cdp(p, load: S.target)
        s.dora(p)
        s.trustList(p)
        s.fetch(p, "\(p.sep).cnf.xml", .error)
        s.fetch(p, "XMLDefault.cnf.xml", .error)
        let v = try #require(verdict(s))
        #expect(v.code == .configNotFound)
        #expect(v.verdict.frames.count == 4)
    }

    @Test func trustListMismatch() throws {
        var s = BootScene()
        for _ in 0..<3 {
            s.cdp(p, load: S.target)
            s.dora(p)
            s.trustList(p)
            s.fetch(p, "\(p.sep).cnf.xml.sgn", .error)
            s.wait(3)
        }
        let v = try #require(verdict(s))
        #expect(v.code == .trustListMismatch)
        #expect(v.cycleCount == 3)
        if case .trustList(_, let restarts) = v.verdict.fact { #expect(restarts == 2) } else { Issue.record("fact \(v.verdict.fact)") }
    }

    @Test func loadNotFound() throws {
        var s = BootScene()
        s.bootToConfig(p, running: S.mid, config: S.target)
        s.fetch(p, "\(S.target).loads", .error)
        let v = try #require(verdict(s))
        #expect(v.code == .loadNotFound)
        #expect(v.verdict.fact == .loadNotFound(file: "\(S.target).loads", named: .config(S.target), server: TransportEndpoint(.v4(S.server), 69)))
    }

    @Test func loadPartMissingWithAnotherCaseInTheCapture() throws {
        let part = BootFileBuilder.partNames(load: S.target)[2]
        var s = BootScene()
        // Another phone got the part under another case: the name on the server differs only in case.
        s.fetch(S.phone2, part.uppercased(), .file(BootFileBuilder.part(name: part, size: 600)))
        s.bootToConfig(p, running: S.mid, config: S.target)
        s.load(p, S.target, missing: part)
        let v = try #require(verdict(s))
        #expect(v.code == .loadPartMissing)
        #expect(v.verdict.fact == .partMissing(part: part, loads: "\(S.target).loads", otherCase: part.uppercased()))
    }

    @Test func upgradePathExplainsARefusedLoad() throws {
        var s = BootScene()
        for _ in 0..<2 {
            s.bootToConfig(p, running: S.old, config: S.target)
            s.load(p, S.target)
            s.wait(5)
        }
        let v = try #require(verdict(s))
        #expect(v.code == .upgradePath)
        #expect(v.findingCodes.contains(.loadRejected))
        #expect(v.verdict.fact == .upgradePath(running: S.old, target: S.target, step: "8.5(2)"))
        #expect(v.verdict.nextStep.contains("load 8.5(2) first"))
    }

    @Test func loadRejectedWhenTheVersionsDoNotExplainIt() throws {
        var s = BootScene()
        for _ in 0..<2 {
            s.bootToConfig(p, running: S.mid, config: S.target)
            s.load(p, S.target)
            s.wait(5)
        }
        let v = try #require(verdict(s))
        #expect(v.code == .loadRejected)
        #expect(!v.findingCodes.contains(.upgradePath))
        if case .loadRejected(let load, let running, let fetches) = v.verdict.fact {
            #expect(load == S.target && running == S.mid && fetches == 2)
        } else {
            Issue.record("fact \(v.verdict.fact)")
        }
    }

    @Test func upgradePathIsAWarningBeforeTheLoadIsFetched() throws {
        var s = BootScene()
        s.bootToConfig(p, running: S.old, config: S.target)
        let v = try #require(verdict(s))
        #expect(v.code == .captureEnded)
        let path = try #require(v.findings.first { $0.code == .upgradePath })
        #expect(path.isWarning)
    }

    @Test func registrationRejected() throws {
        var s = BootScene()
        s.bootToConfig(p, running: S.target, config: S.target)
        s.register(p, accepted: false)
        let v = try #require(verdict(s))
        #expect(v.code == .registrationRejected)
        #expect(v.verdict.fact == .registrationRejected(protocol: .sccp, reason: "No Authority: \(p.sep)", server: S.server))
    }

    @Test func noRegistrationAnswer() throws {
        var s = BootScene()
        s.bootToConfig(p, running: S.target, config: S.target)
        s.register(p, accepted: nil)
        s.wait(11)
        s.cdp(p, load: S.target)
        #expect(verdict(s)?.code == .noRegistrationAnswer)
        // Answered later than the capture shows: not yet a verdict.
        var t = BootScene()
        t.bootToConfig(p, running: S.target, config: S.target)
        t.register(p, accepted: nil)
        #expect(verdict(t)?.code == .captureEnded)
    }

    @Test func bootLoopWithNothingToExplainIt() throws {
        var s = BootScene()
        for _ in 0..<3 {
            s.bootToConfig(p, running: S.target, config: S.target)
            s.wait(5)
        }
        let v = try #require(verdict(s))
        #expect(v.code == .bootLoop)
        #expect(v.cycleCount == 3)
        // The CDP just before each DISCOVER belongs to the boot the DISCOVER begins.
        #expect(v.cycles.map(\.startedBy) == [.firstSeen, .dhcp, .dhcp])
        #expect(v.cycles.allSatisfy { $0.runningLoad == S.target && $0.runningLoadFrame != nil })
        // Two cycles are not a loop by default; one more cycle is with the threshold at 2.
        var t = BootScene()
        for _ in 0..<2 {
            t.bootToConfig(p, running: S.target, config: S.target)
            t.wait(5)
        }
        #expect(verdict(t)?.code == .captureEnded)
        #expect(verdict(t, thresholds: BootThresholds(loopCycles: 2))?.code == .bootLoop)
    }

    @Test func transferStalled() throws {
        var s = BootScene()
        s.bootToConfig(p, running: S.mid, config: S.target)
        let parts = BootFileBuilder.partNames(load: S.target)
        s.fetch(p, "\(S.target).loads", .file(BootFileBuilder.loads(name: "\(S.target).loads", release: S.target, parts: parts)))
        s.fetch(p, parts[0], .stall(BootFileBuilder.part(name: parts[0], size: 4000), blocks: 3))
        s.wait(200)
        s.switchCDP()
        let v = try #require(verdict(s))
        #expect(v.code == .transferStalled)
    }

    @Test func noPhoneTrafficWhenOnlyTheSetupIsSeen() throws {
        var s = BootScene()
        s.switchCDP()
        s.wait(30)
        s.switchCDP()
        let c = s.conclude()
        #expect(c.boot.phones.isEmpty)
        #expect(c.boot.code == .noPhoneTraffic)
        let report = AnalysisReport(file: "x.pcap", conclusion: c)
        #expect(report.verdict == "NO_PHONE_TRAFFIC")
        #expect(report.findings.map(\.code) == ["NO_PHONE_TRAFFIC"])
        // Nothing of a setup either: the S.O.S. diagnosis's word stands.
        #expect(AnalysisReport(file: "y.pcap", conclusion: BootScene().conclude()).verdict == "NO_RECOVERY_TRAFFIC")
    }

    @Test func aCaptureBeginningMidBootIsNoted() throws {
        var s = BootScene()
        s.fetch(p, "XMLDefault.cnf.xml", .file(BootScene.defaultConfig(S.target)))
        s.register(p, accepted: true)
        let v = try #require(verdict(s))
        #expect(v.code == .registered)
        #expect(v.notes.contains(.beganMidCycle(frame: 1)))
    }

    @Test func manyPhonesWithinTheLimit() throws {
        var s = BootScene()
        for i in 0..<6 {
            let phone = BootScene.Phone(mac: MACAddress(rawValue: 0x001B_D400_0000 + UInt64(i)), ip: IPv4Address(192, 0, 2, UInt8(100 + i)))
            s.cdp(phone, load: S.target)
            s.dora(phone)
        }
        var limits = CaptureAnalysis.Limits()
        limits.boot.maxPhones = 4
        let b = s.boot(limits: limits)
        #expect(b.phones.count == 4)
        #expect(b.notices == [.phonesNotFollowed(2, max: 4)])
    }

    @Test func cyclesAreBoundedKeepingTheFirstAndTheLatest() throws {
        var s = BootScene()
        for _ in 0..<10 {
            s.cdp(p, load: S.target)
            s.dora(p)
            s.trustList(p)
            s.fetch(p, "\(p.sep).cnf.xml.sgn", .error)
            s.wait(3)
        }
        var limits = CaptureAnalysis.Limits()
        limits.boot.maxCyclesPerPhone = 4
        let v = try #require(s.boot(limits: limits).phone(p))
        #expect(v.cycleCount == 10)
        #expect(v.cycles.map(\.number) == [1, 8, 9, 10])
        #expect(v.notes.contains(.cyclesNotKept(6, max: 4)))
        #expect(v.code == .trustListMismatch)
    }

    @Test func bothFamiliesInOneReport() throws {
        var s = BootScene()
        s.scene.exchange()
        s.scene.wait(40)
        s.scene.normalFirmware(SOSScene.phone1, after: 1)
        s.bootToConfig(p, running: S.target, config: S.target)
        s.register(p, accepted: false)
        let report = AnalysisReport(file: "mixed.pcap", conclusion: s.conclude())
        #expect(report.phones.map(\.family) == ["sos", "79xx"])
        #expect(report.phones.map(\.verdict) == ["RECOVERED", "REGISTRATION_REJECTED"])
        // A failure outranks a success, whichever family it is.
        #expect(report.verdict == "REGISTRATION_REJECTED")
        let text = AnalysisText().lines(report).joined(separator: "\n")
        #expect(text.contains("cycles:"))
        #expect(text.contains("SCCP rejected by 192.0.2.1"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let back = try decoder.decode(AnalysisReport.self, from: Data(report.json.utf8))
        #expect(back == report)
    }
}
