import Crypto

/// A firmware image checked as the phone's loader checks it
/// (`libupg_validate_firmware_mem`, docs/sos-protocol.md §C5), plus the checks a
/// person wants that the loader does not make.
///
/// The loader's checks run in its order: the header digest, the randseq,
/// then for each sector its bounds and its digest. The loader stops at its
/// first failure; sosdump goes on, so that every check has an outcome and a
/// damaged image says everything that is wrong with it. ``verdict`` names the
/// first failure in the loader's order, the one whose line the phone prints.
///
/// Every length and offset read from the image is checked against the bytes
/// there before use; sums the loader makes in 32 bits are made in 32 bits
/// (wrapping, as it does) to decide what it decides, and exactly to decide
/// what sosdump may read. The bytes are hashed where they lie (stored
/// sectors) or inflated into one reused 64 KiB buffer (zlib sectors): no
/// copy of the image is made.
public struct FirmwareVerification: Sendable {
    /// Whether the bytes are the whole image the loader received, or the
    /// first bytes of one still arriving (a transfer that stopped).
    public enum Extent: String, Sendable, Codable {
        /// The loader received exactly these bytes: whatever lies past them
        /// is not the image, and checks that need it fail as the loader's would.
        case complete
        /// More bytes were to come: checks that need them are not made.
        case prefix
    }

    /// More sector infos than this are not checked (the flash of these
    /// phones has at most 256 sectors of 64 KiB); it bounds the work a
    /// hostile header can ask for.
    public static let maximumSectorsChecked = 4096

    public let length: Int
    public let extent: Extent
    /// The fixed header, when its 128 bytes are there.
    public let header: FirmwareImageHeader?
    /// Every sector info that was read, in order.
    public let sectors: [FirmwareSectorInfo]
    /// Every check, in report order: sosdump's own about the file, then the
    /// loader's in its order, then what the loader would write.
    public let checks: [FirmwareCheck]
    /// Of the bytes checked: for catalogs and reports.
    public let sha256: HexDigest
    public let md5: HexDigest

    /// The header's version text (`7.6.2g`), when readable.
    public var version: String? { header?.version }

    public var verdict: LoaderVerdict {
        if let failed = checks.first(where: { $0.stopsRecovery && $0.status == .failed }) { return .rejected(failed) }
        if let open = checks.first(where: { $0.stopsRecovery && $0.status == .notChecked }) { return .incomplete(open) }
        return .accepted
    }

    public var loaderAccepts: Bool { verdict == .accepted }

    /// Checks `image`. `digests`, when given, are the SHA-256 and MD5 of
    /// exactly these bytes, already computed by the caller (a transfer
    /// hashes its file as it arrives), so they are not computed twice.
    public init(_ image: UnsafeRawBufferPointer, extent: Extent = .complete, digests: (sha256: HexDigest, md5: HexDigest)? = nil) {
        var run = CheckRun(image: ByteView(image), extent: extent)
        run.run()
        length = image.count
        self.extent = extent
        header = run.header
        sectors = run.sectors
        checks = run.checks
        sha256 = digests?.sha256 ?? HexDigest(SHA256.hash(data: image))
        md5 = digests?.md5 ?? HexDigest(Insecure.MD5.hash(data: image))
    }

    public init(_ image: [UInt8], extent: Extent = .complete) {
        self = image.withUnsafeBytes { FirmwareVerification($0, extent: extent) }
    }
}

/// "byte 0x1440" — offsets in the image, in hex as a hex editor shows them.
func at(_ offset: Int) -> String { "byte 0x\(hex(offset, digits: 1))" }

/// The checks, made one after another over one image.
private struct CheckRun {
    typealias L = FirmwareImageLayout

    let image: ByteView
    let extent: Extent
    var header: FirmwareImageHeader?
    var sectors: [FirmwareSectorInfo] = []
    var checks: [FirmwareCheck] = []
    let inflater = SectorInflater()

    typealias Extent = FirmwareVerification.Extent

