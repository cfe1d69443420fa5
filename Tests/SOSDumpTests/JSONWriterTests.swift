import Foundation
@testable import SOSDump
import Testing

/// `JSONWriter` and the records written through it give, byte for byte,
/// what Foundation's `JSONEncoder` gives with the reports' options
/// (`ReportJSON.encoder(pretty: true)`): strings, numbers, containers,
/// generated `TransferRecord`s with every field present or absent, and
/// `sosdump transfers --format json` on the corpus.
@Suite struct JSONWriterTests {
    /// What Foundation writes for `value`, as an element of an array two levels deep (as `TransferStream` places a record).
    static func foundation(_ value: some Encodable) -> String {
        let pretty = ReportJSON.text(value, pretty: true)
        return pretty.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
    }

    static func written(_ value: some JSONWritable) -> String {
        var json = JSONWriter(depth: 2)
        value.write(to: &json)
        return json.text
    }

    /// Every ASCII character, alone and inside text, and non-ASCII text
    /// (accents, CJK, an emoji, the line separator, a bidi override, a BOM,
    /// C1 controls), which JSON carries as UTF-8.
    @Test func stringsAreEscapedAsFoundationEscapesThem() {
        var strings = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        strings += (0..<0x80).map { "a\(String(UnicodeScalar(UInt8($0))))b/\\\"c" }
        strings += ["", "/", "//a/b\\c", "\"quoted\"", "tab\there", "line\nbreak\r\n", "\u{7F}\u{80}\u{85}\u{9B}",
                    "é", "naïve café", "電話機", "phone 📞 ok", "\u{2028}\u{2029}", "\u{202E}nib.exe", "\u{FEFF}bom",
                    "\u{1B}]0;owned\u{07}", String(repeating: "x", count: 5000) + "\u{01}", "\u{0}\u{0}\u{0}"]
        for s in strings {
            #expect(Self.written([s]) == Self.foundation([s]), "\(s.debugDescription)")
        }
    }

    @Test func numbersAreWrittenAsFoundationWritesThem() {
        var doubles: [Double] = [0, -0.0, 1, -1, 0.5, 0.1, 1e-6, 1.5e-7, 123_456.789_012, 1e15, 1e16, 1e21, 1e22, 5e-324,
                                 .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNormalMagnitude, 2.0 / 3.0, 9_007_199_254_740_993]
        var ints: [Int] = [0, 1, -1, 9, 10, 99, 100, Int.max, Int.min, Int.min + 1, 65_535, -65_536]
        var random = SplitMix64(seed: 14)
        for _ in 0..<2_000 {
            let bits = random.next()
            let d = Double(bitPattern: bits)
            if d.isFinite { doubles.append(d) }
            doubles.append(Double(Int64(bitPattern: bits) % 100_000_000_000) / 1e6)  // seconds to the microsecond
            doubles.append(Double(bits >> 20).rounded())  // a rate in bytes per second
            ints.append(Int(bitPattern: UInt(bits)))
            ints.append(Int(bits >> 40) - (1 << 23))
        }
        #expect(Self.written(doubles) == Self.foundation(doubles))
        #expect(Self.written(ints) == Self.foundation(ints))
        let codes: [UInt16] = [0, 1, 8, 255, 65_535]
        #expect(Self.written(codes) == Self.foundation(codes))
        #expect(Self.written([true, false]) == Self.foundation([true, false]))
    }

    @Test func emptyAndNestedContainersAreLaidOutAsFoundationLaysThemOut() {
        #expect(Self.written([String]()) == Self.foundation([String]()))
        #expect(Self.written([[Int]]()) == Self.foundation([[Int]]()))
        #expect(Self.written([[Int](), [1], []]) == Self.foundation([[Int](), [1], []]))
        #expect(Self.written([[["a"]]]) == Self.foundation([[["a"]]]))
    }

