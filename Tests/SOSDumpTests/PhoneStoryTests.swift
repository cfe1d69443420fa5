import Testing
import SOSDumpSimulation
@testable import SOSDump

/// The story machine driven to each verdict with frames built byte by byte
/// (the decoder's encoders for the S.O.S. messages): every code of
/// docs/verdicts.md, several phones, a phone that changes address, the
/// thresholds at their edges, and the pairing warning.
@Suite struct PhoneStoryTests {
    typealias Scene = SOSScene
    static let p1 = SOSScene.phone1
    static let p2 = SOSScene.phone2

    /// The phone's verdict and its findings' codes.
    static func outcome(_ a: RecoveryAnalysis, _ p: Scene.Phone = p1) -> (String, [String])? {
        guard let v = a.phone(p) else { return nil }
        return (v.code.rawValue, v.findings.map(\.code.rawValue))
    }

    // MARK: A whole recovery

    @Test func recovered() throws {
        var s = Scene()
        s.exchange()
        let lastDownloadFrame = s.frameCount
        s.normalFirmware(Self.p1, after: 30)
        let a = s.analyze()
        #expect(a.code == .recovered)
        let phone = try #require(a.phone(Self.p1))
        #expect(phone.code == .recovered && phone.findings.map(\.code) == [.recovered])
        #expect(phone.identity.address == Self.p1.ip && phone.identity.serial == "CBT99990001")
        #expect(phone.identity.product == "SPA504G" && phone.identity.loaderVersion == "7.4.4rec" && phone.identity.hardwareVersion == "1.0.2")
        #expect(phone.identity.gateway == Scene.gateway)
        #expect(phone.attempts == 1)
        let t = try #require(phone.download?.transfer)
        #expect(t.outcome == .complete && t.file.isComplete && t.fileName == Scene.file && t.file.size == Scene.goodImage.count)
        #expect(t.digests?.sha256 == FirmwareVerification(Scene.goodImage).sha256.description)
        #expect(phone.download?.image?.loader == .accepted && phone.download?.image?.version == "7.4.9c")
        // The evidence: the download's last frame and the normal firmware's DHCP.
        #expect(phone.findings[0].frames == [lastDownloadFrame, lastDownloadFrame + 1])
        #expect(phone.findings[0].evidence.last?.what.contains("Cisco SPA504G") == true)
        #expect(phone.explanation.contains("normal firmware") && !phone.nextStep.isEmpty)
        // The timeline holds the frames that matter, the download folded into one line.
        let texts = phone.timeline.map(\.text)
        #expect(texts.contains { $0.hasPrefix("S.O.S. request to 234.4.8.10") })
        #expect(texts.contains { $0.hasPrefix("echoes the upgrade order") })
        #expect(texts.contains { $0.contains("asks ARP for its gateway 192.0.2.254") })
        #expect(texts.contains { $0.contains("the gateway answers") })
        #expect(texts.contains { $0.hasPrefix("TFTP from 192.0.2.1") && $0.contains("complete") })
        #expect(texts.contains { $0.contains("of silence from the phone") })
        #expect(phone.timeline.count < 20)
    }

    @Test func noRecoveryTraffic() {
        var s = Scene()
        for _ in 0..<5 { s.noise(after: 1) }
        let a = s.analyze()
        #expect(a.code == .noRecoveryTraffic && a.phones.isEmpty && a.findings.map(\.code) == [.noRecoveryTraffic])
        #expect(a.frames == 5)
    }

    /// A phone in recovery, but nothing from a utility.
    @Test func aPhoneInRecoveryAndNoUtility() {
        var s = Scene()
        s.dhcp(Self.p1)
        s.dhcp(Self.p1, after: 5)
        s.noise(after: 20)
        let a = s.analyze()
        #expect(Self.outcome(a)?.0 == "NO_RECOVERY_TRAFFIC")
        #expect(a.phone(Self.p1)?.explanation.contains("recovery mode") == true)
    }

    // MARK: Requests