    init(image: ByteView, extent: Extent) {
        self.image = image
        self.extent = extent
    }

    var count: Int { image.count }
    var complete: Bool { extent == .complete }

    mutating func add(_ kind: FirmwareCheck.Kind, _ status: FirmwareCheck.Status, _ detail: String, offset: Int? = nil) {
        checks.append(FirmwareCheck(kind, status, detail, offset: offset))
    }

    /// A check that needs bytes up to `end`: failed in a complete image
    /// (with `past`, what the loader does there), not made in a prefix.
    mutating func beyondEnd(_ kind: FirmwareCheck.Kind, needs end: Int, what: String, past: String, offset: Int?) {
        if complete {
            add(kind, .failed, "\(what) runs to \(at(end)), past the end of the image at \(at(count)); \(past)", offset: offset)
        } else {
            add(kind, .notChecked, "\(what) needs the bytes up to \(at(end)); only \(count) bytes are here", offset: offset)
        }
    }

    mutating func run() {
        checkMagic()
        header = FirmwareImageHeader(image)
        guard let header else {
            headerCutOff()
            return
        }
        checkTotalLength(header)
        checkVersion(header)
        checkLayout(header)
        checkRAMWindow(header)
        checkHeaderHashes(header)
        checkSectors(header)
        checkWritableSectors(header)
    }

    // MARK: sosdump's own checks

    mutating func checkMagic() {
        guard let magic = image.slice(at: L.magicOffset, length: L.magic.count) else {
            let status: FirmwareCheck.Status = complete ? .failed : .notChecked
            add(.magic, status, "the image has only \(count) bytes, fewer than the 16 of the magic", offset: 0)
            return
        }
        if magic.elementsEqual(L.magic) {
            add(.magic, .passed, "SkOsMo5 fIrMwArE", offset: 0)
        } else {
            add(.magic, .failed, "it starts with \(Self.describeStart(magic)), not SkOsMo5 fIrMwArE", offset: 0)
        }
    }

    /// The first bytes in hex, and what kind of file they suggest.
    static func describeStart(_ bytes: ByteView) -> String {
        let shown = bytes.prefix(8).map { hex($0, digits: 2) }.joined(separator: " ")
        let b = Array(bytes.prefix(9))
        let kind: String? =
            if b.starts(with: [0x50, 0x4B, 0x03, 0x04]) { "a zip archive (the vendor's bundle?): give the phone the .bin inside it" }
            else if b.starts(with: [0x4D, 0x5A]) { "a Windows program (the .exe?), not the .bin" }
            else if b.starts(with: [0x1F, 0x8B]) { "a gzip file" }
            else if b.starts(with: Array("<".utf8)) || b.starts(with: Array("HTTP".utf8)) { "text or a web page (a download that saved an error page?)" }
            else if b.starts(with: Array("%PDF".utf8)) { "a PDF document" }
            else { nil }
        return kind.map { "\(shown): \($0)" } ?? shown
    }

    mutating func headerCutOff() {
        let detail = "the image ends at \(at(count)), inside its \(L.headerSize)-byte header"
        if complete {
            add(.totalLength, .failed, detail, offset: count)
            let past = "\(detail); the loader reads the rest of the header from memory past the image"
            add(.headerDigest, .failed, past, offset: L.digestOffset)
            add(.headerRandseq, .failed, past, offset: L.randseqOffset)
        } else {
            let missing = "not checked: the header is \(L.headerSize) bytes, only \(count) are here"
            add(.totalLength, .notChecked, missing, offset: L.totalLengthOffset)
            add(.headerDigest, .notChecked, missing, offset: L.digestOffset)
            add(.headerRandseq, .notChecked, missing, offset: L.randseqOffset)
        }
        add(.sectorInfos(from: 0), .notChecked, "not checked: the header is cut off", offset: nil)
    }

