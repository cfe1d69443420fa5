import Testing
@testable import SOSDump

@Suite struct PcapngReaderTests {
    /// Two sections in different byte orders, three interfaces, every kind
    /// of packet block, an unknown block between them.
    static func sample() -> PcapngFileBuilder {
        var file = PcapngFileBuilder()
        file.section(order: .little, options: [.comment("sample")])
        file.interface(linkType: .ethernet, options: [.interfaceName("eth0"), .timestampResolution(9)])
        file.enhancedPacket(interface: 0, timestamp: 1_700_000_000_123_456_789, data: pattern(60))
        file.block(type: 4, body: [0, 0, 0, 0])  // Name Resolution Block, only its end record
        file.simplePacket(data: pattern(13, from: 50))
        file.section(order: .big)
        file.interface(linkType: .linuxSLL2, snapLength: 100)
        file.interface(linkType: .raw)
        file.obsoletePacket(interface: 1, timestamp: 5_000_000, data: pattern(21, from: 70))
        file.enhancedPacket(interface: 0, timestamp: 7_000_001, data: pattern(31, from: 90), options: [.comment("last")])
        return file
    }

    @Test func readsAHandWrittenFile() throws {
        // Big-endian: a Section Header Block (version 1.0, no options), an
        // Interface Description Block (Ethernet, snap length 65535) and an
        // Enhanced Packet Block: interface 0, 1 500 000 µs, 3 of 64 bytes.
        // 0000: 0a 0d 0d 0a 00 00 00 1c  1a 2b 3c 4d 00 01 00 00
        // 0010: ff ff ff ff ff ff ff ff  00 00 00 1c 00 00 00 01
        // 0020: 00 00 00 14 00 01 00 00  00 00 ff ff 00 00 00 14
        // 0030: 00 00 00 06 00 00 00 24  00 00 00 00 00 00 00 00
        // 0040: 00 16 e3 60 00 00 00 03  00 00 00 40 de ad be 00
        // 0050: 00 00 00 24
        let bytes: [UInt8] = [
            0x0a, 0x0d, 0x0d, 0x0a, 0x00, 0x00, 0x00, 0x1c, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x01, 0x00, 0x00,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x14,
            0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x16, 0xe3, 0x60, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x40, 0xde, 0xad, 0xbe, 0x00,
            0x00, 0x00, 0x00, 0x24,
        ]
        let reader = try CaptureReader(input: MemoryInput(bytes), name: "hand.pcapng")
        #expect(reader.format == .pcapng)
        // The first interface is known before the first frame is asked for.
        #expect(reader.interfaces == [CaptureInterface(linkType: .ethernet, snapLength: 65535)])
        #expect(reader.bytesConsumed == 48)
        let frame = try #require(try reader.next())
        #expect(frame.number == 1 && frame.fileOffset == 48 && frame.interfaceIndex == 0 && frame.linkType == .ethernet)
        #expect(frame.timestamp == CaptureTimestamp(seconds: 1, nanoseconds: 500_000_000))
        #expect(frame.timestamp.fractionDigits == 6)
        #expect(Array(frame.bytes) == [0xde, 0xad, 0xbe])
        #expect(frame.originalLength == 64)
        #expect(try reader.next() == nil)
        #expect(reader.bytesConsumed == 84 && reader.framesRead == 1)
    }

