import Crypto
import Testing
@testable import SOSDump

/// The transfer tracker on exchanges written packet by packet, each shaped
/// like one a real peer makes (the real captures are in TFTPCaptureTests).
@Suite struct TFTPTransferTests {
    typealias C = TFTPConversation
    let phone = C.phone, pc = C.pc, group = C.group
    let server = C.Host(ip: C.pc.ip, port: 50123)

    func sha256(_ bytes: [UInt8]) -> String { hexString(SHA256.hash(data: bytes)) }

    /// The S.O.S. shape (docs/sos-protocol.md §B): RRQ and every ACK to the
    /// multicast group's port 69, DATA from the PC's own address and a new port.
    @Test func followsTheRecoveryProgramsMulticastShape() throws {
        let file = C.fileBytes(512 * 3 + 100)
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        for (i, block) in C.blocks(of: file, size: 512).enumerated() {
            c.send(server, phone, C.data(i + 1, block))
            c.send(phone, group, C.ack(i + 1))
        }
        let transfers = c.track()
        #expect(transfers.count == 1)
        let t = try #require(transfers.first)
        #expect(t.outcome == .complete)
        #expect(t.fileName == "/spa71f6.bin")
        #expect(t.client.description == "192.0.2.2:2000")
        #expect(t.requestDestination.description == "234.4.8.10:69")
        #expect(t.server?.description == "192.0.2.1:50123")
        #expect(t.file.bytes == file)
        #expect(t.digests?.sha256 == sha256(file))
        #expect(t.digests?.md5 == hexString(Insecure.MD5.hash(data: file)))
        #expect(t.digests?.sha1 == hexString(Insecure.SHA1.hash(data: file)))
        #expect(t.dataPackets == 4 && t.ackPackets == 4)
        #expect(t.finalBlockAcknowledged)
        #expect(t.retransmittedData.count == 0 && t.repeatedAcks.count == 0 && t.gaps.isEmpty)
        #expect(t.stall == nil)
    }

    // MARK: Captures as people post them

    /// Filtered to the phone's own frames (`ether src PHONE`, or `port 69`):
    /// no DATA at all, but its ACKs prove every block arrived, and with no
    /// repeated last ACK and the capture going on, the transfer is complete.
    @Test func aTransferSeenOnlyThroughItsAcksIsCompleteAsTheySay() throws {
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        for n in 1...4 { c.send(phone, group, C.ack(n), after: 0.005) }
        c.send(phone, pc, C.rrq("/spa504G.cfg"), after: 30)  // the capture goes on
        let t = try #require(c.track().first)
        #expect(t.outcome == .complete)
        #expect(t.completedByAcknowledgment)
        #expect(t.dataNotCaptured)
        #expect(t.acknowledgedThrough == 4)
        #expect(t.digests == nil && t.file.bytesCaptured == 0)
    }

    /// The same, but the phone keeps asking for block 3 again: the server
    /// stopped sending after block 2 and the transfer stalled there.
    @Test func aTransferSeenOnlyThroughRepeatedAcksStalled() throws {
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        c.send(phone, group, C.ack(1))
        c.send(phone, group, C.ack(2))
        for _ in 1...4 { c.send(phone, group, C.ack(2), after: 2) }
        c.send(phone, pc, C.rrq("other"), after: 30)
        let t = try #require(c.track().first)
        #expect(t.outcome == .stalled)
        #expect(!t.completedByAcknowledgment)
        #expect(t.stall?.block == 2)
        #expect(t.stall?.at.frame == 3, "the frame of the highest ACK")
    }

    /// A capture that ends right after the last ACK says nothing yet.
    @Test func acksOnlyUpToTheCapturesEndAreNotCalledComplete() throws {
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        for n in 1...3 { c.send(phone, group, C.ack(n)) }
        let t = try #require(c.track().first)
        #expect(t.outcome == .stalled)
        #expect(t.stall?.block == 3)
        #expect(t.stall?.silenceBeforeCaptureEnd == 0)
    }

