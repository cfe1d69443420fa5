import Foundation

/// The code the fuzzer drives, kept in the library so that the test suite
/// replays every corpus file and every crash the fuzzer ever found through
/// exactly the same path (`Tests/SOSDumpTests/FuzzRegressionTests.swift`).
///
/// One entry per kind of input a stranger can hand sosdump (`Entry`):
/// captures, frames, firmware images, catalog files, bundles, and the
/// pcapng writer's round trip; every entry renders what it read through
/// the text renderers and traps when a line holds a character
/// `TerminalText` escapes (the fuzzer reports that as a crash). Limits are
/// the program's own, so the fuzzer reaches the memory paths users meet.
public enum FuzzEntry {
    /// What one fuzzer input is read as. `scripts/fuzz` runs each entry on
    /// its own (`SOSDUMP_FUZZ_ENTRY=name`, seeds in `Tests/FuzzCorpus/name`);
    /// without one, `run` chooses by the input's first bytes.
    public enum Entry: String, CaseIterable, Sendable {
        case capture, frame, firmware, catalog, bundle, writer
    }

    /// Runs `bytes` through `entry`, or the entry its first bytes choose.
    public static func run(_ bytes: [UInt8], entry: Entry?) {
        switch entry ?? choose(bytes) {
        case .capture: readCapture(bytes)
        case .frame: decodeFrame(bytes)
        case .firmware: verifyFirmware(bytes)
        case .catalog: readCatalog(bytes)
        case .bundle: importBundle(bytes)
        case .writer: writeAndReadBack(bytes)
        }
    }

    /// Traps when a renderer's line holds a control, bidi or zero-width character.
    static func requireSafe(_ lines: [String], _ renderer: String) {
        for line in lines where !TerminalText.isSafe(line) {
            fatalError("\(renderer) let a terminal escape through: \(line.debugDescription)")
        }
    }
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
        var analyzer = CaptureAnalysis(limits: storyLimits)
        // SCCP streams, with small limits so the fuzzer reaches them.
        var sccp = SCCPStreamTracker(limits: .init(maxDirections: 4, stream: .init(maxHeldBytes: 4096, maxHeldSegments: 4)))
        while let frame = try? reader.next() {
            let interface = reader.interfaces.indices.contains(frame.interfaceIndex) ? reader.interfaces[frame.interfaceIndex] : nil
            let dissection = decoder.decode(frame)
            requireSafe([PacketRecord(dissection, interface: interface, sccp: sccp.observe(dissection)).textLine], "PacketRecord.textLine")
            tracker.observe(dissection)
            analyzer.observe(dissection)
        }
        _ = sccp.finish()
        let report = AnalysisReport(file: "fuzz", analysis: analyzer.finish().sos)
        requireSafe(AnalysisText().lines(report), "AnalysisText")
        _ = report.json
        var table = TransferTable()
        for transfer in tracker.finish() {
            table.append(transfer, record: TransferRecord(transfer))
            _ = ExtractedFile.safeName(fromWire: transfer.fileName, transferNumber: transfer.number)
            _ = ExtractedFile.gapMap(of: transfer, writtenBytes: transfer.file.bytes.count)
        }
        requireSafe(table.lines(), "TransferTable")
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

    /// One fuzzer input, its entry chosen by its first bytes.
    public static func run(_ bytes: [UInt8]) { run(bytes, entry: nil) }