    @Test func requestsDroppedByRuleWithNoPhone() {
        for (length, port) in [(150, 4811), (200, 4811), (160, 50000)] {
            var s = Scene()
            for i in 0..<12 {
                s.udp(from: Scene.pcMAC, Scene.pcIP, port, to: Scene.group, 4810, SOSRecovery.encodeRequest(length: length), after: i == 0 ? 0 : 1)
            }
            let a = s.analyze()
            #expect(a.code == .requestIgnored && a.phones.isEmpty, "\(length) \(port)")
            #expect(a.findings.map(\.code) == [.requestIgnored])
            #expect(a.findings.first?.frames == [1, 12])
        }
    }

    @Test func broadcastsToAPhoneSeenByItsDHCP() {
        var s = Scene()
        s.dhcp(Self.p1)
        s.dhcp(Self.p1, after: 5)
        for i in 0..<11 {
            s.request(to: .broadcast, linkBroadcast: true, after: i == 0 ? 5 : 1)
            s.request(to: IPv4Address(192, 0, 2, 255), linkBroadcast: true)
        }
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("REQUEST_IGNORED", ["REQUEST_IGNORED"]))
        #expect(a.code == .requestIgnored)
        #expect(a.phone(Self.p1)?.findings.first?.explanation.contains("broadcast") == true)
    }

    /// Requests whose IPv4 header checksum broke on the way: the phone
    /// drops them. The analysis decodes with checksums deferred and checks
    /// this one where it reads it.
    @Test func requestsWithABadIPHeaderChecksumAreIgnored() {
        var s = Scene()
        s.dhcp(Self.p1)
        for i in 0..<11 {
            s.request(after: i == 0 ? 5 : 1)
            s.corruptLastFrame(at: 14 + 10)
        }
        let a = s.analyze()
        #expect(Self.outcome(a)?.0 == "REQUEST_IGNORED")
        #expect(a.phone(Self.p1)?.findings.first?.explanation.contains("IP header checksum is wrong") == true)
    }

    /// Requests with the MAC typed as serial, dropped; then the wildcard works.
    @Test func wrongSerialThenRecovered() {
        var s = Scene()
        s.requests(for: 10, serial: "0002FD5A0001")
        s.request(after: 1)
        s.reply(Self.p1)
        s.upgrade()
        s.echo(Self.p1)
        s.gatewayARP(Self.p1)
        s.rrq(Self.p1)
        s.transfer(Self.p1)
        s.normalFirmware(Self.p1, after: 30)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("RECOVERED", ["REQUEST_IGNORED", "RECOVERED"]))
        let ignored = a.phone(Self.p1)!.findings[0]
        #expect(ignored.explanation.contains("0002FD5A0001") && ignored.nextStep.contains("serial"))
    }

    /// A serial that is another phone's is meant for that phone: not a drop for this one.
    @Test func aSerialForAnotherPhoneIsNotADropForThisOne() {
        var s = Scene()
        s.request()
        s.reply(Self.p1)
        s.reply(Self.p2)
        s.request(serial: Self.p1.serial, after: 1)
        s.reply(Self.p1)
        s.wait(30)
        s.noise(after: 0)
        let a = s.analyze()
        #expect(a.phone(Self.p2)?.findings.map(\.code) == [.utilityDeaf])
    }

    @Test func noPhoneReplyAtTheEdge() {
        func scene(_ seconds: Double) -> RecoveryAnalysis {
            var s = Scene()
            s.request()
            s.request(after: seconds / 2)
            s.request(after: seconds / 2)
            return s.analyze()
        }
        #expect(scene(10).code == .noPhoneReply)
        #expect(scene(9.99).code == .captureEnded)
        #expect(scene(9.99).findings.first?.explanation.contains("capture ends") == true)
        // A threshold of 5 s makes 6 s enough.
        var s = Scene()
        s.request()
        s.request(after: 6)
        #expect(s.analyze(thresholds: RecoveryThresholds(noReply: 5)).code == .noPhoneReply)
    }

    /// Requests to an address before the phone's reply are the phone's once its address is known.
    @Test func unicastRequestsBeforeTheReplyAreThePhones() {
        var s = Scene()
        s.request(to: Self.p1.ip, serial: "WRONG")
        s.request(to: Self.p1.ip, after: 1)
        s.reply(Self.p1)
        s.wait(30)
        s.noise(after: 0)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("UTILITY_DEAF", ["UTILITY_DEAF", "REQUEST_IGNORED"]))
        #expect(a.findings.isEmpty)
    }

    /// Requests to an address no phone ever had: findings of the capture, not of a phone.
    @Test func requestsToAnUnknownAddress() {
        var s = Scene()
        s.requests(for: 12, to: IPv4Address(192, 0, 2, 77))
        s.request()
        s.reply(Self.p1)
        s.wait(15)
        s.noise(after: 0)
        let a = s.analyze()
        #expect(a.code == .utilityDeaf)
        #expect(a.findings.map(\.code) == [.noPhoneReply])
        #expect(a.timeline.first?.count == 13)
    }

    @Test func utilityDeaf() {
        var s = Scene()
        s.requests(for: 3, answeredBy: [Self.p1])
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("UTILITY_DEAF", ["UTILITY_DEAF"]))
        // One request, one reply, and the capture ends at once: it may only have been cut.
        var t = Scene()
        t.request()
        t.reply(Self.p1)
        #expect(Self.outcome(t.analyze())! == ("CAPTURE_ENDED", ["CAPTURE_ENDED"]))
    }

    @Test func phoneBusy() {
        var s = Scene()
        s.gatewayARP(Self.p1)
        s.rrq(Self.p1, "spa504g-recovery.bin", to: IPv4Address(198, 51, 100, 20))
        for i in 0..<10 {
            s.request(after: i == 0 ? 0.05 : 1)
            if i % 2 == 1 { s.rrq(Self.p1, "spa504g-recovery.bin", to: IPv4Address(198, 51, 100, 20)) }
        }
        s.httpSYN(Self.p1)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("PHONE_BUSY", ["PHONE_BUSY"]))
        #expect(a.phone(Self.p1)?.attempts == 0)
    }

    /// The phone replied, but had left its window when the order came.
    @Test func orderWhileBusy() {
        var s = Scene()
        s.request()
        s.reply(Self.p1)
        s.wait(4)
        s.rrq(Self.p1, "recover.bin", to: IPv4Address(198, 51, 100, 20))
        s.upgrade(after: 2)
        s.rrq(Self.p1, "recover.bin", to: IPv4Address(198, 51, 100, 20), after: 1)
        s.noise(after: 11)
        #expect(Self.outcome(s.analyze())?.0 == "PHONE_BUSY")
    }

    // MARK: The download

    @Test func noGateway() {
        var s = Scene()
        s.request()
        s.reply(Self.p1)
        s.upgrade()
        s.echo(Self.p1)
        s.gatewayARP(Self.p1, tries: 3, answered: false)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("NO_GATEWAY", ["NO_GATEWAY"]))
        #expect(a.phone(Self.p1)?.nextStep.contains("192.0.2.254") == true)
        // One unanswered ARP, and the capture ends: cut.
        var t = Scene()
        t.request()
        t.reply(Self.p1)
        t.upgrade()
        t.echo(Self.p1)
        t.gatewayARP(Self.p1, tries: 1, answered: false)
        #expect(Self.outcome(t.analyze())?.0 == "CAPTURE_ENDED")
        // No ARP at all, and the phone is back listening: no gateway configured.
        var u = Scene()
        u.request()
        u.reply(Self.p1)
        u.upgrade()
        u.echo(Self.p1)
        u.request(after: 2)
        u.reply(Self.p1)
        #expect(Self.outcome(u.analyze())?.0 == "NO_GATEWAY")
    }

    @Test func tftpUnreachable() {
        var s = Scene()
        s.request()
        s.reply(Self.p1)
        s.upgrade()
        s.echo(Self.p1)
        s.gatewayARP(Self.p1, gateway: Scene.pcIP)
        for i in 0..<2 {
            s.rrq(Self.p1, to: Scene.pcIP, after: i == 0 ? 0.001 : 2)
            s.portUnreachable(Self.p1)
        }
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("TFTP_UNREACHABLE", ["TFTP_UNREACHABLE"]))
        #expect(a.phone(Self.p1)?.download?.transfer?.outcome == .unreachable)
    }

    @Test func tftpNoResponse() {
        func scene(tries: Int) -> RecoveryAnalysis {
            var s = Scene()
            s.request()
            s.reply(Self.p1)
            s.upgrade()
            s.echo(Self.p1)
            s.gatewayARP(Self.p1)
            for i in 0..<tries { s.rrq(Self.p1, after: i == 0 ? 0.001 : 2) }
            return s.analyze()
        }
        #expect(Self.outcome(scene(tries: 5))! == ("TFTP_NO_RESPONSE", ["TFTP_NO_RESPONSE"]))
        #expect(Self.outcome(scene(tries: 2))?.0 == "CAPTURE_ENDED")
    }

    @Test func tftpError() {
        var s = Scene()
        s.request()
        s.reply(Self.p1)
        s.upgrade()
        s.echo(Self.p1)
        s.gatewayARP(Self.p1)
        s.rrq(Self.p1)
        s.tftpError(Self.p1)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("TFTP_ERROR", ["TFTP_ERROR"]))
        #expect(a.phone(Self.p1)?.explanation.contains("File not found") == true)
    }

    /// An upgrade whose server stops after block 10; the phone sends its
    /// last ACK `retries` more times, 2 s apart; then `quiet` seconds after
    /// the last new block, the capture's last frame (none when nil).
    static func stoppedDownload(retries: Int, quiet: Double? = nil) -> RecoveryAnalysis {
        var s = Scene()
        s.request()
        s.reply(p1)
        s.upgrade()
        s.echo(p1)
        s.gatewayARP(p1)
        s.rrq(p1)
        s.transfer(p1, stopAfter: 10, retries: retries)
        if let quiet { s.noise(after: quiet - 2 * Double(retries)) }
        return s.analyze()
    }

    @Test func transferStalledAtTheEdge() {
        // Three repeated ACKs: the phone has not used all its tries; the threshold decides.
        #expect(Self.outcome(Self.stoppedDownload(retries: 3, quiet: 10.01))! == ("TRANSFER_STALLED", ["TRANSFER_STALLED"]))
        #expect(Self.outcome(Self.stoppedDownload(retries: 3, quiet: 9.95))?.0 == "CAPTURE_ENDED")
        #expect(Self.stoppedDownload(retries: 3, quiet: 9.95).phone(Self.p1)?.download?.transfer?.outcome == .stalled)
    }

    /// The phone sent its last ACK five times, its every try: it has given
    /// up, whatever the threshold (a capture filtered to the phone's frames
    /// ends with its last try).
    @Test func aPhoneThatUsedItsFiveTriesHasGivenUp() {
        #expect(Self.outcome(Self.stoppedDownload(retries: 4))! == ("TRANSFER_STALLED", ["TRANSFER_STALLED"]))
        #expect(Self.outcome(Self.stoppedDownload(retries: 3))?.0 == "CAPTURE_ENDED", "four tries: it may still get the block")
    }

    @Test func captureEndedAtEveryStage() {
        // After the request, the reply, the upgrade, the echo, the RRQ, mid-transfer.
        var s = Scene()
        s.request()
        #expect(s.analyze().code == .captureEnded)
        s.reply(Self.p1)
        #expect(Self.outcome(s.analyze())?.0 == "CAPTURE_ENDED")
        s.upgrade()
        #expect(Self.outcome(s.analyze())?.0 == "CAPTURE_ENDED")
        s.echo(Self.p1)
        #expect(Self.outcome(s.analyze())?.0 == "CAPTURE_ENDED")
        s.gatewayARP(Self.p1)
        #expect(Self.outcome(s.analyze())?.0 == "CAPTURE_ENDED")
        s.rrq(Self.p1)
        #expect(Self.outcome(s.analyze())?.0 == "CAPTURE_ENDED")
        // Cut in the middle of the download.
        var cut = Scene()
        cut.exchange()
        var partial = Scene()
        for f in cut.frames.prefix(cut.frames.count - 6) { partial.append(f) }
        #expect(Self.outcome(partial.analyze())?.0 == "CAPTURE_ENDED")
        // The whole transfer, then the capture ends: the outcome is unknown.
        #expect(Self.outcome(cut.analyze())! == ("OUTCOME_UNKNOWN", ["OUTCOME_UNKNOWN"]))
    }

    // MARK: The image

    @Test func imageRejected() throws {
        var built = FirmwareImageBuilder().build()
        built.flip(at: built.data.last!.offset + 4)
        var s = Scene()
        s.exchange(image: built.bytes)
        s.request(after: 0.2)
        s.reply(Self.p1)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("IMAGE_REJECTED", ["IMAGE_REJECTED"]))
        let phone = try #require(a.phone(Self.p1))
        #expect(phone.explanation.contains("digest error") && phone.download?.image?.loader == .rejected)
    }

    @Test func imageMismatchIsAWarning() {
        var s = Scene()
        s.exchange()
        s.normalFirmware(Self.p1, after: 30)
        var other = FirmwareImageBuilder(sectors: [SectorSpec(id: 32, stored: false, content: SectorSpec.content(seed: 9))])
        other.version = "7.4.9c"
        let v = FirmwareVerification(other.build().bytes)
        var catalog = FirmwareCatalog.builtIn
        _ = catalog.add(FirmwareCatalog.Image(release: "7.4.9c", imageVersion: "7.4.9c", file: "spa71f6.bin", size: v.length, sha256: v.sha256, md5: v.md5, origin: "test"))
        let a = s.analyze(catalog: catalog)
        #expect(Self.outcome(a)! == ("RECOVERED", ["IMAGE_MISMATCH", "RECOVERED"]))
        #expect(a.code == .recovered)
    }

    @Test func loaderFirmwarePairingIsAWarningWithItsCaveat() throws {
        var b = FirmwareImageBuilder()
        b.version = "7.6.2g"
        var s = Scene()
        s.exchange(image: b.build().bytes, file: "/spa50x-30x-7-6-2g.bin")
        s.normalFirmware(Self.p1, after: 30)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("RECOVERED", ["LOADER_FIRMWARE_MISMATCH", "RECOVERED"]))
        let warning = try #require(a.phone(Self.p1)?.findings.first)
        #expect(warning.caveat?.contains("not a certainty") == true && warning.explanation.contains("7.6.2g"))
        // The rule itself.
        #expect(Rules.pairingBroken(loader: "7.4.4rec", image: "7.5.2b") == nil)
        #expect(Rules.pairingBroken(loader: "7.4.4.rec", image: "7.5.3") == true)
        #expect(Rules.pairingBroken(loader: "7.6.2", image: "7.4.9c") == false)
        #expect(Rules.pairingBroken(loader: "7.6.2", image: "7.6.2g") == nil)
        #expect(Rules.pairingBroken(loader: "garbage", image: "7.6.2g") == nil)
    }

    // MARK: What came back

    @Test func resetDuringWriteAndRevertedAtTheEdge() {
        func scene(back: Double) -> RecoveryAnalysis {
            var s = Scene()
            s.exchange()
            s.dhcp(Self.p1, after: back)
            s.request(after: 0.5)
            s.reply(Self.p1)
            return s.analyze()
        }
        #expect(Self.outcome(scene(back: 19.9))! == ("RESET_DURING_WRITE", ["RESET_DURING_WRITE"]))
        #expect(Self.outcome(scene(back: 20.0))! == ("REVERTED_TO_RECOVERY", ["REVERTED_TO_RECOVERY"]))
        #expect(Self.outcome(scene(back: 31))! == ("REVERTED_TO_RECOVERY", ["REVERTED_TO_RECOVERY"]))
        var s = Scene()
        s.exchange()
        s.dhcp(Self.p1, after: 12)
        #expect(Self.outcome(s.analyze(thresholds: RecoveryThresholds(resetWindow: 10)))?.0 == "REVERTED_TO_RECOVERY")
    }

    /// Any frame from the phone counts as heard from, even before it shows which program runs.
    @Test func heardFromByAnyFrame() {
        var s = Scene()
        s.exchange()
        s.gatewayARP(Self.p1, gateway: Scene.pcIP, answered: false)  // at +0.001: heard at once
        s.dhcp(Self.p1, after: 25)
        #expect(Self.outcome(s.analyze())?.0 == "RESET_DURING_WRITE")
    }

    /// Heard from within the reset window, by a frame that does not say which program runs: a reset all the same.
    @Test func heardWithinTheWindowWithoutASign() {
        var s = Scene()
        s.exchange()
        s.wait(5)
        s.gatewayARP(Self.p1, gateway: Scene.pcIP, answered: false)
        s.noise(after: 30)
        #expect(Self.outcome(s.analyze())?.0 == "RESET_DURING_WRITE")
        // After the window, with nothing that says which program runs: unknown.
        var t = Scene()
        t.exchange()
        t.wait(25)
        t.gatewayARP(Self.p1, gateway: Scene.pcIP, answered: false)
        t.noise(after: 30)
        let a = t.analyze()
        #expect(Self.outcome(a)?.0 == "OUTCOME_UNKNOWN")
        #expect(a.phone(Self.p1)?.explanation.contains("does not say") == true)
    }

    @Test func outcomeUnknown() {
        var s = Scene()
        s.exchange()
        s.noise(after: 60)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("OUTCOME_UNKNOWN", ["OUTCOME_UNKNOWN"]))
        #expect(a.phone(Self.p1)?.explanation.contains("60 s later") == true)
    }

    /// A failed attempt, then a good one: the earlier failure is a finding, the verdict the last attempt's.
    @Test func aSecondAttempt() {
        var s = Scene()
        s.request()
        s.reply(Self.p1)
        s.upgrade()
        s.echo(Self.p1)
        s.gatewayARP(Self.p1)
        s.rrq(Self.p1)
        s.tftpError(Self.p1)
        s.request(after: 3)
        s.reply(Self.p1)
        s.upgrade()
        s.echo(Self.p1)
        s.gatewayARP(Self.p1)
        s.rrq(Self.p1)
        s.transfer(Self.p1)
        s.normalFirmware(Self.p1, after: 30)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("RECOVERED", ["TFTP_ERROR", "RECOVERED"]))
        #expect(a.phone(Self.p1)?.attempts == 2)
    }

    // MARK: Several phones, addresses

    @Test func twoPhones() throws {
        var s = Scene()
        s.dhcp(Self.p2)
        s.request(after: 5)
        s.reply(Self.p1)
        s.reply(Self.p2)
        s.upgrade()
        s.echo(Self.p1)
        s.echo(Self.p2)
        s.gatewayARP(Self.p1)
        s.gatewayARP(Self.p2)
        s.rrq(Self.p1)
        s.rrq(Self.p2)
        s.transfer(Self.p1)
        s.transfer(Self.p2)
        s.requests(for: 10)
        s.normalFirmware(Self.p1, after: 20)
        s.dhcp(Self.p2, after: 1)
        s.request(after: 0.5)
        s.reply(Self.p2)
        let a = s.analyze()
        #expect(a.phones.count == 2)
        #expect(Self.outcome(a, Self.p1)! == ("RECOVERED", ["RECOVERED"]))
        #expect(Self.outcome(a, Self.p2)! == ("REVERTED_TO_RECOVERY", ["REVERTED_TO_RECOVERY"]))
        #expect(a.code == .revertedToRecovery)
        // Each transfer is its own phone's: linked by MAC and file name, not by order.
        let t1 = try #require(a.phone(Self.p1)?.download?.transfer), t2 = try #require(a.phone(Self.p2)?.download?.transfer)
        #expect(t1.client.address == .v4(Self.p1.ip) && t2.client.address == .v4(Self.p2.ip))
    }

    @Test func aPhoneThatChangesAddress() throws {
        let before = IPv4Address(169, 254, 87, 1)
        var s = Scene()
        s.request()
        s.reply(Self.p1, address: before)
        s.dhcpAck(Self.p1, gives: Self.p1.ip)
        // The utility now talks to the new address only.
        s.request(to: Self.p1.ip, after: 1)
        s.reply(Self.p1)
        s.upgrade(to: Self.p1.ip)
        s.echo(Self.p1)
        s.gatewayARP(Self.p1)
        s.rrq(Self.p1)
        s.transfer(Self.p1)
        s.normalFirmware(Self.p1, after: 30)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("RECOVERED", ["RECOVERED"]))
        let id = try #require(a.phone(Self.p1)?.identity)
        #expect(id.addresses == [before, Self.p1.ip] && id.address == Self.p1.ip)
        #expect(a.phones.count == 1 && a.findings.isEmpty)
    }

    // MARK: Older loaders, duplicates, limits

    @Test func anUpgradeOrderSentAsText() throws {
        var s = Scene()
        s.request()
        s.reply(Self.p1)
        s.textUpgrade()
        s.gatewayARP(Self.p1)
        s.rrq(Self.p1)
        s.transfer(Self.p1)
        s.normalFirmware(Self.p1, after: 30)
        let a = s.analyze()
        #expect(Self.outcome(a)! == ("RECOVERED", ["RECOVERED"]))
        let phone = try #require(a.phone(Self.p1))
        #expect(phone.download?.orderAsText == true)
        #expect(phone.notes.map(SOSWording.note).contains { $0.contains("as text") && $0.contains("variant") })
        // A text datagram nobody acts on is a message the phone drops.
        var t = Scene()
        t.dhcp(Self.p1)
        t.textUpgrade()
        t.noise(after: 12)
        #expect(Self.outcome(t.analyze())?.0 == "REQUEST_IGNORED")
    }

    @Test func framesSeenOnTwoInterfacesCountOnce() {
        var s = Scene()
        var twice = Scene()
        s.request()
        s.reply(Self.p1)
        s.wait(12)
        s.request()
        s.reply(Self.p1)
        for f in s.frames {
            twice.append(f)
            twice.append((f.bytes, f.time, 1))
        }
        let a = twice.analyze()
        #expect(Self.outcome(a)?.0 == "UTILITY_DEAF")
        #expect(a.notices.map(SOSWording.notice).contains { $0.contains("seen twice") })
        let replies = a.phone(Self.p1)?.timeline.filter { $0.text.hasPrefix("S.O.S. reply") }.map(\.count)
        #expect(replies == [2])
    }

    @Test func limitsAreSaid() {
        var s = Scene()
        s.request()
        s.reply(Self.p1)
        s.reply(Self.p2)
        for i in 0..<20 { s.dhcp(Self.p1, vendor: i % 2 == 0 ? "TI-dhcp 0.1" : "Cisco SPA504G", after: 1) }
        var limits = CaptureAnalysis.Limits()
        limits.sos.maxPhones = 1
        limits.sos.maxEventsPerPhone = 5
        limits.sos.maxMessages = 0
        let a = s.analyze(limits: limits)
        #expect(a.phones.count == 1)
        #expect(a.notices.map(SOSWording.notice).contains { $0.contains("1 more phones were not followed") })
        #expect(a.notices.map(SOSWording.notice).contains { $0.contains("S.O.S. messages") && $0.contains("not kept") })
        #expect(a.phones[0].notes.map(SOSWording.note).contains { $0.contains("left out of the timeline") })
    }

    // MARK: Reports and expectations

    @Test func theReportAndItsJSON() throws {
        var s = Scene()
        s.exchange()
        s.normalFirmware(Self.p1, after: 30)
        let report = AnalysisReport(file: "x.pcap", analysis: s.analyze())
        let json = report.json
        for key in ["\"file\":\"x.pcap\"", "\"verdict\":\"RECOVERED\"", "\"phones\":[", "\"mac\":\"00:02:fd:5a:00:01\"", "\"findings\":[",
                    "\"code\":\"RECOVERED\"", "\"frames\":[", "\"transfer\":{", "\"complete\":true", "\"sha256\":\"", "\"bytes\":",
                    "\"format\":\"sosdump-analysis\"", "\"next_step\":", "\"timeline\":["] {
            #expect(json.contains(key), "\(key)")
        }
        let text = AnalysisText().lines(report)
        #expect(text[0] == "x.pcap: RECOVERED (\(VerdictCode.recovered.meaning))")
        #expect(!text.joined().contains("\u{1B}["))
        let coloured = AnalysisText(style: AnalysisText.Style(colour: true)).lines(report)
        #expect(coloured[0].contains("\u{1B}[1;32mRECOVERED\u{1B}[0m"))
    }

    @Test func expectationsAreComparedPhoneByPhone() throws {
        var s = Scene()
        s.exchange()
        s.normalFirmware(Self.p1, after: 30)
        let report = AnalysisReport(file: "x.pcap", analysis: s.analyze())
        let good = Expectation(verdict: "RECOVERED", phones: [.init(mac: "00:02:FD:5A:00:01", verdict: "RECOVERED", findings: [.init(code: "RECOVERED")])])
        #expect(good.differences(from: report).isEmpty)
        let bad = Expectation(verdict: "NO_GATEWAY", phones: [
            .init(mac: "00:02:fd:5a:00:01", verdict: "NO_GATEWAY", findings: [.init(code: "NO_GATEWAY"), .init(code: "RECOVERED", frames: [1])]),
            .init(mac: "00:02:fd:5a:00:09", verdict: "RECOVERED", findings: []),
        ])
        let d = bad.differences(from: report)
        #expect(d.contains("verdict: expected NO_GATEWAY, got RECOVERED"))
        #expect(d.contains("phone 00:02:fd:5a:00:01: verdict: expected NO_GATEWAY, got RECOVERED"))
        #expect(d.contains { $0.hasPrefix("phone 00:02:fd:5a:00:01: findings: expected [NO_GATEWAY, RECOVERED], got [RECOVERED] (missing NO_GATEWAY)") })
        #expect(d.contains { $0.hasPrefix("phone 00:02:fd:5a:00:01: RECOVERED: expected frames 1") })
        #expect(d.contains("phone 00:02:fd:5a:00:09: expected (verdict RECOVERED), not found"))
    }
}