    /// Every packet captured twice (two interfaces, merged files): one
    /// transfer, the same file, no retransmission, no repeated ACK.
    @Test func packetsCapturedTwiceCountOnce() throws {
        let file = C.fileBytes(512 * 3 + 100)
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        c.captureAgain()
        for (i, block) in C.blocks(of: file, size: 512).enumerated() {
            c.send(server, phone, C.data(i + 1, block))
            c.captureAgain()
            c.send(phone, group, C.ack(i + 1))
            c.captureAgain(after: 0.002)
        }
        let transfers = c.track()
        try #require(transfers.count == 1)
        let t = transfers[0]
        #expect(t.outcome == .complete && t.digests?.sha256 == sha256(file))
        #expect(t.requestCount == 1)
        #expect(t.retransmittedData.count == 0 && t.repeatedAcks.count == 0 && t.blocksPeerMissed == 0)
        #expect(t.duplicateFrames == 9)
    }

    /// A DATA whose UDP checksum fails never reached the phone: its block is
    /// not in the file until the good copy comes.
    @Test func dataWithABadChecksumIsNotDelivered() throws {
        let file = C.fileBytes(512 * 2 + 10)
        let blocks = C.blocks(of: file, size: 512)
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        c.send(server, phone, C.data(1, blocks[0]))
        c.send(phone, group, C.ack(1))
        c.send(server, phone, C.data(2, blocks[1]))
        c.corruptLastPayload(at: 40)
        c.send(phone, group, C.ack(1), after: 2)  // the phone never got block 2
        c.send(server, phone, C.data(2, blocks[1]))
        c.send(phone, group, C.ack(2))
        c.send(server, phone, C.data(3, blocks[2]))
        c.send(phone, group, C.ack(3))
        let t = try #require(c.track().first)
        #expect(t.corruptedData.count == 1 && t.corruptedData.first?.frame == 4)
        #expect(t.outcome == .complete && t.digests?.sha256 == sha256(file), "the good copy made the file")
        #expect(t.retransmittedData.count == 0, "the bad copy was not delivered: the second is the first to arrive")
    }

    /// A bad checksum that stays bad: the transfer stalls before that block.
    @Test func aBlockThatAlwaysArrivesDamagedStallsTheTransfer() throws {
        let blocks = C.blocks(of: C.fileBytes(512 * 3 + 10), size: 512)
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        c.send(server, phone, C.data(1, blocks[0]))
        c.send(phone, group, C.ack(1))
        for _ in 1...5 {
            c.send(server, phone, C.data(2, blocks[1]), after: 2)
            c.corruptLastPayload(at: 7)
        }
        c.send(phone, pc, C.rrq("other"), after: 30)
        let t = try #require(c.track().first)
        #expect(t.outcome == .stalled && t.stall?.block == 1)
        #expect(t.corruptedData.count == 5)
    }

    @Test func ignoresPacketsFromAnotherPortOnceTheServerPortIsLatched() throws {
        let file = C.fileBytes(700)
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        c.send(server, phone, C.data(1, Array(file[0..<512])))
        // A second server child answering a retransmitted request: other port, other bytes.
        c.send(C.Host(ip: pc.ip, port: 50999), phone, C.data(1, C.fileBytes(512, seed: 9)))
        c.send(phone, group, C.ack(1))
        c.send(server, phone, C.data(2, Array(file[512...])))
        c.send(phone, group, C.ack(2))
        let t = try #require(c.track().first)
        #expect(t.foreignPackets.count == 1)
        #expect(t.foreignPackets.first?.frame == 3)
        #expect(t.file.bytes == file)
        #expect(t.outcome == .complete)
    }

    @Test func negotiatedBlockSizeTransferSizeAndAnExactMultiple() throws {
        let file = C.fileBytes(1428 * 4)
        var c = C()
        c.send(phone, pc, C.rrq("big.bin", options: [("blksize", "1428"), ("tsize", "0")]))
        c.send(server, phone, C.oack([("blksize", "1428"), ("tsize", "\(file.count)")]))
        c.send(phone, server, C.ack(0))
        let blocks = C.blocks(of: file, size: 1428)
        #expect(blocks.count == 5 && blocks.last == [])
        for (i, block) in blocks.enumerated() {
            c.send(server, phone, C.data(i + 1, block))
            c.send(phone, server, C.ack(i + 1))
        }
        let t = try #require(c.track().first)
        #expect(t.blockSize == 1428)
        #expect(t.announcedSize == file.count)
        #expect(!t.sizeMismatch)
        #expect(t.file.size == file.count)
        #expect(t.file.finalBlock == 5)
        #expect(t.outcome == .complete)
        #expect(t.digests?.sha256 == sha256(file))
    }