    /// Generated records: every optional present or absent, strings from
    /// the odd pieces above, numbers large and negative, the image's
    /// nullable fields null or not.
    @Test func generatedRecordsAreWrittenAsFoundationEncodesThem() throws {
        var random = SplitMix64(seed: 8259)
        let base = try Self.baseRecord()
        for n in 0..<3_000 {
            let record = Self.generated(from: base, &random)
            #expect(Self.written(record) == Self.foundation(record), "record \(n)")
            #expect(TransferStream.json(record) == Self.foundation(record))
            if Self.written(record) != Self.foundation(record) { return }  // one record's diff says enough
        }
    }

    /// A field added to `TransferRecord` is written: the keys of a record
    /// with every field set are its stored properties' names in snake_case.
    @Test func everyFieldOfTheRecordIsWritten() throws {
        var random = SplitMix64(seed: 1)
        let record = Self.generated(from: try Self.baseRecord(), &random, everyField: true)
        let written = Self.written(record)
        #expect(written == Self.foundation(record))
        let keys = written.split(separator: "\n").filter { $0.hasPrefix("      \"") }.map { String($0.dropFirst(7).prefix { $0 != "\"" }) }
        let fields = Mirror(reflecting: record).children.compactMap(\.label).map { name in
            name.map { $0.isUppercase ? "_" + $0.lowercased() : String($0) }.joined()
        }
        #expect(keys.count == 49)
        #expect(keys == fields.sorted())
    }

    /// Every capture of the corpus through the command: the document it
    /// writes is what Foundation makes of the same records. (Foundation
    /// sorts `damage` before `transfers`; the stream writes it after the
    /// records it follows, so a damaged capture's is set aside here.)
    @Test(arguments: ["sos", "boot", "tftp"])
    func transfersJSONIsFoundationsOnTheCorpus(group: String) throws {
        var records = 0
        for name in CaptureCorpus.captures(in: group) {
            let result = try CommandRunner.sosdump(["transfers", "--format", "json", CaptureCorpus.path(group, name)])
            var output = result.standardOutput
            let listing = try TransferListingJSON.decode(output)
            if let damage = listing.damage {
                let tail = "  ],\n  \"damage\" : \(ReportJSON.text(damage))\n}\n"
                #expect(output.hasSuffix(tail), "\(group)/\(name)")
                output = String(output.dropLast(tail.count)) + "  ]\n}\n"
            }
            let foundation = TransferListingJSON(capture: listing.capture, transfers: listing.transfers, damage: nil).encoded() + "\n"
            #expect(output == foundation, "\(group)/\(name)")
            records += listing.transfers.count
        }
        #expect(records > 0)
    }

    /// A record with every field set, read from JSON so that no capture is needed.
    static func baseRecord() throws -> TransferRecord {
        let json = """
            {"number": 1, "direction": "read", "file": "f", "mode": "octet", "client": "10.0.0.2:1024", "request_to": "10.0.0.1:69",
             "request_frame": 1, "request_time": "2026-12-05T09:00:00.000000Z", "requests": 1, "last_frame": 2,
             "last_time": "2026-12-05T09:00:01.000000Z", "requested_options": [], "block_size": 512, "window_size": 1,
             "blocks": 0, "bytes": 0, "complete": false, "outcome": "unanswered", "seconds": 0, "data_packets": 0,
             "ack_packets": 0, "final_block_acknowledged": false}
            """
        return try decoded(json)
    }

    static func baseImage() throws -> ImageRecord {
        let json = """
            {"catalog": "known", "catalog_text": "c", "extent": "complete", "has_image_magic": true, "loader": "accepted",
             "loader_text": "l", "size": 1}
            """
        return try decoded(json)
    }