    @Test(arguments: [ByteOrder.little, .big])
    func readsInterfacesAndEnhancedPackets(order: ByteOrder) {
        var file = PcapngFileBuilder()
        file.section(order: order)
        file.interface(linkType: .ethernet, snapLength: 1514, options: [.interfaceName("eth0"), .interfaceDescription("uplink to the phone")])
        file.enhancedPacket(timestamp: 1_700_000_000_654_321, data: pattern(60))
        file.enhancedPacket(timestamp: 1_700_000_001_000_000, data: pattern(17, from: 3), originalLength: 1000)
        let result = readAll(file.bytes)
        #expect(result.error == nil)
        #expect(result.format == .pcapng)
        #expect(result.interfaces == [
            CaptureInterface(linkType: .ethernet, snapLength: 1514, name: "eth0", description: "uplink to the phone", section: 0),
        ])
        #expect(result.frames == [
            summary(1, offset: Int64(file.records[2].offset), seconds: 1_700_000_000, nanoseconds: 654_321_000, digits: 6, data: pattern(60)),
            summary(2, offset: Int64(file.records[3].offset), seconds: 1_700_000_001, nanoseconds: 0, digits: 6, data: pattern(17, from: 3), original: 1000),
        ])
        #expect(result.bytesConsumed == Int64(file.bytes.count))
    }

    /// A count of timestamp units and the time it stands for.
    struct ResolutionCase: Sendable, CustomTestStringConvertible {
        var code: UInt8
        var units: UInt64
        var seconds: Int64
        var nanoseconds: UInt32
        var digits: UInt8
        var testDescription: String { "if_tsresol 0x\(hex(code, digits: 2)), \(units) units" }
    }

    static let resolutionCases: [ResolutionCase] = [
        ResolutionCase(code: 6, units: 1_700_000_000_123_456, seconds: 1_700_000_000, nanoseconds: 123_456_000, digits: 6),
        ResolutionCase(code: 9, units: 1_700_000_000_123_456_789, seconds: 1_700_000_000, nanoseconds: 123_456_789, digits: 9),
        ResolutionCase(code: 3, units: 1_700_000_000_123, seconds: 1_700_000_000, nanoseconds: 123_000_000, digits: 3),
        ResolutionCase(code: 0, units: 42, seconds: 42, nanoseconds: 0, digits: 0),
        ResolutionCase(code: 12, units: 12_345_678_901_234_567, seconds: 12345, nanoseconds: 678_901_234, digits: 9),
        ResolutionCase(code: 20, units: 10_000_000_000_000_000_000, seconds: 0, nanoseconds: 100_000_000, digits: 9),
        ResolutionCase(code: 127, units: .max, seconds: 0, nanoseconds: 0, digits: 9),
        ResolutionCase(code: 0x80, units: 42, seconds: 42, nanoseconds: 0, digits: 0),
        ResolutionCase(code: 0x80 | 10, units: 5 * 1024 + 512, seconds: 5, nanoseconds: 500_000_000, digits: 4),
        ResolutionCase(code: 0x80 | 20, units: 3 << 20 | 1 << 19, seconds: 3, nanoseconds: 500_000_000, digits: 7),
        ResolutionCase(code: 0x80 | 40, units: 7 << 40 | 1 << 38, seconds: 7, nanoseconds: 250_000_000, digits: 9),
        ResolutionCase(code: 0x80 | 63, units: 3 << 62, seconds: 1, nanoseconds: 500_000_000, digits: 9),
        ResolutionCase(code: 0x80 | 63, units: .max, seconds: 1, nanoseconds: 999_999_999, digits: 9),
        ResolutionCase(code: 0x80 | 64, units: 1 << 63, seconds: 0, nanoseconds: 500_000_000, digits: 9),
        ResolutionCase(code: 0x80 | 127, units: .max, seconds: 0, nanoseconds: 0, digits: 9),
    ]

    @Test(arguments: resolutionCases)
    func convertsTimestampsOfAnyResolution(_ test: ResolutionCase) {
        let (code, units, seconds, nanoseconds, digits) = (test.code, test.units, test.seconds, test.nanoseconds, test.digits)
        let resolution = TimestampResolution(code: code)
        let timestamp = resolution.timestamp(units)
        #expect(timestamp.seconds == seconds)
        #expect(timestamp.nanoseconds == nanoseconds)
        #expect(timestamp.fractionDigits == digits)

        // The same through an interface's if_tsresol, in both byte orders.
        for order in [ByteOrder.little, .big] {
            var file = PcapngFileBuilder()
            file.section(order: order)
            file.interface(options: [.timestampResolution(code)])
            file.enhancedPacket(timestamp: units, data: [1])
            let frame = readAll(file.bytes).frames.first
            #expect(frame?.seconds == seconds)
            #expect(frame?.nanoseconds == nanoseconds)
            #expect(frame?.fractionDigits == digits)
        }
    }

    @Test func countsFractionDigitsForEveryResolution() {
        let codes: [UInt8] = [0, 1, 3, 6, 9, 10, 0x80, 0x81, 0x84, 0x8A, 0x9D, 0x9E, 0xBF]
        let digits = codes.map { TimestampResolution(code: $0).fractionDigits }
        #expect(digits == [0, 1, 3, 6, 9, 9, 0, 1, 2, 4, 9, 9, 9])
    }

    @Test func addsTheTimestampOffset() {
        var file = PcapngFileBuilder()
        file.section()
        file.interface(options: [.timestampOffset(1_000)])
        file.interface(options: [.timestampOffset(-1_000), .timestampResolution(9)])
        file.interface(options: [.timestampOffset(.max)])
        file.enhancedPacket(interface: 0, timestamp: 2_500_000, data: [1])
        file.enhancedPacket(interface: 1, timestamp: 2_500_000_000, data: [2])
        file.enhancedPacket(interface: 2, timestamp: 2_500_000, data: [3])
        let result = readAll(file.bytes)
        #expect(result.frames.map(\.seconds) == [1_002, -998, .max])
        #expect(result.frames.map(\.nanoseconds) == [500_000_000, 500_000_000, 500_000_000])
    }

    @Test func readsSimplePackets() {
        var file = PcapngFileBuilder()
        file.section()
        file.interface(linkType: .raw, snapLength: 0)
        file.simplePacket(data: pattern(13))  // padded to 16: the padding is not data
        file.simplePacket(data: pattern(60), originalLength: 1514)  // the capture kept 60
        file.section(order: .big)
        file.interface(linkType: .ethernet, snapLength: 20)
        file.simplePacket(data: pattern(40))  // more than the snap length: cut to it
        let result = readAll(file.bytes)
        #expect(result.error == nil)
        #expect(result.frames == [
            summary(1, offset: Int64(file.records[2].offset), linkType: .raw, seconds: 0, nanoseconds: 0, digits: 6, data: pattern(13)),
            summary(2, offset: Int64(file.records[3].offset), linkType: .raw, seconds: 0, nanoseconds: 0, digits: 6, data: pattern(60), original: 1514),
            summary(3, offset: Int64(file.records[6].offset), interface: 1, seconds: 0, nanoseconds: 0, digits: 6, data: pattern(20), original: 40),
        ])
    }

    @Test func readsObsoletePacketBlocks() {
        var file = PcapngFileBuilder()
        file.section(order: .big)
        file.interface(linkType: .ethernet)
        file.interface(linkType: .linuxSLL, options: [.timestampResolution(3)])
        file.obsoletePacket(interface: 1, drops: 9, timestamp: 12_345, data: pattern(30), originalLength: 50)
        let result = readAll(file.bytes)
        #expect(result.error == nil)
        #expect(result.frames == [
            summary(1, offset: Int64(file.records[3].offset), interface: 1, linkType: .linuxSLL, seconds: 12, nanoseconds: 345_000_000, digits: 3, data: pattern(30), original: 50),
        ])
    }

    @Test func skipsBlocksItDoesNotRead() {
        var file = PcapngFileBuilder()
        file.section()
        file.block(type: 4, body: [0, 0, 0, 0])  // NRB before any interface
        file.interface()
        file.enhancedPacket(timestamp: 1, data: [1])
        for type: UInt32 in [4, 5, 10, 0xBAD, 0x4000_0BAD, 0x1234_5678, 0x8000_0001] {
            file.block(type: type, body: pattern(Int(type % 23)))
        }
        file.enhancedPacket(timestamp: 2, data: [2])
        let result = readAll(file.bytes)
        #expect(result.error == nil)
        #expect(result.frames.map(\.number) == [1, 2])
        #expect(result.frames.map(\.data) == [[1], [2]])
        #expect(result.frames.map(\.fileOffset) == [Int64(file.records[3].offset), Int64(file.records[11].offset)])
    }

    @Test func passesOverALargeBlockWithoutHoldingIt() {
        var file = PcapngFileBuilder()
        file.section()
        file.interface()
        file.block(type: 10, body: pattern(3 << 20))  // a 3 MiB Decryption Secrets Block
        file.enhancedPacket(timestamp: 1, data: pattern(100))
        let result = readAll(file.bytes, maximumReadLength: 65536)
        #expect(result.error == nil)
        #expect(result.frames.map(\.data) == [pattern(100)])
        #expect(result.bufferCapacity == CaptureReader.initialBufferCapacity)

        // Its trailing length is still checked.
        var damaged = PcapngFileBuilder()
        damaged.section()
        damaged.interface()
        damaged.enhancedPacket(timestamp: 1, data: pattern(10))
        damaged.block(type: 10, body: pattern(3 << 20), lengths: .init(trailing: 16))
        let error = readAll(damaged.bytes).error
        #expect(error?.kind == .blockLengthMismatch(leading: UInt32(12 + (3 << 20)), trailing: 16))
        #expect(error?.offset == Int64(damaged.records[3].offset))
    }

    @Test func numbersFramesAcrossSectionsAndRestartsInterfaceIDs() {
        var file = PcapngFileBuilder()
        file.section(order: .little)
        file.interface(linkType: .ethernet, options: [.interfaceName("eth0")])
        file.interface(linkType: .linuxSLL)
        file.enhancedPacket(interface: 1, timestamp: 1, data: [1])
        file.enhancedPacket(interface: 0, timestamp: 2, data: [2])
        file.section(order: .big)
        file.interface(linkType: .raw, options: [.interfaceName("tun0")])
        file.enhancedPacket(interface: 0, timestamp: 3, data: [3])
        file.section(order: .little)
        file.interface(linkType: .linuxSLL2)
        file.interface(linkType: .ethernet)
        file.enhancedPacket(interface: 1, timestamp: 4, data: [4])
        file.simplePacket(data: [5])
        let result = readAll(file.bytes)
        #expect(result.error == nil)
        #expect(result.interfaces == [
            CaptureInterface(linkType: .ethernet, snapLength: 0, name: "eth0", section: 0),
            CaptureInterface(linkType: .linuxSLL, snapLength: 0, section: 0),
            CaptureInterface(linkType: .raw, snapLength: 0, name: "tun0", section: 1),
            CaptureInterface(linkType: .linuxSLL2, snapLength: 0, section: 2),
            CaptureInterface(linkType: .ethernet, snapLength: 0, section: 2),
        ])
        #expect(result.frames.map(\.number) == [1, 2, 3, 4, 5])
        #expect(result.frames.map(\.data) == [[1], [2], [3], [4], [5]])
        #expect(result.frames.map(\.interfaceIndex) == [1, 0, 2, 4, 3])
        #expect(result.frames.map(\.linkType) == [.linuxSLL, .ethernet, .raw, .ethernet, .linuxSLL2])
    }

    @Test func readsTheFCSLengthAndTrimsNames() {
        var file = PcapngFileBuilder()
        file.section()
        file.interface(options: [.fcsLength(bits: 32), .interfaceName("eth0\0\0"), .interfaceDescription(String(repeating: "x", count: 300))])
        let interface = readAll(file.bytes).interfaces.first
        #expect(interface?.fcsLength == 4)
        #expect(interface?.name == "eth0")
        #expect(interface?.description == String(repeating: "x", count: PcapngDecoder.maximumNameLength))
    }

    @Test func warnsOfBadOptionsAndKeepsTheInterface() {
        var file = PcapngFileBuilder()
        file.section()
        file.interface(options: [.timestampResolution(9), .raw(code: 9, value: [3, 3])])  // second if_tsresol: 2 bytes
        // if_name claiming 200 bytes in a block that has 4.
        var body = ByteWriter(order: .little)
        body.u16(UInt16(LinkType.raw.rawValue)); body.u16(0); body.u32(0)
        body.u16(2); body.u16(200); body.append(Array("tun0".utf8))
        file.block(type: 1, body: body.bytes)
        file.enhancedPacket(interface: 0, timestamp: 1_000_000_001, data: [1])
        file.enhancedPacket(interface: 1, timestamp: 1_000_001, data: [2])
        let result = readAll(file.bytes, name: "opts.pcapng")
        #expect(result.error == nil)
        #expect(result.interfaces.map(\.linkType) == [.ethernet, .raw])
        #expect(result.interfaces.map(\.name) == [nil, nil])
        #expect(result.frames.map(\.seconds) == [1, 1])
        #expect(result.frames.map(\.nanoseconds) == [1, 1000])
        #expect(result.warnings == [
            CaptureWarning(file: "opts.pcapng", offset: Int64(file.records[1].offset), frame: nil, kind: .badOptionLength(blockType: 1, code: 9, length: 2)),
            CaptureWarning(file: "opts.pcapng", offset: Int64(file.records[2].offset), frame: nil, kind: .malformedOptions(blockType: 1)),
        ])
        #expect(result.warnings.map(\.message) == [
            "option 9 of the Interface Description Block has a 2-byte value, a length it cannot have; ignored",
            "options run past the end of the Interface Description Block; ignored from there",
        ])
    }

    @Test func warnsWhenTheCapturedLengthExceedsTheOriginalOrTheSnapLength() {
        var file = PcapngFileBuilder()
        file.section()
        file.interface(snapLength: 50)
        file.enhancedPacket(data: pattern(40), originalLength: 30)
        file.enhancedPacket(data: pattern(60))
        let result = readAll(file.bytes, name: "odd.pcapng")
        #expect(result.frames.map(\.originalLength) == [40, 60])
        #expect(result.warnings.map(\.kind) == [
            .capturedLongerThanOriginal(captured: 40, original: 30),
            .capturedLongerThanSnapLength(captured: 60, snapLength: 50),
        ])
        #expect(result.warnings.map(\.frame) == [1, 2])
        #expect(result.warnings.map(\.offset) == [Int64(file.records[2].offset), Int64(file.records[3].offset)])
    }

    // MARK: Damage

    /// A section, an interface and one good packet: what damage follows.
    static func goodStart(order: ByteOrder = .little) -> PcapngFileBuilder {
        var file = PcapngFileBuilder()
        file.section(order: order)
        file.interface()
        file.enhancedPacket(timestamp: 1, data: pattern(20))
        return file
    }

    @Test(arguments: [ByteOrder.little, .big])
    func stopsAtABlockOf4GiB(order: ByteOrder) {
        var file = Self.goodStart(order: order)
        let offset = file.bytes.count
        file.enhancedPacket(timestamp: 2, data: pattern(20), lengths: .init(leading: 0xFFFF_FFFC))
        file.enhancedPacket(timestamp: 3, data: pattern(20))
        let result = readAll(file.bytes, name: "dump.pcapng")
        #expect(result.frames.map(\.number) == [1])
        #expect(result.error == CaptureError(
            file: "dump.pcapng", offset: Int64(offset), kind: .implausibleLength(claimed: 4_294_967_292, limit: 16 << 20), format: .pcapng
        ))
        #expect(result.error?.description
            == "dump.pcapng: byte offset \(offset): block claims 4294967292 bytes, more than the 16 MiB a block may have")
        #expect(result.bufferCapacity == CaptureReader.initialBufferCapacity)
        #expect(result.afterEnd == nil)
    }

    @Test func stopsAtALengthMismatch() {
        var file = Self.goodStart()
        let offset = file.bytes.count
        file.enhancedPacket(timestamp: 2, data: pattern(20), lengths: .init(trailing: 48))
        let result = readAll(file.bytes)
        #expect(result.frames.count == 1)
        #expect(result.error?.kind == .blockLengthMismatch(leading: 52, trailing: 48))
        #expect(result.error?.offset == Int64(offset))
        #expect(result.error?.message == "block's trailing length 48 differs from its leading length 52")
    }

    @Test(arguments: [UInt32(30), 8, 0, 13])
    func stopsAtABadBlockLength(length: UInt32) {
        var file = Self.goodStart()
        let offset = file.bytes.count
        file.block(type: 5, body: pattern(20), lengths: .init(leading: length))
        file.enhancedPacket(timestamp: 2, data: [2])
        let result = readAll(file.bytes)
        #expect(result.frames.count == 1)
        #expect(result.error == CaptureError(file: "test.cap", offset: Int64(offset), kind: .badBlockLength(length), format: .pcapng))
    }

    @Test func stopsAtABlockLongerThanTheFile() {
        var file = Self.goodStart()
        let offset = file.bytes.count
        file.enhancedPacket(timestamp: 2, data: pattern(20), lengths: .init(leading: 400))
        let result = readAll(file.bytes)
        #expect(result.frames.count == 1)
        #expect(result.error?.kind == .recordPastEnd(claimed: 400, available: 52))
        #expect(result.error?.offset == Int64(offset))
        #expect(result.error?.message == "the file ends inside a block: it needs 400 bytes, only 52 are left")

        // The same for a block passed over.
        var skipped = Self.goodStart()
        skipped.block(type: 5, body: pattern(20), lengths: .init(leading: 1 << 20))
        #expect(readAll(skipped.bytes, maximumReadLength: 1000, bufferCapacity: 64).error?.kind == .recordPastEnd(claimed: 1 << 20, available: 32))
    }

    @Test func stopsAtABlockHeaderCutShort() {
        var file = Self.goodStart()
        let offset = file.bytes.count
        file.append([6, 0, 0, 0, 64])
        let result = readAll(file.bytes)
        #expect(result.frames.count == 1)
        #expect(result.error?.kind == .recordPastEnd(claimed: 12, available: 5))
        #expect(result.error?.offset == Int64(offset))
    }

    @Test func stopsAtAnUnknownInterface() {
        var file = Self.goodStart()
        let offset = file.bytes.count
        file.enhancedPacket(interface: 3, timestamp: 2, data: [2])
        let result = readAll(file.bytes)
        #expect(result.frames.count == 1)
        #expect(result.error == CaptureError(file: "test.cap", offset: Int64(offset), kind: .unknownInterface(id: 3, defined: 1), format: .pcapng))
        #expect(result.error?.message == "packet names interface 3, but its section describes only interface 0")
    }

    @Test func doesNotLetASectionUseTheInterfacesOfTheOneBefore() {
        var file = PcapngFileBuilder()
        file.section()
        file.interface()
        file.interface()
        file.enhancedPacket(interface: 1, data: [1])
        file.section(order: .big)
        file.interface()
        let offset = file.bytes.count
        file.enhancedPacket(interface: 1, data: [2])
        let result = readAll(file.bytes)
        #expect(result.frames.map(\.data) == [[1]])
        #expect(result.error?.kind == .unknownInterface(id: 1, defined: 1))
        #expect(result.error?.offset == Int64(offset))

        var noInterface = PcapngFileBuilder()
        noInterface.section()
        noInterface.simplePacket(data: [1])
        let error = readAll(noInterface.bytes).error
        #expect(error?.kind == .unknownInterface(id: 0, defined: 0))
        #expect(error?.offset == 28)
    }

    @Test func stopsAtAPacketLongerThanItsBlock() {
        var file = Self.goodStart()
        let offset = file.bytes.count
        file.enhancedPacket(timestamp: 2, data: pattern(20), capturedLength: 21)
        let result = readAll(file.bytes)
        #expect(result.frames.count == 1)
        #expect(result.error?.kind == .packetPastBlock(captured: 21, room: 20))
        #expect(result.error?.offset == Int64(offset))
    }

    @Test func stopsAtBlocksTooShortForTheirType() {
        for (type, minimum) in [(UInt32(6), UInt32(32)), (2, 32), (1, 20), (3, 16)] {
            var file = Self.goodStart()
            let offset = file.bytes.count
            file.block(type: type, body: [])
            let result = readAll(file.bytes)
            #expect(result.frames.count == 1)
            #expect(result.error?.kind == .blockTooShort(type: type, length: 12, minimum: minimum))
            #expect(result.error?.offset == Int64(offset))
        }
        var file = Self.goodStart()
        file.block(type: 6, body: pattern(16))
        #expect(readAll(file.bytes).error?.message == "Enhanced Packet Block of 28 bytes is shorter than the 32 its fixed fields need")
    }

    @Test func stopsAtABadByteOrderMagic() {
        var first = PcapngFileBuilder()
        first.section(byteOrderMagic: 0x1A2B_3C4E)
        first.interface()
        let result = readAll(first.bytes)
        #expect(result.error == CaptureError(file: "test.cap", offset: 0, kind: .badByteOrderMagic(0x4E3C_2B1A), format: .pcapng))
        #expect(result.error?.message == "section header's byte-order magic is 0x4e3c2b1a, neither 1a2b3c4d nor 4d3c2b1a")

        var later = Self.goodStart()
        let offset = later.bytes.count
        later.section(order: .big, byteOrderMagic: 0)
        let laterResult = readAll(later.bytes)
        #expect(laterResult.frames.count == 1)
        #expect(laterResult.error?.kind == .badByteOrderMagic(0))
        #expect(laterResult.error?.offset == Int64(offset))
    }

    @Test func refusesOtherSectionVersions() {
        var file = Self.goodStart()
        let offset = file.bytes.count
        file.section(version: (2, 0))
        let result = readAll(file.bytes)
        #expect(result.frames.count == 1)
        #expect(result.error?.kind == .unsupportedVersion(major: 2, minor: 0))
        #expect(result.error?.offset == Int64(offset))
        #expect(result.error?.message == "pcapng section version 2.0 is not supported (only 1.x)")
    }

    @Test func refusesMoreInterfacesThanItKeeps() {
        var file = PcapngFileBuilder()
        file.section()
        for _ in 0..<CaptureReader.maximumInterfaces { file.interface() }
        file.enhancedPacket(interface: UInt32(CaptureReader.maximumInterfaces - 1), data: [1])
        let offset = file.bytes.count
        file.interface()
        let result = readAll(file.bytes)
        #expect(result.frames.map(\.interfaceIndex) == [CaptureReader.maximumInterfaces - 1])
        #expect(result.error?.kind == .tooManyInterfaces(limit: CaptureReader.maximumInterfaces))
        #expect(result.error?.offset == Int64(offset))
    }

    @Test func countsTheInterfaceLimitPerSection() {
        // Files joined with `cat`: each section may describe up to the limit.
        var file = PcapngFileBuilder()
        let perSection = CaptureReader.maximumInterfaces
        for _ in 0..<3 {
            file.section()
            for _ in 0..<perSection { file.interface() }
            file.enhancedPacket(interface: UInt32(perSection - 1), data: [1])
        }
        let result = readAll(file.bytes)
        #expect(result.error == nil)
        #expect(result.frames.map(\.interfaceIndex) == [perSection - 1, 2 * perSection - 1, 3 * perSection - 1])
    }

    @Test func boundsTheInterfacesOfAllSectionsTogether() {
        var file = PcapngFileBuilder()
        let sections = CaptureReader.maximumInterfacesInAllSections / CaptureReader.maximumInterfaces
        for _ in 0..<sections {
            file.section()
            for _ in 0..<CaptureReader.maximumInterfaces { file.interface() }
        }
        file.section()
        let offset = file.bytes.count
        file.interface()
        let result = readAll(file.bytes)
        #expect(result.error?.kind == .tooManyInterfacesInAllSections(limit: CaptureReader.maximumInterfacesInAllSections))
        #expect(result.error?.offset == Int64(offset))
    }

    @Test func handlesEveryPrefix() {
        let file = Self.sample()
        checkEveryPrefix(file.bytes, records: file.records)
    }

    @Test func survivesRandomCorruption() {
        checkCorruptions(of: Self.sample().bytes, seed: 3, rounds: 2000)
    }

    @Test func readsTheSampleTheSameWhateverTheReadSize() {
        let file = Self.sample()
        let whole = readAll(file.bytes)
        #expect(whole.error == nil)
        #expect(whole.frames == [
            summary(1, offset: Int64(file.records[2].offset), seconds: 1_700_000_000, nanoseconds: 123_456_789, digits: 9, data: pattern(60)),
            summary(2, offset: Int64(file.records[4].offset), seconds: 0, nanoseconds: 0, digits: 9, data: pattern(13, from: 50)),
            summary(3, offset: Int64(file.records[8].offset), interface: 2, linkType: .raw, seconds: 5, nanoseconds: 0, digits: 6, data: pattern(21, from: 70)),
            summary(4, offset: Int64(file.records[9].offset), interface: 1, linkType: .linuxSLL2, seconds: 7, nanoseconds: 1000, digits: 6, data: pattern(31, from: 90)),
        ])
        for length in [1, 3, 64] {
            #expect(readAll(file.bytes, maximumReadLength: length, bufferCapacity: 16).frames == whole.frames)
        }
    }

    @Test func readsFromAPipe() throws {
        var file = PcapngFileBuilder()
        file.section()
        file.interface(options: [.timestampResolution(9)])
        for index in 0..<1500 {
            file.enhancedPacket(timestamp: UInt64(index) * 1_000_000_007, data: pattern(300, from: UInt8(index % 256)))
        }
        let (readEnd, writeEnd) = try makePipe()
        let writer = startWriting(file.bytes, to: writeEnd)
        let result = readAll(FileInput(fileDescriptor: readEnd, name: "pipe", closeWhenDone: true), name: "pipe")
        writer.join()
        #expect(result.error == nil)
        #expect(result.frames.count == 1500)
        #expect(result.frames.last.map { [$0.seconds, Int64($0.nanoseconds)] } == [1499, 10_493])
    }
}