    @Test func sizeAnnouncedByTsizeDifferingFromTheBytesIsReported() throws {
        var c = C()
        c.send(phone, pc, C.rrq("f", options: [("tsize", "0")]))
        c.send(server, phone, C.oack([("tsize", "999")]))
        c.send(phone, server, C.ack(0))
        c.send(server, phone, C.data(1, C.fileBytes(10)))
        c.send(phone, server, C.ack(1))
        let t = try #require(c.track().first)
        #expect(t.sizeMismatch)
        #expect(t.outcome == .complete)
    }

    /// Error 8 right after the OACK: a client that only wanted the size.
    @Test func tsizeProbeIsNotAFailure() throws {
        var c = C()
        c.send(phone, pc, C.rrq("f", options: [("tsize", "0")]))
        c.send(server, phone, C.oack([("tsize", "4096")]))
        c.send(phone, server, C.error(8, "tsize probe"))
        let t = try #require(c.track().first)
        #expect(t.outcome == .optionProbe)
        #expect(t.announcedSize == 4096)
        #expect(t.error?.code == .optionNegotiationFailed)
        #expect(t.stall == nil)
    }

    @Test func blockNumbersWrapPast65535() throws {
        for wrapsToZero in [true, false] {
            let blockCount = 65_540
            let file = C.fileBytes(8 * (blockCount - 1) + 3, seed: wrapsToZero ? 3 : 4)
            var c = C()
            c.send(phone, pc, C.rrq("wrap.bin", options: [("blksize", "8")]))
            c.send(server, phone, C.oack([("blksize", "8")]))
            c.send(phone, server, C.ack(0))
            for (i, block) in C.blocks(of: file, size: 8).enumerated() {
                let n = i + 1
                let wire = wrapsToZero ? n & 0xFFFF : (n - 1) % 65535 + 1
                c.send(server, phone, C.data(wire, block), after: 0.0001)
                c.send(phone, server, C.ack(wire), after: 0.0001)
            }
            let t = try #require(c.track().first)
            #expect(t.file.blocksCaptured == blockCount, "wraps to \(wrapsToZero ? 0 : 1)")
            #expect(t.digests?.sha256 == sha256(file), "wraps to \(wrapsToZero ? 0 : 1)")
            #expect(t.outcome == .complete)
            #expect(t.retransmittedData.count == 0 && t.outOfOrderBlocks.count == 0 && t.gaps.isEmpty)
        }
    }

    @Test func windowSizeWithCumulativeAcksAndABlockTheCaptureMissed() throws {
        let file = C.fileBytes(512 * 7 + 1)
        let blocks = C.blocks(of: file, size: 512)
        var c = C()
        c.send(phone, pc, C.rrq("w.bin", options: [("windowsize", "4")]))
        c.send(server, phone, C.oack([("windowsize", "4")]))
        c.send(phone, server, C.ack(0))
        for n in 1...4 where n != 3 { c.send(server, phone, C.data(n, blocks[n - 1])) }
        c.send(phone, server, C.ack(4))
        for n in 5...8 { c.send(server, phone, C.data(n, blocks[n - 1])) }
        c.send(phone, server, C.ack(8))
        let t = try #require(c.track().first)
        #expect(t.windowSize == 4)
        #expect(t.outcome == .complete)  // the final block was acknowledged
        #expect(!t.file.isComplete)
        #expect(t.digests == nil)
        #expect(t.gaps == [TFTPTransfer.Gap(blocks: 3...3, bytes: 1024..<1536, acknowledged: true, cutBySnapLength: false)])
        #expect(t.ackPackets == 3 && t.repeatedAcks.count == 0)
    }