    static func decoded<T: Decodable>(_ json: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: Data(json.utf8))
    }

    static let pieces = ["", "a", "SEP001122334455.cnf.xml", "/tftpboot/a\\b", "\"", "\\", "\u{0}", "\u{1F}", "\t\n\r\u{8}\u{C}",
                         "\u{7F}", "é", "電話", "📞", "\u{202E}", "\u{2028}", "10.0.0.1:69", "[2001:db8::1]:69", "File not found"]

    static func generated(from base: TransferRecord, _ r: inout SplitMix64, everyField: Bool = false) -> TransferRecord {
        func text() -> String { (0..<r.below(4)).map { _ in pieces[r.below(pieces.count)] }.joined() }
        func int() -> Int {
            switch r.below(4) {
            case 0: r.below(10)
            case 1: r.below(1 << 20)
            case 2: -r.below(1 << 20)
            default: Int(bitPattern: UInt(r.next()))
            }
        }
        func double() -> Double {
            switch r.below(3) {
            case 0: Double(r.below(100_000_000)) / 1e6
            case 1: Double(r.below(1 << 40)).rounded()
            default: Double(bitPattern: r.next() & 0x7FEF_FFFF_FFFF_FFFF) * (r.bool() ? 1 : -1)
            }
        }
        func maybe<T>(_ make: () -> T) -> T? { everyField || r.bool() ? make() : nil }
        func options() -> [TransferRecord.Option] { (0..<r.below(3)).map { _ in TransferRecord.Option(name: text(), value: text()) } }
        func occurrences() -> TransferRecord.Occurrences { TransferRecord.Occurrences(count: int(), firstFrame: int()) }

        var t = base
        t.number = int()
        t.direction = text()
        t.file = text()
        t.mode = text()
        t.client = text()
        t.requestTo = text()
        t.server = maybe(text)
        t.requestFrame = int()
        t.requestTime = text()
        t.requests = int()
        t.firstReplyFrame = maybe(int)
        t.lastFrame = int()
        t.lastTime = text()
        t.requestedOptions = options()
        t.acceptedOptions = maybe(options)
        t.blockSize = int()
        t.windowSize = int()
        t.announcedSize = maybe(int)
        t.blocks = int()
        t.bytes = int()
        t.size = maybe(int)
        t.complete = r.bool()
        t.outcome = text()
        t.seconds = double()
        t.bytesPerSecond = maybe(double)
        t.sha256 = maybe(text)
        t.sha1 = maybe(text)
        t.md5 = maybe(text)
        t.dataPackets = int()
        t.ackPackets = int()
        t.retransmittedData = maybe(occurrences)
        t.repeatedAcks = maybe(occurrences)
        t.outOfOrderBlocks = maybe(occurrences)
        t.sorcerersApprenticeFrame = maybe(int)
        t.blocksPeerMissed = maybe(int)
        t.foreignPackets = maybe(occurrences)
        t.finalBlockAcknowledged = r.bool()
        t.acknowledgedThrough = maybe(int)
        t.dataNotCaptured = maybe { r.bool() }
        t.completedByAcknowledgment = maybe { r.bool() }
        t.corruptedData = maybe(occurrences)
        t.duplicateFrames = maybe(int)
        t.sizeMismatch = maybe { r.bool() }
        t.gaps = maybe {
            (0..<r.below(3)).map { _ in
                TransferRecord.Gap(firstBlock: int(), lastBlock: int(), offset: int(), length: int(), acknowledged: r.bool(), cutBySnapLength: r.bool())
            }
        }
        t.error = maybe {
            TransferRecord.ErrorPacket(code: UInt16(truncatingIfNeeded: r.next()), name: text(), message: text(), sentBy: text(), frame: int())
        }
        t.unreachable = maybe {
            TransferRecord.Unreachable(frame: int(), reporter: text(), unreachable: text(), message: text(), drawnBy: text())
        }
        t.stall = maybe {
            TransferRecord.Stall(block: int(), frame: int(), time: text(), quietSide: text(), lastFrame: int(),
                                 silenceBeforeCaptureEnd: double(), supersededByFrame: maybe(int))
        }
        t.anomalies = maybe { (0..<r.below(3)).map { _ in text() } }
        if everyField || r.bool(), var image = try? baseImage() {
            image.version = maybe(text)
            image.extent = text()
            image.size = int()
            image.loader = text()
            image.failedCheck = maybe(text)
            image.loaderMessage = maybe(text)
            image.catalog = text()
            image.release = maybe(text)
            image.hasImageMagic = r.bool()
            image.loaderText = text()
            image.catalogText = text()
            t.image = image
        }
        return t
    }
}

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int.random(in: 0..<n, using: &self) }
    mutating func bool() -> Bool { Bool.random(using: &self) }
}
