import Crypto
import Testing
@testable import SOSDump
import SOSDumpSimulation

/// Every check on a valid image, then one corruption per check: each must
/// fail on exactly its corruption, so the whole list of outcomes is compared.
@Suite struct FirmwareVerificationTests {
    struct Outcome: Equatable, CustomStringConvertible {
        var kind: FirmwareCheck.Kind
        var status: FirmwareCheck.Status
        var description: String { "\(kind): \(status.rawValue)" }
    }

    static func outcomes(_ v: FirmwareVerification) -> [Outcome] {
        v.checks.map { Outcome(kind: $0.kind, status: $0.status) }
    }

    static let ids: [UInt16] = [0, 3, 32, 33, 34]

    /// The outcomes of the standard valid image, with `changes` applied.
    static func expected(_ changes: [FirmwareCheck.Kind: FirmwareCheck.Status] = [:]) -> [Outcome] {
        var kinds: [FirmwareCheck.Kind] = [.magic, .totalLength, .version, .layout, .ramWindow, .headerDigest, .headerRandseq]
        for (i, id) in ids.enumerated() {
            kinds += [.sectorBounds(index: i, id: id), .sectorDigest(index: i, id: id)]
        }
        kinds.append(.writableSectors)
        return kinds.map { Outcome(kind: $0, status: changes[$0] ?? .passed) }
    }

    static func bounds(_ i: Int) -> FirmwareCheck.Kind { .sectorBounds(index: i, id: ids[i]) }
    static func digest(_ i: Int) -> FirmwareCheck.Kind { .sectorDigest(index: i, id: ids[i]) }

    static let valid = FirmwareImageBuilder().build()

    func verify(_ image: BuiltImage, _ extent: FirmwareVerification.Extent = .complete) -> FirmwareVerification {
        FirmwareVerification(image.bytes, extent: extent)
    }

    // MARK: The valid image

    @Test func validImagePassesEveryCheck() {
        let v = verify(Self.valid)
        #expect(Self.outcomes(v) == Self.expected())
        #expect(v.verdict == .accepted)
        #expect(v.version == "7.6.2g")
        #expect(v.sectors.map(\.id) == Self.ids)
        #expect(v.sectors.map(\.isStored) == [false, true, true, false, false])
        #expect(v.header?.hashedLength == UInt32(0x80 + 5 * 64))
        let written = v.checks.first { $0.kind == .writableSectors }
        #expect(written?.detail == "3 sectors written; skipped: ids 0, 3 (the loader never rewrites its bootloader, 0 and 1, or itself, 3 and 4)")
    }

    @Test func headerHashesKnownAnswers() {
        // Python's hashlib over the same bytes, zeroing and adding 19·i by hand.
        let bytes = (0..<256).map { UInt8($0) }
        bytes.withUnsafeBytes { raw in
            #expect(FirmwareHeaderHash.digest(raw, length: 0xA0).description == "867cacd810d5d710ffc7f94fe1d579c3")
            #expect(FirmwareHeaderHash.randseq(raw, length: 0xA0).description == "3a0821fe5714f25ec8d41213bb449f7a")
        }
        // Longer than the 4 KiB scratch: the adder runs on across chunks.
        let long = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        long.withUnsafeBytes { raw in
            #expect(FirmwareHeaderHash.randseq(raw, length: 5000).description == "1ced61cdc8ba73420167931c178bbeff")
        }
    }

    // MARK: One corruption per check