    mutating func checkTotalLength(_ header: FirmwareImageHeader) {
        let total = Int(header.totalLength)
        let said = "the header (at \(at(L.totalLengthOffset))) says \(total) bytes"
        if count == total {
            add(.totalLength, .passed, "\(total) bytes, as the header says", offset: L.totalLengthOffset)
        } else if count < total {
            if complete {
                add(.totalLength, .failed, "\(said); the image has \(count): the last \(total - count) are missing", offset: count)
            } else {
                add(.totalLength, .notChecked, "\(said); \(count) are here so far (\(at(count)) on is missing)", offset: count)
            }
        } else {
            add(.totalLength, .failed, "\(said); the image has \(count): \(count - total) more from \(at(total)) on", offset: total)
        }
    }

    mutating func checkVersion(_ header: FirmwareImageHeader) {
        guard let text = header.version else {
            let shown = header.versionField.prefix(8).map { hex($0, digits: 2) }.joined(separator: " ")
            add(.version, .failed, "the version field at \(at(L.versionOffset)) is not text: \(shown) …", offset: L.versionOffset)
            return
        }
        if SPAVersion(text) != nil {
            add(.version, .passed, text, offset: L.versionOffset)
        } else {
            add(.version, .passed, "\"\(text)\" (readable, but not a SPA version number)", offset: L.versionOffset)
        }
    }

    mutating func checkLayout(_ header: FirmwareImageHeader) {
        var odd: [String] = []
        if header.headerLength < UInt32(L.headerSize) {
            odd.append("the header length 0x\(hex(header.headerLength, digits: 1)) (at \(at(L.headerLengthOffset))) puts the sector infos inside the 128-byte header")
        }
        if header.sectorInfoSize != UInt32(L.sectorInfoStride) {
            odd.append("the sector-info size (at \(at(L.sectorInfoSizeOffset))) is \(header.sectorInfoSize), not 64: the loader hashes \(header.sectorInfoSize) bytes per sector info but reads them 64 apart")
        }
        if odd.isEmpty {
            add(.layout, .passed, "header length 0x\(hex(header.headerLength, digits: 1)), \(header.sectorCount) sector infos of 64 bytes", offset: L.headerLengthOffset)
        } else {
            add(.layout, .failed, odd.joined(separator: "; "), offset: L.headerLengthOffset)
        }
    }

    mutating func checkRAMWindow(_ header: FirmwareImageHeader) {
        let announced = complete ? count : Swift.max(count, Int(header.totalLength))
        let source = announced == count ? "the image has \(count) bytes" : "the header says \(announced) bytes"
        if announced > L.ramWindow {
            add(.ramWindow, .failed,
                "\(source): more than the \(L.ramWindow) (10 MiB) between where the loader stores the image and its heap; receiving it overwrites the heap",
                offset: L.ramWindow)
        } else if announced > L.httpLimit {
            add(.ramWindow, .passed, "\(source): it fits the loader's 10 MiB, but not the 7 MiB its HTTP download (Recovery URL) takes")
        } else {
            add(.ramWindow, .passed, "\(source): it fits the loader's 10 MiB")
        }
    }

    // MARK: The loader's checks

    mutating func checkHeaderHashes(_ header: FirmwareImageHeader) {
        let hashed = Int(header.hashedLength)
        let what = "the header hashes cover \(hashed) bytes (header length \(header.headerLength) + \(header.sectorCount) sector infos × \(header.sectorInfoSize)), which"
        guard hashed <= count else {
            let past = "the loader hashes whatever its memory holds after the image"
            beyondEnd(.headerDigest, needs: hashed, what: what, past: past, offset: L.digestOffset)
            beyondEnd(.headerRandseq, needs: hashed, what: what, past: past, offset: L.randseqOffset)
            return
        }
        let bytes = image.rawBytes
        let range = "bytes 0..<0x\(hex(hashed, digits: 1))"
        let digest = FirmwareHeaderHash.digest(bytes, length: hashed)
        if digest == header.digest {
            add(.headerDigest, .passed, "MD5 of \(range) (signature and digest zeroed) is \(digest), as at \(at(L.digestOffset))", offset: L.digestOffset)
        } else {
            add(.headerDigest, .failed,
                "MD5 of \(range) (signature and digest zeroed) is \(digest); the header says \(header.digest) (at \(at(L.digestOffset)))",
                offset: L.digestOffset)
        }
        let randseq = FirmwareHeaderHash.randseq(bytes, length: hashed)
        if randseq == header.randseq {
            add(.headerRandseq, .passed, "nsdigest of \(range) (signature, digest and randseq zeroed) is \(randseq), as at \(at(L.randseqOffset))", offset: L.randseqOffset)
        } else {
            add(.headerRandseq, .failed,
                "nsdigest of \(range) (signature, digest and randseq zeroed) is \(randseq); the header says \(header.randseq) (at \(at(L.randseqOffset)))",
                offset: L.randseqOffset)
        }
    }

