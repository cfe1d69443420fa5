/// The code the fuzzer drives, kept in the library so that the test suite
/// replays every corpus file and every crash the fuzzer ever found through
/// exactly the same path (`Tests/SOSDumpTests/FuzzRegressionTests.swift`).
public enum FuzzEntry {
    /// Reads `bytes` as a capture file, decodes and renders every frame,
    /// follows its TFTP transfers and its phones' stories (with small
    /// limits, so the fuzzer reaches them) and renders the analysis, until
    /// the end or the first damage. Returns the frames read.
    @discardableResult
    public static func readCapture(_ bytes: [UInt8]) -> Int {
        guard let input = try? GzipInput.unwrapping(MemoryInput(bytes, maximumReadLength: 4093), name: "fuzz"),
              let reader = try? CaptureReader(input: input, name: "fuzz") else { return 0 }
        let decoder = FrameDecoder(reassemblyLimits: .init(datagrams: 8, bytes: 1 << 18))
        var limits = TFTPTransferTracker.Limits()
        limits.keepBytesPerTransfer = 1 << 16
        limits.maxActiveTransfers = 16
        limits.maxBlocks = 1 << 16
        var tracker = TFTPTransferTracker(limits: limits)
        // The phone stories too, with small limits so the fuzzer reaches them.
        var storyLimits = CaptureAnalysis.Limits()
        storyLimits.tracker = limits
        storyLimits.sos.maxPhones = 4
        storyLimits.sos.maxEventsPerPhone = 8
        storyLimits.sos.maxAttemptsPerPhone = 2
        storyLimits.sos.maxMessages = 16
        storyLimits.boot.maxPhones = 4
        storyLimits.boot.maxCyclesPerPhone = 3
        storyLimits.boot.maxFilesPerCycle = 4
        var analyzer = CaptureAnalysis(limits: storyLimits)
        // SCCP streams, with small limits so the fuzzer reaches them.
        var sccp = SCCPStreamTracker(limits: .init(maxDirections: 4, stream: .init(maxHeldBytes: 4096, maxHeldSegments: 4)))
        while let frame = try? reader.next() {
            let interface = reader.interfaces.indices.contains(frame.interfaceIndex) ? reader.interfaces[frame.interfaceIndex] : nil
            let dissection = decoder.decode(frame)
            _ = PacketRecord(dissection, interface: interface, sccp: sccp.observe(dissection))
            tracker.observe(dissection)
            analyzer.observe(dissection)
        }
        _ = sccp.finish()
        let report = AnalysisReport(file: "fuzz", conclusion: analyzer.finish())
        _ = AnalysisText().lines(report)
        _ = report.json
        var table = TransferTable()
        for transfer in tracker.finish() {
            table.append(transfer, record: TransferRecord(transfer))
            _ = ExtractedFile.safeName(fromWire: transfer.fileName, transferNumber: transfer.number)
            _ = ExtractedFile.gapMap(of: transfer, writtenBytes: transfer.file.bytes.count)
        }
        _ = table.lines()
        return reader.framesRead
    }

    /// Decodes `bytes` as frames of every link type sosdump knows, and as a
    /// DHCP message and an S.O.S. message, the first byte choosing how much
    /// of the rest the capture "kept", so that both truncation and
    /// malformation paths are reached.
    public static func decodeFrame(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let body = Array(bytes.dropFirst())
        let kept = Int(first) * body.count / 255
        let decoder = FrameDecoder(reassemblyLimits: .init(datagrams: 8, bytes: 1 << 18))
        body.withUnsafeBytes { raw in
            let view = ByteView(UnsafeRawBufferPointer(rebasing: raw[..<kept]), wireCount: body.count)
            for linkType in [LinkType.ethernet, .linuxSLL, .linuxSLL2, .null, .loop, .raw, .ipv4, .ipv6] {
                let frame = CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 0, nanoseconds: 0),
                                          interfaceIndex: 0, linkType: linkType, bytes: view, fileOffset: 0)
                let dissection = decoder.decode(frame)
                _ = PacketRecord(dissection, interface: nil)
                if let (_, payload) = dissection.udp { _ = try? TFTPPacket.decode(payload) }
            }
            decodeDHCP(view)
            decodeSOS(view)
            decodePhoneProtocols(view)
        }
    }

    /// The same bytes as each IP-phone protocol and 79xx file: CDP, LLDP,
    /// SCCP and SIP payloads, a signed file, a `.loads` and a load id, with
    /// every value read.
    static func decodePhoneProtocols(_ view: ByteView) {
        if let p = try? CDPPacket.decode(view) { _ = (p.tlvs.map(\.value), p.problems.count, p.checksumStatus.description) }
        if let p = try? LLDPPacket.decode(view) {
            _ = (p.chassisID?.description, p.portID?.description, p.networkPolicies, p.managementIPv4, p.firmwareRevision, p.capabilities)
        }
        _ = try? SCCPMessage.decode(view)
        if let m = try? SIPMessage.decode(view) { _ = (m.isRegistration, m.cseq?.method) }
        _ = PhoneFile.read(view, fetchedName: "fuzz.sbn")
        _ = LoadsFile.read(view)
        _ = PhoneLoadID(String(decoding: view.prefix(64), as: UTF8.self))
    }

    /// The same bytes as an S.O.S. recovery message (a UDP payload), with
    /// every rule checked and the text search of older loaders' orders run.
    static func decodeSOS(_ view: ByteView) {
        _ = SOSRecovery.firmwareFileName(in: view)
        guard let message = try? SOSMessage.decode(view) else { return }
        let delivery = SOSDelivery(sourcePort: 4811, destinationPort: 4810, destination: SOSRecovery.group)
        let phone = SOSPhoneFacts(address: IPv4Address(192, 0, 2, 2), prefixLength: 24, serial: "CBT99990001")
        _ = message.ruleViolations(delivery: delivery, phone: phone).map(\.description)
        _ = message.serial?.description
        _ = message.fileName.map { SOSRecovery.offset(ofFileName: $0.string, in: view) }
    }

    /// The same bytes as a BOOTP/DHCP message (a UDP payload), with every
    /// option's value read: DHCP is decoded on ports 67 and 68 only, so a
    /// frame seldom reaches it by chance.
    static func decodeDHCP(_ view: ByteView) {
        guard let message = try? DHCPMessage.decode(view) else { return }
        for option in message.options { _ = option.valueText }
        _ = message.isSOSRecoveryProgram
        _ = message.problems.map(\.description)
    }

    /// One fuzzer input: capture files (which begin with a known magic) go
    /// to the reader, anything else to the frame decoders.
    public static func run(_ bytes: [UInt8]) {
        let magic = bytes.count >= 4 ? UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) : 0
        switch magic {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1, 0xA1B2_CD34, 0x34CD_B2A1, 0x0A0D_0D0A:
            readCapture(bytes)
        case _ where magic >> 16 == 0x1F8B:  // gzip: a compressed capture
            readCapture(bytes)
        default:
            decodeFrame(bytes)
        }
    }
}
