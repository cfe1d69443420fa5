import Testing
@testable import SOSDump

/// The recovery utility's state machine, fed datagrams and the clock by
/// hand: what it sends, in which order, and when it gives up.
@Suite struct RecoveryUtilityTests {
    static let pc = IPv4Address(192, 0, 2, 1)
    static let phone = IPv4Address(192, 0, 2, 2)
    static let mac = MACAddress(rawValue: 0x0002_FD5A_0001)
    static let image = (0..<1300).map { UInt8(truncatingIfNeeded: $0) }

    static func config(confirms: Bool = false) -> RecoveryUtility.Configuration {
        var c = RecoveryUtility.Configuration(fileName: "/fw.bin")
        c.requests = 3
        c.confirmsUpgrade = confirms
        c.tftp = RecoveryTFTPServer.Configuration(image: image, fileName: "/fw.bin")
        return c
    }

    static let reply = SOSRecovery.encodeReply(serial: "CBT99990001", product: "SPA504G", mac: mac, address: phone)

    static func sends(_ actions: [RecoveryUtility.Action]) -> [(bytes: [UInt8], to: IPv4Address, port: UInt16, from: RecoveryUtility.Socket)] {
        actions.compactMap { if case .send(let b, let to, let port, let from) = $0 { (b, to, port, from) } else { nil } }
    }

    static func notes(_ actions: [RecoveryUtility.Action]) -> [RecoveryNote] {
        actions.compactMap { if case .note(let n) = $0 { n } else { nil } }
    }

    static func finished(_ actions: [RecoveryUtility.Action]) -> RecoveryUtility.Status? {
        actions.lazy.compactMap { if case .finished(let s) = $0 { s } else { nil } }.first
    }

    @Test func aWholeRecovery() throws {
        var u = RecoveryUtility(Self.config())
        // A request to the group, from port 4811's socket.
        let first = Self.sends(u.start(now: 0))
        #expect(first.count == 1)
        #expect(first[0].to == SOSRecovery.group && first[0].port == 4810 && first[0].from == .control)
        #expect(first[0].bytes == SOSRecovery.encodeRequest())
        #expect(Self.sends(u.tick(now: 0.5)).isEmpty)
        #expect(Self.sends(u.tick(now: 1)).count == 1)

        // The reply: the upgrade order at once, naming the file.
        let ordered = u.receive(Self.reply, from: Self.phone, port: 4810, destination: SOSRecovery.group, on: .control, now: 1.2)
        #expect(Self.notes(ordered).first == .phoneReplied(u.phones[0], first: true))
        #expect(u.phones.map(\.serial) == ["CBT99990001"])
        #expect(Self.sends(ordered).map(\.bytes) == [SOSRecovery.encodeUpgrade(fileName: "/fw.bin")])
        #expect(u.hasOrdered)

        // The RRQ to the group: a socket for the transfer, then DATA 1 from it.
        let rrq = TFTPPacket.encodeReadRequest("/fw.bin")
        let opened = u.receive(rrq, from: Self.phone, port: 2000, destination: SOSRecovery.group, on: .tftp, now: 1.3)
        #expect(opened.contains { if case .openTransferSocket(1) = $0 { true } else { false } })
        #expect(Self.sends(opened).isEmpty)
        // The same request again before the socket is open: nothing new.
        let again = u.receive(rrq, from: Self.phone, port: 2000, destination: SOSRecovery.group, on: .tftp, now: 1.31)
        #expect(!again.contains { if case .openTransferSocket = $0 { true } else { false } })
        let data1 = Self.sends(u.transferOpened(1, port: 40000, now: 1.32))
        #expect(data1.count == 1 && data1[0].to == Self.phone && data1[0].port == 2000 && data1[0].from == .transfer(1))
        #expect(data1[0].bytes == TFTPPacket.encodeData(block: 1, Self.image[0..<512]))

        // ACKs come to the group's port 69 too (the phone sends them there).
        var now = 1.4
        let ack1 = Self.sends(u.receive(TFTPPacket.encodeAck(1), from: Self.phone, port: 2000, destination: SOSRecovery.group, on: .tftp, now: now))
        #expect(ack1.map(\.bytes) == [TFTPPacket.encodeData(block: 2, Self.image[512..<1024])])
        // A duplicate ACK sends nothing; no ACK for 1 s: DATA 2 again.
        #expect(Self.sends(u.receive(TFTPPacket.encodeAck(1), from: Self.phone, port: 2000, destination: nil, on: .transfer(1), now: now)).isEmpty)
        now += 1
        #expect(Self.sends(u.tick(now: now)).map(\.bytes) == [TFTPPacket.encodeData(block: 2, Self.image[512..<1024])])
        let data3 = Self.sends(u.receive(TFTPPacket.encodeAck(2), from: Self.phone, port: 2000, destination: nil, on: .transfer(1), now: now))
        #expect(data3.map(\.bytes) == [TFTPPacket.encodeData(block: 3, Self.image[1024...])])
        let end = u.receive(TFTPPacket.encodeAck(3), from: Self.phone, port: 2000, destination: nil, on: .transfer(1), now: now)
        #expect(Self.notes(end).contains(.tftpComplete(bytes: 1300, blocks: 3, client: Self.phone, clientPort: 2000)))
        #expect(end.contains { if case .closeTransferSocket(1) = $0 { true } else { false } })
        #expect(Self.finished(end) == .recovered)
        #expect(u.isFinished)
    }