    @Test func outOfOrderBlocksAndRetransmissionsRebuildTheFile() throws {
        let file = C.fileBytes(512 * 4 + 7)
        let blocks = C.blocks(of: file, size: 512)
        var c = C()
        c.send(phone, pc, C.rrq("o.bin", options: [("windowsize", "5")]))
        c.send(server, phone, C.oack([("windowsize", "5")]))
        c.send(phone, server, C.ack(0))
        for n in [1, 3, 2, 5, 4, 3] { c.send(server, phone, C.data(n, blocks[n - 1])) }
        c.send(phone, server, C.ack(5))
        let t = try #require(c.track().first)
        #expect(t.outOfOrderBlocks.count == 2)
        #expect(t.retransmittedData.count == 1)
        #expect(t.file.bytes == file)
        #expect(t.digests?.sha256 == sha256(file))
    }

    @Test func serverThatStopsLeavesAStallWithTheServerQuiet() throws {
        let file = C.fileBytes(512 * 10)
        let blocks = C.blocks(of: file, size: 512)
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        for n in 1...5 {
            c.send(server, phone, C.data(n, blocks[n - 1]))
            c.send(phone, group, C.ack(n))
        }
        // The phone's retries of its last ACK, 2 s apart (docs/sos-protocol.md §B).
        for _ in 1...4 { c.send(phone, group, C.ack(5), after: 2) }
        c.append(frame: PacketBuilder.ethernetIPv4UDP(), after: 30)  // the capture goes on
        let t = try #require(c.track().first)
        #expect(t.outcome == .stalled)
        #expect(t.repeatedAcks.count == 4)
        #expect(t.blocksPeerMissed == 0)  // nothing was sent that the phone did not get
        let stall = try #require(t.stall)
        #expect(stall.block == 5 && stall.at.frame == 10)
        #expect(stall.quietSide == .server)
        #expect(stall.lastFrame.frame == 15)
        #expect(abs(stall.silenceBeforeCaptureEnd - 30) < 0.01)
        #expect(t.gaps.isEmpty)  // no block is known to be missing below the highest seen
        #expect(t.file.size == nil)
    }

    @Test func receiverThatStopsLeavesAStallWithTheClientQuiet() throws {
        let blocks = C.blocks(of: C.fileBytes(512 * 4), size: 512)
        var c = C()
        c.send(phone, pc, C.rrq("x"))
        c.send(server, phone, C.data(1, blocks[0]))
        c.send(phone, server, C.ack(1))
        for _ in 0..<5 { c.send(server, phone, C.data(2, blocks[1]), after: 5) }
        let t = try #require(c.track().first)
        #expect(t.outcome == .stalled)
        #expect(t.retransmittedData.count == 4)
        #expect(t.stall?.quietSide == .client)
        #expect(t.stall?.block == 2)
    }

    @Test func aRepeatedAckAfterSentDataCountsBlocksThePeerMissed() throws {
        let file = C.fileBytes(512 * 2 + 1)
        let blocks = C.blocks(of: file, size: 512)
        var c = C()
        c.send(phone, pc, C.rrq("x"))
        c.send(server, phone, C.data(1, blocks[0]))
        c.send(phone, server, C.ack(1))
        c.send(server, phone, C.data(2, blocks[1]))  // lost on its way to the phone
        c.send(phone, server, C.ack(1), after: 2)     // the phone asks again
        c.send(server, phone, C.data(2, blocks[1]))
        c.send(phone, server, C.ack(2))
        c.send(server, phone, C.data(3, blocks[2]))
        c.send(phone, server, C.ack(3))
        let t = try #require(c.track().first)
        #expect(t.blocksPeerMissed == 1)
        #expect(t.repeatedAcks.count == 1 && t.retransmittedData.count == 1)
        #expect(t.sorcerersApprentice == nil)
        #expect(t.digests?.sha256 == sha256(file))
    }

    /// RFC 1350's bug: a delayed ACK makes every later block go twice.
    @Test func sorcerersApprenticeIsRecognised() throws {
        let blocks = C.blocks(of: C.fileBytes(512 * 8 + 1), size: 512)
        var c = C()
        c.send(phone, pc, C.wrq("up.bin"))
        c.send(server, phone, C.ack(0))
        c.send(phone, server, C.data(1, blocks[0]))
        c.send(phone, server, C.data(1, blocks[0]), after: 3)  // timeout: the ACK was late
        c.send(server, phone, C.ack(1))
        c.send(server, phone, C.ack(1))
        for n in 2...9 {
            c.send(phone, server, C.data(n, blocks[n - 1]))
            c.send(phone, server, C.data(n, blocks[n - 1]))
            c.send(server, phone, C.ack(n))
            c.send(server, phone, C.ack(n))
        }
        let t = try #require(c.track().first)
        #expect(t.direction == .write)
        #expect(t.sender == .client)
        #expect(t.sorcerersApprentice?.frame == 8)  // block 2's second copy
        #expect(t.retransmittedData.count == 9)
        #expect(t.outcome == .complete)
    }

