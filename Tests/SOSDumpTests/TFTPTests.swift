import Testing
@testable import SOSDump

@Suite struct TFTPTests {
    static func decode(_ bytes: [UInt8], wireCount: Int? = nil) -> Result<TFTPPacket, DecodeProblem> {
        ByteView.with(bytes, wireCount: wireCount) { v in
            do throws(DecodeProblem) {
                let packet = try TFTPPacket.decode(v)
                // Only packets that own their values may leave `with`: DATA borrows its bytes.
                if case .data = packet { return .failure(.truncated(needed: 0, captured: 0)) }
                return .success(packet)
            } catch {
                return .failure(error)
            }
        }
    }

    static let sosRRQ: [UInt8] = [0, 1] + Array("/spa71f6.bin".utf8) + [0] + Array("octet".utf8) + [0]

    @Test func theRecoveryLoadersRequest() throws {
        // docs/sos-protocol.md §B: `00 01 <file>\0 octet\0`, no options.
        guard case .success(.readRequest(let r)) = Self.decode(Self.sosRRQ) else { Issue.record("not an RRQ"); return }
        #expect(r == TFTPRequest(fileName: "/spa71f6.bin", mode: "octet", options: []))
        #expect(r.blockSize == nil && r.transferSize == nil)
    }

    @Test func requestWithEveryKnownOptionAndAnUnknownOne() {
        let bytes: [UInt8] = [0, 1] + Array("f.bin\0OCTET\0blksize\01428\0tsize\00\0timeout\03\0windowsize\016\0x-custom\0y\0".utf8)
        guard case .success(.readRequest(let r)) = Self.decode(bytes) else { Issue.record("not an RRQ"); return }
        #expect(r.mode == "OCTET")
        #expect(r.blockSize == 1428 && r.transferSize == 0 && r.timeout == 3 && r.windowSize == 16)
        #expect(r.options.last == TFTPOption(name: "x-custom", value: "y"))
    }

    @Test func optionValuesOutsideTheirRangeAreNotTaken() {
        #expect(TFTPOption(name: "blksize", value: "7").blockSize == nil)
        #expect(TFTPOption(name: "blksize", value: "65465").blockSize == nil)
        #expect(TFTPOption(name: "BLKSIZE", value: "65464").blockSize == 65464)
        #expect(TFTPOption(name: "timeout", value: "0").timeout == nil)
        #expect(TFTPOption(name: "windowsize", value: "abc").windowSize == nil)
    }

    @Test func writeRequestDataAckOack() {
        if case .success(.writeRequest(let r)) = Self.decode([0, 2] + Array("up\0netascii\0".utf8)) {
            #expect(r.fileName == "up" && r.mode == "netascii")
        } else { Issue.record("not a WRQ") }
        ByteView.with([0, 3, 0xFF, 0xFF, 1, 2, 3]) { v in
            guard case .data(let block, let payload)? = try? TFTPPacket.decode(v) else { Issue.record("not DATA"); return }
            #expect(block == 65535 && Array(payload) == [1, 2, 3])
        }
        #expect(Self.decode([0, 4, 0, 0]) == .success(.ack(block: 0)))
        #expect(Self.decode([0, 6] + Array("tsize\04396588\0".utf8))
            == .success(.optionAcknowledgment([TFTPOption(name: "tsize", value: "4396588")])))
    }

    @Test func errorsByName() {
        #expect(Self.decode([0, 5, 0, 1] + Array("File not found\0".utf8)) == .success(.error(code: .fileNotFound, message: "File not found")))
        #expect(Self.decode([0, 5, 0, 8, 0]) == .success(.error(code: .optionNegotiationFailed, message: "")))
        #expect(TFTPErrorCode(rawValue: 8).description == "Option negotiation failed")
        #expect(TFTPErrorCode(rawValue: 42).description == "error code 42")
        // A message without its NUL is still read.
        #expect(Self.decode([0, 5, 0, 2] + Array("denied".utf8)) == .success(.error(code: .accessViolation, message: "denied")))
    }

    @Test func malformedPackets() {
        #expect(Self.decode([0, 9, 0, 0]) == .failure(.malformed(.invalidField(field: .tftpOpcode, value: 9))))
        #expect(Self.decode([0, 1] + Array("file-without-nul".utf8)) == .failure(.malformed(.unterminatedText(offset: 2))))
        // An option with no value: the value would start at byte 18, the end.
        #expect(Self.decode([0, 1] + Array("f\0octet\0blksize\0".utf8)) == .failure(.malformed(.unterminatedText(offset: 18))))
        #expect(Self.decode([0, 3, 0]) == .failure(.malformed(.tooShort(needed: 4, available: 3))))
    }

    @Test func everyCutOfTheRequest() {
        // Cut by the snap length: truncated; cut on the wire: malformed. Never a crash.
        for n in 0..<Self.sosRRQ.count {
            let cut = Array(Self.sosRRQ.prefix(n))
            switch Self.decode(cut, wireCount: Self.sosRRQ.count) {
            case .failure(.truncated): break
            case let other: Issue.record("snap cut at \(n): \(other)")
            }
            switch Self.decode(cut) {
            case .failure(.malformed): break
            case let other: Issue.record("wire cut at \(n): \(other)")
            }
        }
    }
}

/// The `packets` line for TFTP on port 69, word for word as tcpdump prints it.
@Suite struct TFTPSummaryTests {
    @Test(arguments: [
        ([0, 1] + Array("/spa71f6.bin".utf8) + [0] + Array("octet".utf8) + [0], "RRQ \"/spa71f6.bin\" octet"),
        ([0, 2] + Array("a".utf8) + [0] + Array("netascii".utf8) + [0] + Array("tsize".utf8) + [0, 0x30, 0], "WRQ \"a\" netascii tsize 0"),
        ([0, 3, 0x01, 0x02, 9, 9], "DATA block 258"),
        ([0, 4, 0xFF, 0xFF], "ACK block 65535"),
        ([0, 5, 0, 1] + Array("File not found".utf8) + [0], "ERROR ENOTFOUND \"File not found\""),
        ([0, 5, 0, 9] + Array("x".utf8) + [0], "ERROR 9 \"x\""),
        ([0, 6] + Array("blksize".utf8) + [0] + Array("1428".utf8) + [0], "OACK blksize 1428"),
    ] as [([UInt8], String)])
    func summary(bytes: [UInt8], expected: String) throws {
        let packet = try ByteView.with(bytes) { try TFTPPacket.decode($0) }
        #expect(packet.summary == expected)
    }

    @Test func packetsNamesTFTPOnPort69Only() {
        let rrq: [UInt8] = [0, 1] + Array("f".utf8) + [0] + Array("octet".utf8) + [0]
        let toPort69 = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(sport: 2000, dport: 69, rrq)))
        #expect(FrameDecoder().record(toPort69).summary.hasSuffix(": TFTP, length 10, RRQ \"f\" octet"))
        let data = PacketBuilder.ethernet(type: 0x0800, PacketBuilder.ipv4(PacketBuilder.udp(sport: 50000, dport: 2000, [0, 3, 0, 1, 7])))
        #expect(FrameDecoder().record(data).summary.hasSuffix(": UDP, length 5"))
    }
}