    @Test func noReplyGivesUpAfterTheRequests() {
        var u = RecoveryUtility(Self.config())
        var sent = Self.sends(u.start(now: 0)).count
        var status: RecoveryUtility.Status?
        for t in stride(from: 0.25, through: 5, by: 0.25) where status == nil {
            let actions = u.tick(now: t)
            sent += Self.sends(actions).count
            status = Self.finished(actions)
            if status != nil { #expect(Self.notes(actions).contains(.noPhone)) }
        }
        #expect(sent == 3)
        #expect(status == .noDevice)
    }

    @Test func theUpgradeWaitsForTheUserAndIsSentAgainWithoutAnEcho() {
        var c = Self.config(confirms: true)
        c.upgradeRetries = 2
        var u = RecoveryUtility(c)
        _ = u.start(now: 0)
        let found = u.receive(Self.reply, from: Self.phone, port: 4810, destination: SOSRecovery.group, on: .control, now: 0.1)
        #expect(Self.notes(found).contains(.confirmationNeeded(u.phones[0])))
        #expect(Self.sends(found).isEmpty)
        #expect(Self.sends(u.tick(now: 5)).isEmpty, "nothing is sent while the user is asked")
        let order = SOSRecovery.encodeUpgrade(fileName: "/fw.bin")
        #expect(Self.sends(u.confirm(true, now: 10)).map(\.bytes) == [order])
        #expect(Self.sends(u.tick(now: 11)).isEmpty)
        let repeated = u.tick(now: 12)
        #expect(Self.sends(repeated).map(\.bytes) == [order])
        #expect(Self.notes(repeated).contains(.upgradeRepeated(1)))
        // The echo: no more repeats.
        let echo = SOSRecovery.encodeUpgradeEcho(serial: "CBT99990001", port: 69, fileName: "/fw.bin")
        _ = u.receive(echo, from: Self.phone, port: 4810, destination: SOSRecovery.group, on: .control, now: 12.5)
        #expect(Self.sends(u.tick(now: 16)).isEmpty)

        var declined = RecoveryUtility(Self.config(confirms: true))
        _ = declined.start(now: 0)
        _ = declined.receive(Self.reply, from: Self.phone, port: 4810, destination: SOSRecovery.group, on: .control, now: 0.1)
        #expect(Self.finished(declined.confirm(false, now: 1)) == .declined)
    }

    @Test func anotherFileNameGetsError1() {
        var u = RecoveryUtility(Self.config())
        _ = u.start(now: 0)
        _ = u.receive(Self.reply, from: Self.phone, port: 4810, destination: SOSRecovery.group, on: .control, now: 0.1)
        let request = u.receive(TFTPPacket.encodeReadRequest("/other.bin"), from: Self.phone, port: 2000, destination: SOSRecovery.group,
                                on: .tftp, now: 0.2)
        #expect(Self.notes(request).contains(.tftpWrongFile(requested: "/other.bin", served: "/fw.bin")))
        let opened = u.transferOpened(1, port: 40000, now: 0.3)
        #expect(Self.sends(opened).map(\.bytes) == [TFTPPacket.encodeError(code: 1, message: "File not found")])
        #expect(Self.finished(opened) == nil)
        let end = u.tick(now: 0.4)
        #expect(Self.notes(end).contains(.transferFailed(client: Self.phone, clientPort: 2000, outcome: .error)))
        #expect(Self.finished(end) == .transferFailed)
    }

    @Test func aClientThatStopsAcknowledgingTimesOutAfterTheRetransmissions() {
        var u = RecoveryUtility(Self.config())
        _ = u.start(now: 0)
        _ = u.receive(Self.reply, from: Self.phone, port: 4810, destination: SOSRecovery.group, on: .control, now: 0.1)
        _ = u.receive(TFTPPacket.encodeReadRequest("/fw.bin"), from: Self.phone, port: 2000, destination: nil, on: .tftp, now: 0.2)
        _ = u.transferOpened(1, port: 40000, now: 0.2)
        var resent = 0
        var notes: [RecoveryNote] = []
        for t in stride(from: 1.2, through: 8, by: 1.0) {
            let actions = u.tick(now: t)
            resent += Self.sends(actions).count
            notes += Self.notes(actions)
        }
        #expect(resent == 5)
        #expect(notes.contains(.tftpNoAck(block: 1, client: Self.phone, clientPort: 2000)))
        #expect(u.isFinished)
    }
}