    @Test func errorEndsTheTransfer() throws {
        var c = C()
        c.send(phone, pc, C.rrq("missing.cnf"))
        c.send(server, phone, C.error(1, "File not found"))
        let t = try #require(c.track().first)
        #expect(t.outcome == .error)
        #expect(t.error == .init(code: .fileNotFound, message: "File not found", sentBy: .server, at: t.error!.at))
        #expect(t.error?.at.frame == 2)
    }

    @Test func icmpPortUnreachableDrawnByTheRequest() throws {
        var c = C()
        let request = C.rrq("/spa71f6.bin")
        c.send(phone, pc, request)
        let quoted = PacketBuilder.ipv4(src: phone.ip, dst: pc.ip,
                                        PacketBuilder.udp(sport: phone.port, dport: 69, src: phone.ip, dst: pc.ip, request))
        var icmp: [UInt8] = [3, 3, 0, 0, 0, 0, 0, 0] + quoted.prefix(28)
        let sum = PacketBuilder.checksum(icmp)
        icmp[2] = UInt8(sum >> 8); icmp[3] = UInt8(sum & 0xFF)
        c.append(frame: PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(protocol: 1, src: pc.ip, dst: phone.ip, icmp)))
        let t = try #require(c.track().first)
        #expect(t.outcome == .unreachable)
        #expect(t.unreachable?.drawnBy == .client)
        #expect(t.unreachable?.unreachable.description == "192.0.2.1:69")
        #expect(t.unreachable?.at.frame == 2)
        #expect(t.stall?.quietSide == .server)
    }

    @Test func unansweredRequestsAreCountedOnce() throws {
        var c = C()
        for _ in 0..<5 { c.send(phone, group, C.rrq("/spa71f6.bin"), after: 2) }
        let transfers = c.track()
        #expect(transfers.count == 1)
        #expect(transfers.first?.outcome == .unanswered)
        #expect(transfers.first?.requestCount == 5)
        #expect(transfers.first?.stall?.block == 0)
        #expect(transfers.first?.stall?.quietSide == .server)
    }

    @Test func aNewRequestFromTheSamePortStartsAnotherTransfer() throws {
        let blocks = C.blocks(of: C.fileBytes(512 * 3), size: 512)
        let file2 = C.fileBytes(300, seed: 7)
        var c = C()
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        c.send(server, phone, C.data(1, blocks[0]))
        c.send(phone, group, C.ack(1))
        c.send(phone, group, C.rrq("/spa71f6.bin"), after: 20)  // the phone started over
        let second = C.Host(ip: pc.ip, port: 50200)
        c.send(second, phone, C.data(1, file2))
        c.send(phone, group, C.ack(1))
        let transfers = c.track()
        #expect(transfers.count == 2)
        #expect(transfers[0].outcome == .stalled)
        #expect(transfers[0].stall?.supersededBy?.frame == 4)
        #expect(transfers[1].outcome == .complete)
        #expect(transfers[1].server?.port == 50200)
        #expect(transfers[1].file.bytes == file2)
    }

    @Test func concurrentTransfersStayApart() throws {
        let a = C.fileBytes(512 * 2 + 5, seed: 11), b = C.fileBytes(512 * 3 + 9, seed: 12)
        let clientB = C.Host(ip: IPv4Address(192, 0, 2, 3), port: 2000), serverB = C.Host(ip: pc.ip, port: 50124)
        var c = C()
        c.send(phone, pc, C.rrq("a"))
        c.send(clientB, pc, C.rrq("b"))
        let blocksA = C.blocks(of: a, size: 512), blocksB = C.blocks(of: b, size: 512)
        for n in 1...4 {
            if n <= blocksA.count { c.send(server, phone, C.data(n, blocksA[n - 1])); c.send(phone, server, C.ack(n)) }
            c.send(serverB, clientB, C.data(n, blocksB[n - 1])); c.send(clientB, serverB, C.ack(n))
        }
        let transfers = c.track()
        #expect(transfers.map(\.fileName) == ["a", "b"])
        #expect(transfers[0].file.bytes == a && transfers[1].file.bytes == b)
        #expect(transfers.allSatisfy { $0.outcome == .complete })
    }

    @Test func blocksCutBySnapLengthAreGapsAndStopTheDigests() throws {
        let file = C.fileBytes(512 * 2 + 10)
        let blocks = C.blocks(of: file, size: 512)
        var c = C()
        c.send(phone, pc, C.rrq("s"))
        c.send(server, phone, C.data(1, blocks[0]))
        c.send(phone, server, C.ack(1))
        c.send(server, phone, C.data(2, blocks[1]), snap: 100)
        c.send(phone, server, C.ack(2))
        c.send(server, phone, C.data(3, blocks[2]))
        c.send(phone, server, C.ack(3))
        let t = try #require(c.track().first)
        #expect(t.outcome == .complete)
        #expect(t.file.size == file.count)
        #expect(!t.file.isComplete && t.digests == nil)
        #expect(t.gaps == [TFTPTransfer.Gap(blocks: 2...2, bytes: 512..<1024, acknowledged: true, cutBySnapLength: true)])
        #expect(t.file.hashingStopped != nil)
    }

    @Test func writeRequestsRebuildTheClientsFile() throws {
        let file = C.fileBytes(512 + 1)
        var c = C()
        c.send(phone, pc, C.wrq("up.cfg"))
        c.send(server, phone, C.ack(0))
        for (i, block) in C.blocks(of: file, size: 512).enumerated() {
            c.send(phone, server, C.data(i + 1, block))
            c.send(server, phone, C.ack(i + 1))
        }
        let t = try #require(c.track().first)
        #expect(t.direction == .write && t.outcome == .complete)
        #expect(t.file.bytes == file)
    }

    @Test func keepLimitStillHashesInOrderAndOutOfOrderBlocks() throws {
        let file = C.fileBytes(512 * 6 + 1)
        let blocks = C.blocks(of: file, size: 512)
        var limits = TFTPTransferTracker.Limits()
        limits.keepBytesPerTransfer = 1024
        var c = C()
        c.send(phone, pc, C.rrq("k", options: [("windowsize", "7")]))
        c.send(server, phone, C.oack([("windowsize", "7")]))
        c.send(phone, server, C.ack(0))
        for n in [1, 2, 4, 3, 6, 5, 7] { c.send(server, phone, C.data(n, blocks[n - 1])) }
        c.send(phone, server, C.ack(7))
        let t = try #require(c.track(limits).first)
        #expect(t.file.bytes == Array(file.prefix(1024)))
        #expect(!t.file.isKeptWhole)
        #expect(t.digests?.sha256 == sha256(file))
    }

    @Test func idleTransfersEndAfterTheIdleTimeButLateRetriesStillCount() throws {
        var c = C()
        c.send(phone, pc, C.rrq("a"))
        c.send(server, phone, C.data(1, [1, 2, 3]))
        c.send(phone, server, C.ack(1))
        c.send(server, phone, C.data(1, [1, 2, 3]), after: 5)  // within the linger time
        c.append(frame: PacketBuilder.ethernetIPv4UDP(), after: 200)
        let t = try #require(c.track().first)
        #expect(t.retransmittedData.count == 1)
        #expect(t.outcome == .complete)
    }

    @Test func unwrapperFollowsEitherWrapRule() {
        var toZero = BlockNumberUnwrapper()
        #expect(toZero.absolute(65535, near: 65534) == 65535)
        #expect(toZero.absolute(0, near: 65535) == 65536)
        #expect(toZero.absolute(1, near: 65536) == 65537)
        #expect(toZero.absolute(65535, near: 65537) == 65535)  // a late retransmission
        #expect(!toZero.skipsZero)
        var toOne = BlockNumberUnwrapper()
        #expect(toOne.absolute(1, near: 65535) == 65536)
        #expect(toOne.skipsZero)
        #expect(toOne.absolute(2, near: 65536) == 65537)
        #expect(toOne.absolute(65535, near: 65536) == 65535)
        #expect(toOne.absolute(1, near: 131_069) == 131_071)  // the second wrap: 65535 + 65535 + 1
    }
}