    /// Capture files (a known magic, or gzip) go to the reader, zips to the
    /// bundle import, a firmware image's magic to the verification, `{` to
    /// the catalog, `PCNW` to the writer's round trip; anything else to the
    /// frame decoders.
    static func choose(_ bytes: [UInt8]) -> Entry {
        let magic = bytes.count >= 4 ? UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) : 0
        switch magic {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1, 0xA1B2_CD34, 0x34CD_B2A1, 0x0A0D_0D0A:
            return .capture
        case _ where magic >> 16 == 0x1F8B:  // gzip: a compressed capture
            return .capture
        case 0x504B_0304, 0x504B_0506:  // PK: a zip
            return .bundle
        case 0x5043_4E57:  // "PCNW"
            return .writer
        case _ where bytes.starts(with: FirmwareImageLayout.magic.prefix(4)):
            return .firmware
        case _ where bytes.first == UInt8(ascii: "{"):
            return .catalog
        default:
            return .frame
        }
    }

    // MARK: Files

    /// `bytes` as a firmware image, complete and as the prefix of one:
    /// every check the loader makes, the catalog's identification, and
    /// `verify`'s text and JSON.
    public static func verifyFirmware(_ bytes: [UInt8]) {
        for extent in [FirmwareVerification.Extent.complete, .prefix] {
            let verification = FirmwareVerification(bytes, extent: extent)
            let identification = FirmwareCatalog.builtIn.identify(verification, fileName: "fuzz.bin")
            let report = FirmwareReport(file: "fuzz.bin", verification: verification, identification: identification)
            requireSafe(FirmwareText().lines(report), "FirmwareText")
            _ = report.json
        }
    }

    /// `bytes` as a catalog file: decoded (or refused with a reason),
    /// listed, merged with the built-in catalog, and written and read back
    /// unchanged.
    public static func readCatalog(_ bytes: [UInt8]) {
        guard bytes.count <= FirmwareCatalog.maximumFileSize,
              let catalog = try? FirmwareCatalog.decode(Data(bytes), source: "fuzz.json") else { return }
        requireSafe(CatalogListing.lines(catalog), "CatalogListing")
        let merged = FirmwareCatalog.builtIn.merging(catalog)
        for image in catalog.images { precondition(merged.image(sha256: image.sha256) == image, "merge lost an image") }
        let again = try? FirmwareCatalog.decode(catalog.encoded(), source: "fuzz.json")
        precondition(again == catalog, "a catalog does not read back as it was written")
    }

    /// `bytes` as a file given to `catalog import` (a zip bundle or a bare
    /// image): its lines as they are printed, step by step.
    public static func importBundle(_ bytes: [UInt8]) {
        var lines: [String] = []
        var isBundle = false
        guard let report = try? FirmwareImport.read(Data(bytes), path: "fuzz.zip", known: .builtIn, progress: { step in
            if case .opened(let r) = step { isBundle = r.isBundle }
            lines += CatalogListing.importLines(step, isBundle: isBundle, catalogPath: "catalog.json")
        }) else { return }
        lines += CatalogListing.finishedLines(report)
        requireSafe(lines, "CatalogListing.importLines")
        precondition(report.images.count <= FirmwareImport.Limits().images, "more images than a bundle may hold")
    }

    // MARK: The pcapng writer

    /// `bytes` (after `PCNW`) as interfaces and frames, written with
    /// `PcapngWriter` as `live -w` writes them, then read back with
    /// `CaptureReader`: every frame must come back as it was (bytes,
    /// original length, time, interface and its name), and the listing of
    /// each must be safe for a terminal.
    ///
    ///     count(1) then per interface: link type(1) name length(1) name
    ///     then per frame: interface(1) seconds(4) nanoseconds(4) length(2) extra(1) bytes
    public static func writeAndReadBack(_ bytes: [UInt8]) {
        var input = bytes
        if input.starts(with: Array("PCNW".utf8)) { input.removeFirst(4) }
        struct Frame { var interface: Int; var time: CaptureTimestamp; var bytes: [UInt8]; var original: Int }
        var interfaces: [CaptureInterface] = []
        var frames: [Frame] = []
        ByteView.with(input) { view in
            var at = 0
            let count = Int(view.uint8(at: 0) ?? 0) % 4 + 1
            at = 1
            let linkTypes: [LinkType] = [.ethernet, .linuxSLL, .raw, .null]
            for _ in 0..<count {
                guard let type = view.uint8(at: at), let length = view.uint8(at: at + 1),
                      let name = view.slice(at: at + 2, length: Int(length % 64)) else { break }
                interfaces.append(CaptureInterface(linkType: linkTypes[Int(type) % linkTypes.count], snapLength: 262_144,
                                                   name: String(decoding: name, as: UTF8.self)))
                at += 2 + Int(length % 64)
            }
            while let index = view.uint8(at: at), let seconds = view.uint32(at: at + 1), let nanoseconds = view.uint32(at: at + 5),
                  let length = view.uint16(at: at + 9), let extra = view.uint8(at: at + 11),
                  let data = view.slice(at: at + 12, length: Int(length % 2048)), !interfaces.isEmpty {
                frames.append(Frame(interface: Int(index) % interfaces.count,
                                    time: CaptureTimestamp(seconds: Int64(seconds), nanoseconds: nanoseconds % 1_000_000_000),
                                    bytes: Array(data), original: data.count + Int(extra)))
                at += 12 + data.count
            }
        }
        guard !interfaces.isEmpty else { return }
        let path = NSTemporaryDirectory() + "sosdump-fuzz-\(getpid()).pcapng"
        defer { unlink(path) }
        do {
            let writer = try PcapngWriter(path: path, application: "sosdump-fuzz")
            for interface in interfaces { try writer.addInterface(interface) }
            for (number, frame) in frames.enumerated() {
                let written = frame.bytes.withUnsafeBytes { raw in
                    let captured = CapturedFrame(number: number + 1, timestamp: frame.time, interfaceIndex: frame.interface,
                                                 linkType: interfaces[frame.interface].linkType,
                                                 bytes: ByteView(raw, wireCount: frame.original), fileOffset: 0)
                    return (try? writer.write(captured, interface: frame.interface)) != nil
                }
                if !written { return }
            }
            try writer.writeStatistics(interface: 0, time: frames.last?.time ?? CaptureTimestamp(seconds: 0, nanoseconds: 0),
                                       start: CaptureTimestamp(seconds: 0, nanoseconds: 0), received: UInt64(frames.count),
                                       droppedByInterface: 0, droppedByOS: 0)
            try writer.close()
        } catch {
            return  // the temporary folder is full or gone: nothing to check
        }
        guard let reader = try? CaptureReader(path: path) else { fatalError("the reader refuses what the writer wrote") }
        var read = 0
        while let frame = try? reader.next() {
            precondition(read < frames.count, "more frames read back than written")
            let sent = frames[read]
            let interface = reader.interfaces[frame.interfaceIndex]
            var name = interfaces[sent.interface].name ?? ""
            while name.utf8.last == 0 { name = String(decoding: name.utf8.dropLast(), as: UTF8.self) }
            precondition(frame.interfaceIndex == sent.interface && interface.name == name
                && interface.linkType == interfaces[sent.interface].linkType, "frame \(read + 1): another interface")
            precondition(Array(frame.bytes) == sent.bytes && frame.originalLength == sent.original, "frame \(read + 1): other bytes")
            precondition(frame.timestamp.seconds == sent.time.seconds && frame.timestamp.nanoseconds == sent.time.nanoseconds,
                         "frame \(read + 1): another time")
            requireSafe([PacketRecord(FrameDecoder().decode(frame), interface: interface).textLine], "PacketRecord.textLine")
            read += 1
        }
        precondition(read == frames.count && reader.warnings.isEmpty, "the writer's file did not read back whole")
    }
}
