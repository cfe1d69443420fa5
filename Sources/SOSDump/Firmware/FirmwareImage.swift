import Crypto

/// The firmware image of Cisco SPA30x/SPA50x phones (`spa50x-30x-*.bin`,
/// "KOSMOS"), as the recovery loader reads it (docs/sos-protocol.md §C). This file
/// is the one place the layout lives. All fields are big-endian.
///
/// ```
///  0x00  16  magic "SkOsMo5 fIrMwArE"      not checked by the loader
///  0x10  32  signature                     never verified; zeroed before hashing
///  0x30  16  digest                        MD5 of bytes 0..<L, 0x10..<0x40 zeroed
///  0x40  16  randseq                       nsdigest of bytes 0..<L, 0x10..<0x50 zeroed
///  0x50   4  header length                 where sector info 0 starts (0x80)
///  0x54   4  sector-info size (0x40)       used only in L
///  0x58   4  total length                  not checked by the loader
///  0x5C  32  version, NUL-padded ("7.6.2f") not checked by the loader
///  0x7C   4  sector count
///  L = header length + sector count × sector-info size (32-bit arithmetic)
///
///  sector info i, at header length + 64·i (the stride is fixed at 64):
///  0x00   2  id: flash sector, 64 KiB units (flash 0xb0000000 + id·0x10000)
///  0x02   2  flags: bit 0 set = stored, clear = zlib
///  0x04   4  size in the image
///  0x08   4  offset from the start of the image
///  0x0C  16  MD5 of the sector as written: the inflated bytes (zlib), or
///            the 65,536 bytes at offset (stored; the size is ignored)
///  0x1C  36  unused
/// ```
public enum FirmwareImageLayout {
    public static let magic: [UInt8] = Array("SkOsMo5 fIrMwArE".utf8)
    public static let magicOffset = 0x00
    public static let signatureOffset = 0x10
    public static let digestOffset = 0x30
    public static let randseqOffset = 0x40
    public static let headerLengthOffset = 0x50
    public static let sectorInfoSizeOffset = 0x54
    public static let totalLengthOffset = 0x58
    public static let versionOffset = 0x5C
    public static let versionLength = 32
    public static let sectorCountOffset = 0x7C
    /// The fixed header: everything up to and including the sector count.
    public static let headerSize = 0x80

    /// The loader zeroes these bytes before computing the digest (signature
    /// and digest) and the randseq (signature, digest and randseq).
    public static let digestZeroed = 0x10..<0x40
    public static let randseqZeroed = 0x10..<0x50

    /// The loader steps through sector infos 64 bytes at a time, whatever
    /// the header's sector-info size says.
    public static let sectorInfoStride = 64
    public static let sectorIDOffset = 0x00
    public static let sectorFlagsOffset = 0x02
    public static let sectorSizeOffset = 0x04
    public static let sectorDataOffsetOffset = 0x08
    public static let sectorDigestOffset = 0x0C

    /// A flash sector, and so every sector as the loader writes it: 64 KiB.
    public static let sectorSize = 0x10000

    /// Sector ids the loader refuses to write: 0 and 1 (its bootloader) and
    /// 3 and 4 (the recovery code). Validation still checks them.
    public static let protectedSectorIDs: Set<UInt16> = [0, 1, 3, 4]

    /// The loader receives an image at 0xb4500000 with no bound check; its
    /// heap starts 10 MiB further on (docs/sos-protocol.md §B), so a larger image
    /// overwrites the heap.
    public static let ramWindow = 0xA0_0000
    /// The loader's HTTP download (Recovery URL, Last Upgrade URL) stops at 7 MiB.
    public static let httpLimit = 0x70_0000
}

/// The fixed header of an image, every field as read.
public struct FirmwareImageHeader: Sendable, Equatable {
    public var magic: [UInt8]
    public var digest: HexDigest
    public var randseq: HexDigest
    public var headerLength: UInt32
    public var sectorInfoSize: UInt32
    public var totalLength: UInt32
    /// The 32 bytes of the version field as they are.
    public var versionField: [UInt8]
    public var sectorCount: UInt32

    /// Reads the header from the first 128 bytes; nil when they are not all there.
    public init?(_ image: ByteView) {
        typealias L = FirmwareImageLayout
        guard let fixed = image.slice(at: 0, length: L.headerSize),
              let headerLength = fixed.uint32(at: L.headerLengthOffset),
              let sectorInfoSize = fixed.uint32(at: L.sectorInfoSizeOffset),
              let totalLength = fixed.uint32(at: L.totalLengthOffset),
              let sectorCount = fixed.uint32(at: L.sectorCountOffset),
              let magic = fixed.slice(at: L.magicOffset, length: 16),
              let digest = fixed.slice(at: L.digestOffset, length: 16),
              let randseq = fixed.slice(at: L.randseqOffset, length: 16),
              let version = fixed.slice(at: L.versionOffset, length: L.versionLength)
        else { return nil }
        self.magic = Array(magic)
        self.digest = HexDigest(digest)
        self.randseq = HexDigest(randseq)
        self.headerLength = headerLength
        self.sectorInfoSize = sectorInfoSize
        self.totalLength = totalLength
        self.versionField = Array(version)
        self.sectorCount = sectorCount
    }

    public var hasMagic: Bool { magic == FirmwareImageLayout.magic }