extension TFTPTransferTests {
    /// One read of `blocks` full blocks and a short one from `client`, the
    /// DATA of block 2 sent twice; `magic` starts block 1 with the image magic.
    static func download(_ c: inout TFTPConversation, _ file: String, from client: TFTPConversation.Host, blocks: Int, magic: Bool) {
        let server = TFTPConversation.Host(ip: TFTPConversation.pc.ip, port: 40_000 + client.port)
        c.send(client, TFTPConversation.pc, TFTPConversation.rrq(file))
        for block in 1...(blocks + 1) {
            var bytes = [UInt8](repeating: UInt8(block & 0xFF), count: block <= blocks ? 512 : 100)
            if block == 1, magic { bytes.replaceSubrange(0..<FirmwareImageLayout.magic.count, with: FirmwareImageLayout.magic) }
            c.send(server, client, TFTPConversation.data(block, bytes))
            if block == 2 { c.send(server, client, TFTPConversation.data(block, bytes)) }
            c.send(client, server, TFTPConversation.ack(block))
        }
    }

    /// With the tracker keeping only what a report reads (`.checking`), a
    /// file that is not an image keeps the ends of its trace, not its
    /// points: a boot storm holds tens of thousands of them open. An
    /// image's trace, which the report draws, keeps its points.
    @Test func aFileNobodyDrawsKeepsOnlyTheEndsOfItsTrace() throws {
        var c = TFTPConversation()
        Self.download(&c, "spa504g.bin", from: TFTPConversation.Host(ip: IPv4Address(192, 0, 2, 10), port: 2000), blocks: 300, magic: true)
        Self.download(&c, "apps.sbn", from: TFTPConversation.Host(ip: IPv4Address(192, 0, 2, 11), port: 2001), blocks: 300, magic: false)
        let transfers = c.track(.checking)
        let image = try #require(transfers.first { $0.fileName == "spa504g.bin" })
        let other = try #require(transfers.first { $0.fileName == "apps.sbn" })
        #expect(image.outcome == .complete && other.outcome == .complete)
        #expect(image.trace.progress.count > 2)
        #expect(image.trace.retransmissions.count == 1)
        #expect(other.trace.progress.map(\.block) == [1])
        #expect(other.trace.lastProgress?.block == 301 && other.trace.finalBlock?.block == 301)
        #expect(other.trace.lastAcknowledged?.block == 301)
        #expect(other.trace.acknowledged.count <= 1)
        #expect(other.trace.retransmissions.isEmpty && other.trace.eventsNotKept == 1)
        // Kept whole, the same file's trace keeps its points.
        #expect(c.track().first { $0.fileName == "apps.sbn" }?.trace.progress.count ?? 0 > 2)
    }

    /// `finish` hands out the transfers that ended before it and those it
    /// ends in one order, the requests'.
    @Test func finishHandsOutEveryTransferInRequestOrder() {
        var c = TFTPConversation()
        let a = TFTPConversation.Host(ip: IPv4Address(192, 0, 2, 20), port: 3000)
        let b = TFTPConversation.Host(ip: IPv4Address(192, 0, 2, 21), port: 3001)
        let d = TFTPConversation.Host(ip: IPv4Address(192, 0, 2, 22), port: 3002)
        c.send(a, TFTPConversation.pc, TFTPConversation.rrq("never-answered"))  // 1: open at the end
        Self.download(&c, "done.cnf.xml", from: b, blocks: 2, magic: false)  // 2: ends by its linger
        c.send(d, TFTPConversation.pc, TFTPConversation.rrq("late"), after: 20)  // 3: open at the end
        var tracker = TFTPTransferTracker()
        c.feed(&tracker)
        #expect(tracker.hasFinished && tracker.openCount == 2)
        var numbers: [Int] = []
        tracker.finish { numbers.append($0.number) }
        #expect(numbers == [1, 2, 3])
        #expect(tracker.openCount == 0 && tracker.memoryInUse == 0)
    }
}