    mutating func checkSectors(_ header: FirmwareImageHeader) {
        let declared = Int(header.sectorCount)
        for index in 0..<declared {
            guard index < FirmwareVerification.maximumSectorsChecked else {
                add(.sectorInfos(from: index), .notChecked,
                    "the header lists \(declared) sectors; sosdump checks at most \(FirmwareVerification.maximumSectorsChecked) (no flash of these phones has more than 256)")
                return
            }
            let infoOffset = header.sectorInfoOffset(index)
            guard let infoOffset, let info = FirmwareSectorInfo(image, index: index, at: infoOffset) else {
                let start = infoOffset ?? Int.max
                let what = "sector infos #\(index)–#\(declared - 1) start at \(infoOffset.map(at) ?? "an offset past any image") and"
                let needs = start.addingReportingOverflow(L.sectorDigestOffset + 16)
                if complete {
                    add(.sectorInfos(from: index), .failed,
                        "\(what) the image ends at \(at(count)); the loader reads them from memory past the image, and what it finds there decides",
                        offset: infoOffset)
                } else {
                    let end = needs.overflow ? "an offset past any image" : at(needs.partialValue)
                    add(.sectorInfos(from: index), .notChecked, "\(what) need the bytes up to \(end); only \(count) bytes are here", offset: infoOffset)
                }
                return
            }
            sectors.append(info)
            let boundsPassed = checkBounds(info)
            checkDigest(info, boundsPassed: boundsPassed)
        }
    }

    /// `(int)size > 0 && offset + size <= received` in 32 bits (docs/sos-protocol.md §C3).
    mutating func checkBounds(_ info: FirmwareSectorInfo) -> Bool {
        let kind = FirmwareCheck.Kind.sectorBounds(index: info.index, id: info.id)
        let sizeAt = at(info.infoOffset + L.sectorSizeOffset)
        guard Int32(bitPattern: info.size) > 0 else {
            add(kind, .failed, "its size 0x\(hex(info.size, digits: 1)) (at \(sizeAt)) is not a positive 32-bit number", offset: info.infoOffset)
            return false
        }
        let wrappedEnd = info.offset &+ info.size
        let exactEnd = Int(info.offset) + Int(info.size)
        let span = "offset 0x\(hex(info.offset, digits: 1)) + size 0x\(hex(info.size, digits: 1)) (at \(sizeAt))"
        if Int(wrappedEnd) > count {
            if complete {
                add(kind, .failed, "\(span) ends at \(at(exactEnd)), past the end of the image at \(at(count))", offset: info.infoOffset)
            } else {
                add(kind, .notChecked, "\(span) ends at \(at(exactEnd)); only \(count) bytes are here", offset: info.infoOffset)
            }
            return false
        }
        if exactEnd != Int(wrappedEnd) {
            add(kind, .passed,
                "\(span) ends past 4 GiB; the loader's 32-bit sum wraps around to 0x\(hex(wrappedEnd, digits: 1)) and lets it through",
                offset: info.infoOffset)
        } else {
            add(kind, .passed, "\(span) ends at \(at(exactEnd)), within the image", offset: info.infoOffset)
        }
        return true
    }