    /// The version text up to its first NUL, when that is printable ASCII
    /// and not empty (`7.6.2f`); nil otherwise.
    public var version: String? {
        let text = versionField.prefix { $0 != 0 }
        guard !text.isEmpty, text.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return String(decoding: text, as: UTF8.self)
    }

    /// How many bytes the header hashes cover, computed as the loader does:
    /// in 32 bits, so a huge count or size wraps around.
    public var hashedLength: UInt32 {
        headerLength &+ sectorCount &* sectorInfoSize
    }

    /// Where sector info `index` starts, exactly (no 32-bit wrap-around): nil
    /// when it is beyond what any image could hold.
    public func sectorInfoOffset(_ index: Int) -> Int? {
        let (product, o1) = index.multipliedReportingOverflow(by: FirmwareImageLayout.sectorInfoStride)
        let (sum, o2) = Int(headerLength).addingReportingOverflow(product)
        return o1 || o2 ? nil : sum
    }
}

/// One sector info, every field as read, and where it was.
public struct FirmwareSectorInfo: Sendable, Equatable {
    /// Its place in the header's list, from 0.
    public var index: Int
    /// Byte offset of the info in the image.
    public var infoOffset: Int
    /// The flash sector it is written to (64 KiB units).
    public var id: UInt16
    public var flags: UInt16
    /// Its size in the image.
    public var size: UInt32
    /// Byte offset of its data in the image.
    public var offset: UInt32
    /// MD5 of the sector as it is written to flash.
    public var digest: HexDigest

    /// Bit 0 of the flags: stored as is (64 KiB at `offset`) rather than zlib.
    public var isStored: Bool { flags & 1 != 0 }

    /// Whether the loader writes it (ids 0, 1, 3 and 4 it skips).
    public var isWritten: Bool { !FirmwareImageLayout.protectedSectorIDs.contains(id) }

    /// Reads sector info `index` at `infoOffset`; nil when its first 28
    /// bytes (the fields the loader reads) are not all there.
    public init?(_ image: ByteView, index: Int, at infoOffset: Int) {
        typealias L = FirmwareImageLayout
        guard let info = image.slice(at: infoOffset, length: L.sectorDigestOffset + 16),
              let id = info.uint16(at: L.sectorIDOffset),
              let flags = info.uint16(at: L.sectorFlagsOffset),
              let size = info.uint32(at: L.sectorSizeOffset),
              let offset = info.uint32(at: L.sectorDataOffsetOffset),
              let digest = info.slice(at: L.sectorDigestOffset, length: 16)
        else { return nil }
        self.index = index
        self.infoOffset = infoOffset
        self.id = id
        self.flags = flags
        self.size = size
        self.offset = offset
        self.digest = HexDigest(digest)
    }

    /// Where the loader's data for this sector ends, exactly: `offset + size`
    /// for zlib, `offset + 65536` for stored.
    public var dataEnd: Int {
        Int(offset) + (isStored ? FirmwareImageLayout.sectorSize : Int(size))
    }
}

/// The loader's two header hashes (docs/sos-protocol.md §C2).
public enum FirmwareHeaderHash {
    /// `gen_fmhdr_digest`: MD5 of `header[0..<length]` with the signature and
    /// digest zeroed. `header` must hold at least `length` bytes.
    public static func digest(_ header: UnsafeRawBufferPointer, length: Int) -> HexDigest {
        var md5 = Insecure.MD5()
        feed(header, length: length, zeroing: FirmwareImageLayout.digestZeroed) { md5.update(bufferPointer: $0) }
        return HexDigest(md5.finalize())
    }

    /// `gen_fmhdr_nsdigest`: MD5 of `(b[i] + 19·i) mod 256` over
    /// `header[0..<length]` with the signature, digest and randseq zeroed.
    /// The adder starts once at 0 and runs across the whole length.
    public static func randseq(_ header: UnsafeRawBufferPointer, length: Int) -> HexDigest {
        var md5 = Insecure.MD5()
        var adder: UInt8 = 0
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 1) { scratch in
            feed(header, length: length, zeroing: FirmwareImageLayout.randseqZeroed) { chunk in
                var done = 0
                while done < chunk.count {
                    let n = Swift.min(scratch.count, chunk.count - done)
                    for i in 0..<n {
                        scratch[i] = chunk[done + i] &+ adder
                        adder &+= 19
                    }
                    md5.update(bufferPointer: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
                    done += n
                }
            }
        }
        return HexDigest(md5.finalize())
    }

    /// Hands `bytes[0..<length]` to `body` in pieces, with zeros in place of `zeroed`.
    private static func feed(
        _ bytes: UnsafeRawBufferPointer, length: Int, zeroing zeroed: Range<Int>,
        _ body: (UnsafeRawBufferPointer) -> Void
    ) {
        let length = Swift.min(length, bytes.count)
        let zeroStart = Swift.min(zeroed.lowerBound, length)
        let zeroEnd = Swift.min(zeroed.upperBound, length)
        body(UnsafeRawBufferPointer(rebasing: bytes[0..<zeroStart]))
        if zeroEnd > zeroStart {
            let zeros = [UInt8](repeating: 0, count: zeroEnd - zeroStart)
            zeros.withUnsafeBytes { body($0) }
        }
        body(UnsafeRawBufferPointer(rebasing: bytes[zeroEnd..<length]))
    }
}

extension HexDigest {
    init(_ view: ByteView) { self.init(view.rawBytes) }
    init<D: Digest>(_ digest: D) { self = digest.withUnsafeBytes { HexDigest($0) } }
}