extension SOSScene {
    /// Appends a frame made elsewhere.
    mutating func append(_ f: (bytes: [UInt8], time: Double, interface: Int)) {
        let saved = interface
        interface = f.interface
        clock = f.time
        appendRaw(f.bytes)
        interface = saved
    }
}

extension PhoneStoryTests {
    /// Past eight phones downloading at once, a frame's phone is found by hashing: the same verdicts.
    @Test func manyPhonesDownloadingAtOnce() {
        let phones = (1...12).map { i in
            SOSScene.Phone(mac: MACAddress(rawValue: 0x0002_FD5A_0100 + UInt64(i)), ip: IPv4Address(192, 0, 2, UInt8(100 + i)), serial: "CBT\(1000 + i)")
        }
        var s = SOSScene()
        s.request()
        for p in phones { s.reply(p) }
        s.upgrade()
        for p in phones {
            s.echo(p)
            s.gatewayARP(p)
            s.rrq(p)
        }
        for p in phones { s.transfer(p) }
        for (i, p) in phones.enumerated() {
            if i % 2 == 0 { s.normalFirmware(p, after: i == 0 ? 30 : 0.1) } else { s.dhcp(p, after: i == 1 ? 30 : 0.1) }
        }
        let a = s.analyze()
        #expect(a.phones.count == 12)
        for (i, p) in phones.enumerated() {
            #expect(a.phone(p)?.code == (i % 2 == 0 ? .recovered : .revertedToRecovery), "\(p.mac)")
        }
    }
}

extension PhoneStoryTests {
    /// A phone that changes address without end keeps a bounded map of
    /// addresses: its story keeps 16, the registry at most 16 per phone.
    @Test func theAddressMapIsBounded() throws {
        var registry = SOSPhoneRegistry(limits: SOSDiagnosis.Limits())
        let mark = SOSPhoneStory.Mark(frame: 1, time: CaptureTimestamp(seconds: 0, nanoseconds: 0), interface: 0)
        let made = registry.phone(SOSScene.phone1.mac, create: true, at: mark)
        let p = try #require(made)
        for i in 0..<5000 { registry.learn(p, address: IPv4Address(rawValue: UInt32(0x0A00_0001 + i))) }
        #expect(registry.stories[p].identity.addresses.count == SOSPhoneRegistry.maxAddressesPerPhone)
        #expect(registry.byIP.count <= SOSPhoneRegistry.maxAddressesPerPhone * SOSDiagnosis.Limits().maxPhones)
        #expect(registry.stories[p].identity.address == IPv4Address(rawValue: UInt32(0x0A00_0001 + 4999)))
    }
}