    @Test func flippedDigest() {
        var image = Self.valid
        image.flip(at: 0x30)
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([.headerDigest: .failed]))
        guard case .rejected(let check) = v.verdict else { Issue.record("not rejected"); return }
        #expect(check.loaderMessage == "incorrect firmware digest")
        #expect(check.offset == 0x30)
    }

    @Test func flippedRandseqShowsAsDigestUnlessResealed() {
        var image = Self.valid
        image.flip(at: 0x4F)
        // The digest covers the randseq: the loader says `incorrect firmware digest`.
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([.headerDigest: .failed, .headerRandseq: .failed]))
        if case .rejected(let check) = v.verdict { #expect(check.kind == .headerDigest) } else { Issue.record("not rejected") }

        // A digest recomputed over the wrong randseq: only the randseq fails.
        let resealedDigest = resealDigestOnly(image)
        let w = verify(resealedDigest)
        #expect(Self.outcomes(w) == Self.expected([.headerRandseq: .failed]))
        if case .rejected(let check) = w.verdict { #expect(check.loaderMessage == "incorrect firmware randseq") } else { Issue.record("not rejected") }
    }

    /// The digest over the current bytes, randseq left as it is.
    func resealDigestOnly(_ image: BuiltImage) -> BuiltImage {
        var image = image
        let randseq = Array(image.bytes[0x40..<0x50])
        image.reseal()
        image.bytes.replaceSubrange(0x40..<0x50, with: randseq)
        var region = Array(image.bytes[0..<0x80 + 5 * 64])
        for i in 0x10..<0x40 { region[i] = 0 }
        let digest = region.withUnsafeBytes { FirmwareHeaderHash.digest($0, length: region.count) }
        image.bytes.replaceSubrange(0x30..<0x40, with: digest.bytes)
        return image
    }

    @Test func flippedStoredSectorByte() {
        var image = Self.valid
        image.flip(at: image.data[2].offset + 1000)
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([Self.digest(2): .failed]))
        guard case .rejected(let check) = v.verdict else { Issue.record("not rejected"); return }
        #expect(check.loaderMessage == "Sector 32 digest error")
        #expect(check.detail.contains("MD5 of the 65536 bytes stored at byte 0x"))
    }

    @Test func flippedByteInSkippedSectorStillRejects() {
        // The loader validates sectors it will not write.
        var image = Self.valid
        image.flip(at: image.data[1].offset + 5)
        #expect(Self.outcomes(verify(image)) == Self.expected([Self.digest(1): .failed]))
    }

    @Test func flippedZlibSectorByte() {
        var image = Self.valid
        image.flip(at: image.data[3].offset + image.data[3].length / 2, mask: 0xFF)
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([Self.digest(3): .failed]))
        #expect(v.checks.first { $0.kind == Self.digest(3) }?.loaderMessage == "Sector 33 digest error")
    }

    @Test func flippedSectorMD5Resealed() {
        var image = Self.valid
        image.flip(at: image.infoOffsets[4] + 12)
        image.reseal()
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([Self.digest(4): .failed]))
        #expect(v.checks.first { $0.kind == Self.digest(4) }?.detail.contains("its sector info says") == true)
    }

    @Test func flippedSectorMD5NotResealed() {
        var image = Self.valid
        image.flip(at: image.infoOffsets[4] + 12)
        #expect(Self.outcomes(verify(image)) == Self.expected([.headerDigest: .failed, .headerRandseq: .failed, Self.digest(4): .failed]))
    }

    @Test func badZlibHeader() {
        var image = Self.valid
        image.bytes[image.data[3].offset] = 0x79  // CMF: the FCHECK no longer holds
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([Self.digest(3): .failed]))
        #expect(v.checks.first { $0.kind == Self.digest(3) }?.detail.hasSuffix("zlib: incorrect header check") == true)
    }

    @Test func badAdler32() {
        var image = Self.valid
        let (offset, length) = image.data[4]
        image.flip(at: offset + length - 1)
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([Self.digest(4): .failed]))
        #expect(v.checks.first { $0.kind == Self.digest(4) }?.detail.hasSuffix("zlib: incorrect data check") == true)
    }

    @Test func zlibStreamCutShortAndTrailingBytes() {
        // A size one byte short: the stream ends early. One byte more: ignored, as the loader does.
        var short = Self.valid
        short.setU32(UInt32(short.data[3].length - 1), at: short.infoOffsets[3] + 4)
        short.reseal()
        let v = verify(short)
        #expect(Self.outcomes(v) == Self.expected([Self.digest(3): .failed]))
        #expect(v.checks.first { $0.kind == Self.digest(3) }?.detail.hasSuffix("the zlib stream ends early: the data is cut off") == true)

        var long = Self.valid
        long.setU32(UInt32(long.data[3].length + 1), at: long.infoOffsets[3] + 4)
        long.reseal()
        #expect(Self.outcomes(verify(long)) == Self.expected())
    }

    @Test func zlibSectorLargerThan64KiB() {
        var builder = FirmwareImageBuilder()
        builder.sectors[3].content += [1, 2, 3]
        let v = FirmwareVerification(builder.build().bytes)
        #expect(Self.outcomes(v) == Self.expected([Self.digest(3): .failed]))
        #expect(v.checks.first { $0.kind == Self.digest(3) }?.detail.hasSuffix("it inflates to more than 65536 bytes, the loader's limit") == true)
    }

    @Test func offsetPastTheEnd() {
        var image = Self.valid
        image.setU32(UInt32(image.count), at: image.infoOffsets[3] + 8)
        image.reseal()
        let v = verify(image)
        // The data cannot be inflated: its digest is not checked.
        #expect(Self.outcomes(v) == Self.expected([Self.bounds(3): .failed, Self.digest(3): .notChecked]))
        guard case .rejected(let check) = v.verdict else { Issue.record("not rejected"); return }
        #expect(check.loaderMessage == "Invalid sector info len")
        #expect(check.offset == image.infoOffsets[3])
    }

    @Test func storedSectorPastTheEndFailsBoth() {
        // A stored sector is hashed as 64 KiB whatever its size: past the end, the loader hashes other memory.
        var image = Self.valid
        image.setU32(UInt32(image.count - 10), at: image.infoOffsets[2] + 8)
        image.setU32(10, at: image.infoOffsets[2] + 4)
        image.reseal()
        #expect(Self.outcomes(verify(image)) == Self.expected([Self.digest(2): .failed]))
        image.setU32(20, at: image.infoOffsets[2] + 4)
        image.reseal()
        #expect(Self.outcomes(verify(image)) == Self.expected([Self.bounds(2): .failed, Self.digest(2): .failed]))
    }

    @Test func oversizeAndZeroSize() {
        for size: UInt32 in [0x8000_0000, 0xFFFF_FFFF, 0] {
            var image = Self.valid
            image.setU32(size, at: image.infoOffsets[4] + 4)
            image.reseal()
            let v = verify(image)
            #expect(Self.outcomes(v) == Self.expected([Self.bounds(4): .failed, Self.digest(4): .notChecked]), "size \(size)")
            #expect(v.checks.first { $0.kind == Self.bounds(4) }?.detail.contains("is not a positive 32-bit number") == true)
        }
    }

    @Test func thirtyTwoBitWrapPassesTheLoadersBoundsButNotItsDigest() {
        var image = Self.valid
        image.setU32(0xFFFF_FF00, at: image.infoOffsets[3] + 8)
        image.setU32(0x200, at: image.infoOffsets[3] + 4)
        image.reseal()
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([Self.digest(3): .failed]))
        #expect(v.checks.first { $0.kind == Self.bounds(3) }?.detail.contains("wraps around to 0x100") == true)
    }

    @Test func badSectorInfoSizeField() {
        var image = Self.valid
        image.setU32(0x20, at: 0x54)
        image.reseal()
        // The loader hashes 5 × 0x20 bytes of sector infos but reads them 64 apart: only the layout check sees it.
        #expect(Self.outcomes(verify(image)) == Self.expected([.layout: .failed]))
        image.setU32(0x40, at: 0x54)
        image.setU32(0x60, at: 0x50)
        image.reseal()
        let v = verify(image)
        #expect(v.checks.first { $0.kind == .layout }?.status == .failed)
    }

    @Test func tooLargeForTheLoadersMemory() {
        var image = Self.valid
        image.bytes += [UInt8](repeating: 0, count: FirmwareImageLayout.ramWindow)
        image.setU32(UInt32(image.count), at: 0x58)
        image.reseal()
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([.ramWindow: .failed]))
        guard case .rejected(let check) = v.verdict else { Issue.record("not rejected"); return }
        #expect(check.kind == .ramWindow && check.loaderMessage == nil)
    }

    @Test func wrongMagicTheLoaderAccepts() {
        var image = Self.valid
        image.bytes[0] = UInt8(ascii: "X")
        image.reseal()
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([.magic: .failed]))
        #expect(v.verdict == .accepted)
    }

    @Test func wrongTotalLengthTheLoaderAccepts() {
        var image = Self.valid
        image.setU32(UInt32(image.count + 1), at: 0x58)
        image.reseal()
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([.totalLength: .failed]))
        #expect(v.verdict == .accepted)
        #expect(v.checks[1].detail.hasSuffix("the last 1 are missing"))
    }

    @Test func unreadableVersion() {
        var image = Self.valid
        image.bytes[0x5C] = 0xFF
        image.reseal()
        #expect(Self.outcomes(verify(image)) == Self.expected([.version: .failed]))
    }

    @Test func onlyProtectedSectors() {
        let builder = FirmwareImageBuilder(sectors: Array(FirmwareImageBuilder.standardSectors.prefix(2)))
        let v = FirmwareVerification(builder.build().bytes)
        let expected: [Outcome] = [.magic, .totalLength, .version, .layout, .ramWindow, .headerDigest, .headerRandseq,
                                   .sectorBounds(index: 0, id: 0), .sectorDigest(index: 0, id: 0),
                                   .sectorBounds(index: 1, id: 3), .sectorDigest(index: 1, id: 3)]
            .map { Outcome(kind: $0, status: .passed) } + [Outcome(kind: .writableSectors, status: .failed)]
        #expect(Self.outcomes(v) == expected)
        #expect(v.verdict == .accepted)
    }

    @Test func cutShortCompleteImage() {
        // The loader received fewer bytes than the image has: the last sector is past the end.
        var image = Self.valid
        image.bytes.removeLast(100)
        let v = verify(image)
        #expect(Self.outcomes(v) == Self.expected([.totalLength: .failed, Self.bounds(4): .failed, Self.digest(4): .notChecked]))
    }

    // MARK: Partial images

    @Test func prefixInsideTheHeader() {
        for n in [0, 10, 16, 100, 127] {
            let v = verify(BuiltImage(bytes: Array(Self.valid.bytes.prefix(n)), infoOffsets: [], data: []), .prefix)
            let magic: FirmwareCheck.Status = n >= 16 ? .passed : .notChecked
            #expect(Self.outcomes(v) == [
                Outcome(kind: .magic, status: magic), Outcome(kind: .totalLength, status: .notChecked),
                Outcome(kind: .headerDigest, status: .notChecked), Outcome(kind: .headerRandseq, status: .notChecked),
                Outcome(kind: .sectorInfos(from: 0), status: .notChecked),
            ], "prefix \(n)")
            guard case .incomplete(let check) = v.verdict else { Issue.record("prefix \(n): \(v.verdict)"); continue }
            #expect(check.kind == .headerDigest)
            #expect(check.detail == "not checked: the header is 128 bytes, only \(n) are here")
        }
    }

    @Test func prefixInsideTheSectorInfos() {
        let n = 0x80 + 2 * 64 + 10
        let v = verify(BuiltImage(bytes: Array(Self.valid.bytes.prefix(n)), infoOffsets: [], data: []), .prefix)
        #expect(Self.outcomes(v) == [
            Outcome(kind: .magic, status: .passed), Outcome(kind: .totalLength, status: .notChecked),
            Outcome(kind: .version, status: .passed), Outcome(kind: .layout, status: .passed),
            Outcome(kind: .ramWindow, status: .passed),
            Outcome(kind: .headerDigest, status: .notChecked), Outcome(kind: .headerRandseq, status: .notChecked),
            Outcome(kind: Self.bounds(0), status: .notChecked), Outcome(kind: Self.digest(0), status: .notChecked),
            Outcome(kind: Self.bounds(1), status: .notChecked), Outcome(kind: Self.digest(1), status: .notChecked),
            Outcome(kind: .sectorInfos(from: 2), status: .notChecked),
            Outcome(kind: .writableSectors, status: .notChecked),
        ])
        let infos = v.checks.first { $0.kind == .sectorInfos(from: 2) }
        #expect(infos?.detail == "sector infos #2–#4 start at byte 0x100 and need the bytes up to byte 0x11c; only \(n) bytes are here")
    }

    @Test func prefixInsideASector() {
        // Inside sector #2's data: #0 and #1 are whole and checked, the rest wait.
        let n = Self.valid.data[2].offset + 1000
        let v = verify(BuiltImage(bytes: Array(Self.valid.bytes.prefix(n)), infoOffsets: [], data: []), .prefix)
        #expect(Self.outcomes(v) == Self.expected([
            .totalLength: .notChecked,
            Self.bounds(2): .notChecked, Self.digest(2): .notChecked,
            Self.bounds(3): .notChecked, Self.digest(3): .notChecked,
            Self.bounds(4): .notChecked, Self.digest(4): .notChecked,
        ]))
        guard case .incomplete(let check) = v.verdict else { Issue.record("\(v.verdict)"); return }
        #expect(check.kind == Self.bounds(2))
        // The same bytes as a complete image: the loader would reject them.
        guard case .rejected(let rejected) = verify(BuiltImage(bytes: Array(Self.valid.bytes.prefix(n)), infoOffsets: [], data: [])).verdict
        else { Issue.record("not rejected"); return }
        #expect(rejected.kind == Self.bounds(2))
    }

    @Test func prefixWithADamagedSectorIsAlreadyRejected() {
        var image = Self.valid
        image.flip(at: image.data[1].offset + 3)
        let v = verify(BuiltImage(bytes: Array(image.bytes.prefix(image.data[3].offset + 10)), infoOffsets: [], data: []), .prefix)
        guard case .rejected(let check) = v.verdict else { Issue.record("\(v.verdict)"); return }
        #expect(check.kind == Self.digest(1))
    }

    @Test func everyCutNeverCrashesAndIsNeverAccepted() {
        // Every length through the sector infos, then a sample of lengths inside the sectors.
        let bytes = Self.valid.bytes
        var lengths = Array(0...(0x80 + 5 * 64 + 4))
        lengths += stride(from: lengths.count, to: bytes.count, by: 1999)
        for n in lengths {
            let cut = Array(bytes.prefix(n))
            for extent in [FirmwareVerification.Extent.complete, .prefix] {
                let v = FirmwareVerification(cut, extent: extent)
                switch (extent, v.verdict) {
                case (.complete, .rejected), (.prefix, .incomplete): break
                case let other: Issue.record("cut at \(n): \(other)")
                }
            }
        }
    }

    // MARK: Hostile headers

    @Test func hostileCountsAndLengths() {
        for (offset, value) in [(0x7C, UInt32.max), (0x50, UInt32.max - 15), (0x54, UInt32.max), (0x50, 0), (0x7C, 100_000)] {
            var image = Self.valid
            image.setU32(value, at: offset)
            let v = verify(image)
            guard case .rejected = v.verdict else { Issue.record("field 0x\(String(offset, radix: 16)) = \(value): \(v.verdict)"); continue }
            #expect(v.checks.count < 2 * FirmwareVerification.maximumSectorsChecked + 20)
        }
    }

    @Test func tooManySectorsAreNotAllChecked() {
        // 5000 sector infos all naming the same stored 64 KiB: the loader would
        // accept it; sosdump stops at its limit and says so.
        var image = BuiltImage(bytes: [UInt8](repeating: 0, count: 0x80 + 5000 * 64), infoOffsets: [], data: [])
        image.bytes.replaceSubrange(0..<16, with: FirmwareImageLayout.magic)
        image.setU32(0x80, at: 0x50)
        image.setU32(64, at: 0x54)
        image.setU32(5000, at: 0x7C)
        image.bytes.replaceSubrange(0x5C..<0x62, with: Array("7.6.2g".utf8))
        let dataOffset = image.count
        let content = SectorSpec.content(seed: 9)
        image.bytes += content
        let md5 = Insecure.MD5.hash(data: content)
        for i in 0..<5000 {
            let info = 0x80 + 64 * i
            image.setU16(40, at: info)
            image.setU16(1, at: info + 2)
            image.setU32(0x10000, at: info + 4)
            image.setU32(UInt32(dataOffset), at: info + 8)
            image.bytes.replaceSubrange(info + 12..<info + 28, with: Array(md5))
        }
        image.setU32(UInt32(image.count), at: 0x58)
        image.reseal()
        let v = verify(image)
        let limit = FirmwareVerification.maximumSectorsChecked
        #expect(v.checks.filter { $0.status == .failed }.isEmpty)
        #expect(v.checks.contains { $0.kind == .sectorInfos(from: limit) && $0.status == .notChecked })
        guard case .incomplete(let check) = v.verdict else { Issue.record("\(v.verdict)"); return }
        #expect(check.kind == .sectorInfos(from: limit))
    }

    @Test func randomDamageNeverCrashes() {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<300 {
            var image = Self.valid
            for _ in 0..<Int(generator.next() % 4 + 1) {
                // Mostly the header and sector infos, where the lengths live.
                let offset = generator.next() % 3 == 0 ? Int(generator.next() % UInt64(image.count)) : Int(generator.next() % 0x1C0)
                image.bytes[offset] = UInt8(truncatingIfNeeded: generator.next())
            }
            _ = verify(image)
            _ = verify(image, .prefix)
        }
    }

    @Test func descriptionOfForeignFiles() {
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 200)
        let v = FirmwareVerification(zip)
        #expect(v.checks[0].detail == "it starts with 50 4b 03 04 00 00 00 00: a zip archive (the vendor's bundle?): give the phone the .bin inside it, not SkOsMo5 fIrMwArE")
        let exe: [UInt8] = Array("MZ".utf8) + [UInt8](repeating: 0x90, count: 200)
        #expect(FirmwareVerification(exe).checks[0].detail.contains("a Windows program"))
    }
}