    /// Inflate (zlib) or take 64 KiB (stored), then MD5 (docs/sos-protocol.md §C3, §C4).
    mutating func checkDigest(_ info: FirmwareSectorInfo, boundsPassed: Bool) {
        let kind = FirmwareCheck.Kind.sectorDigest(index: info.index, id: info.id)
        let expectedAt = at(info.infoOffset + L.sectorDigestOffset)
        let start = Int(info.offset)
        if info.isStored {
            let what = "the stored sector is \(L.sectorSize) bytes from \(at(start)) and"
            guard let data = image.slice(at: start, length: L.sectorSize) else {
                beyondEnd(kind, needs: start + L.sectorSize, what: what,
                          past: "the loader hashes memory past the image (a stored sector is always 64 KiB, whatever its size says)",
                          offset: start)
                return
            }
            compare(kind, Insecure.MD5.hash(data: data.rawBytes), info: info, expectedAt: expectedAt,
                    what: "the \(L.sectorSize) bytes stored at \(at(start))")
            return
        }
        guard Int32(bitPattern: info.size) > 0 else {
            add(kind, .notChecked, "not checked: its size is not positive", offset: start)
            return
        }
        guard let data = image.slice(at: start, length: Int(info.size)) else {
            if boundsPassed {
                // Only a wrapped 32-bit sum lets a sector past the end through.
                add(kind, .failed, "its data at \(at(start)) lies outside the image; the loader inflates whatever memory is there", offset: start)
            } else if complete {
                add(kind, .notChecked, "not checked: its data lies past the end of the image", offset: start)
            } else {
                add(kind, .notChecked, "its data needs the bytes up to \(at(start + Int(info.size))); only \(count) bytes are here", offset: start)
            }
            return
        }
        let result = inflater.inflate(data.rawBytes) { output in
            (Insecure.MD5.hash(data: output), output.count)
        }
        switch result {
        case .failure(let failure):
            add(kind, .failed, "the zlib data at \(at(start)) (\(info.size) bytes) does not inflate: \(failure)", offset: start)
        case .success(let (digest, inflated)):
            let short = inflated < L.sectorSize ? ", fewer than a 64 KiB sector" : ""
            compare(kind, digest, info: info, expectedAt: expectedAt,
                    what: "the \(inflated) bytes\(short) inflated from \(info.size) at \(at(start))")
        }
    }

    mutating func compare(_ kind: FirmwareCheck.Kind, _ digest: Insecure.MD5Digest, info: FirmwareSectorInfo, expectedAt: String, what: String) {
        let found = HexDigest(digest)
        if found == info.digest {
            add(kind, .passed, "MD5 of \(what) is \(found), as its sector info says", offset: Int(info.offset))
        } else {
            add(kind, .failed, "MD5 of \(what) is \(found); its sector info says \(info.digest) (at \(expectedAt))", offset: Int(info.offset))
        }
    }

    // MARK: What the loader would write

    mutating func checkWritableSectors(_ header: FirmwareImageHeader) {
        let written = sectors.filter(\.isWritten)
        let skipped = sectors.filter { !$0.isWritten }.map { String($0.id) }
        let allRead = sectors.count == Int(header.sectorCount)
        let skippedText = skipped.isEmpty ? "" : "; skipped: ids \(skipped.joined(separator: ", ")) (the loader never rewrites its bootloader, 0 and 1, or itself, 3 and 4)"
        if header.sectorCount == 0 {
            add(.writableSectors, .failed, "the header lists no sectors", offset: L.sectorCountOffset)
        } else if !written.isEmpty {
            add(.writableSectors, .passed, "\(written.count) sectors written\(skippedText)")
        } else if allRead {
            add(.writableSectors, .failed, "every sector is one the loader refuses to write\(skippedText)")
        } else {
            add(.writableSectors, .notChecked, "no sector it would write among the \(sectors.count) read so far\(skippedText)")
        }
    }
}
