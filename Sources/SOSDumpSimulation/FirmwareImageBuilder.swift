import CSystemZlib
import Crypto
import SOSDump

// Writes SPA30x/SPA50x "KOSMOS" firmware images byte by byte, as
// docs/sos-protocol.md §C describes them, for the tests and for the simulator
// (sosdump-sim): no vendor image is ever committed. The sealing (digest, randseq) is written here from the spec,
// apart from the library's, so that a mistake in one does not hide in the
// other. Every offset is remembered, so a test can damage one field and say
// which check must fail.

/// One sector to put in an image.
public struct SectorSpec: Sendable {
    public var id: UInt16
    public var stored: Bool
    /// The 64 KiB written to flash.
    public var content: [UInt8]

    public init(id: UInt16, stored: Bool, content: [UInt8]) {
        self.id = id
        self.stored = stored
        self.content = content
    }

    /// 64 KiB that compress well but not to nothing: text with a counter.
    public static func content(seed: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(FirmwareImageLayout.sectorSize)
        var n = seed
        while bytes.count < FirmwareImageLayout.sectorSize {
            bytes += Array("sector \(seed) line \(n) of the test firmware; ".utf8)
            n &+= 7
        }
        return Array(bytes.prefix(FirmwareImageLayout.sectorSize))
    }
}

/// An image and where its parts are.
public struct BuiltImage: Sendable {
    public var bytes: [UInt8]
    /// Byte offset of each sector info.
    public var infoOffsets: [Int]
    /// Byte offset and length of each sector's data.
    public var data: [(offset: Int, length: Int)]

    public init(bytes: [UInt8], infoOffsets: [Int], data: [(offset: Int, length: Int)]) {
        self.bytes = bytes
        self.infoOffsets = infoOffsets
        self.data = data
    }

    public var count: Int { bytes.count }

    public func u32(at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    public mutating func setU32(_ value: UInt32, at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
    }

    public mutating func setU16(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    public mutating func flip(at offset: Int, mask: UInt8 = 0x01) { bytes[offset] ^= mask }

    /// Recomputes the randseq, then the digest, over the length the header
    /// now declares, as the vendor's tool (or anyone editing an image) does.
    public mutating func reseal() {
        let hashed = Int(u32(at: 0x50) &+ u32(at: 0x7C) &* u32(at: 0x54))
        precondition(hashed <= bytes.count, "reseal: the header hashes bytes past the image")
        var region = Array(bytes[0..<hashed])
        for i in 0x10..<0x50 where i < hashed { region[i] = 0 }
        var adder: UInt8 = 0
        let shifted = region.map { b -> UInt8 in
            defer { adder &+= 19 }
            return b &+ adder
        }
        let randseq = Array(Insecure.MD5.hash(data: shifted))
        bytes.replaceSubrange(0x40..<0x50, with: randseq)
        region = Array(bytes[0..<hashed])
        for i in 0x10..<0x40 where i < hashed { region[i] = 0 }
        bytes.replaceSubrange(0x30..<0x40, with: Array(Insecure.MD5.hash(data: region)))
    }
}

/// Lays out header, sector infos, then the sectors' data, contiguous, as 7.6.2f does.
public struct FirmwareImageBuilder: Sendable {
    public var version = "7.6.2g"
    public var sectors: [SectorSpec]

    /// ids 0 (zlib) and 3 (stored), which the loader skips, then 32 (stored),
    /// 33 and 34 (zlib), which it writes.
    public static let standardSectors = [
        SectorSpec(id: 0, stored: false, content: SectorSpec.content(seed: 0)),
        SectorSpec(id: 3, stored: true, content: SectorSpec.content(seed: 3)),
        SectorSpec(id: 32, stored: true, content: SectorSpec.content(seed: 32)),
        SectorSpec(id: 33, stored: false, content: SectorSpec.content(seed: 33)),
        SectorSpec(id: 34, stored: false, content: SectorSpec.content(seed: 34)),
    ]

    public init(sectors: [SectorSpec] = FirmwareImageBuilder.standardSectors) {
        self.sectors = sectors
    }

    public func build() -> BuiltImage {
        let headerLength = 0x80
        let infosEnd = headerLength + 64 * sectors.count
        var payloads: [[UInt8]] = []
        for sector in sectors {
            payloads.append(sector.stored ? sector.content : compress(sector.content))
        }
        var image = BuiltImage(bytes: [UInt8](repeating: 0, count: infosEnd), infoOffsets: [], data: [])
        image.bytes.replaceSubrange(0..<16, with: Array("SkOsMo5 fIrMwArE".utf8))
        for i in 0x10..<0x30 { image.bytes[i] = UInt8(truncatingIfNeeded: i * 37) }  // a signature nobody checks
        image.setU32(UInt32(headerLength), at: 0x50)
        image.setU32(64, at: 0x54)
        let versionBytes = Array(version.utf8.prefix(31))
        image.bytes.replaceSubrange(0x5C..<0x5C + versionBytes.count, with: versionBytes)
        image.setU32(UInt32(sectors.count), at: 0x7C)
        for (i, sector) in sectors.enumerated() {
            let info = headerLength + 64 * i
            let offset = image.bytes.count
            image.infoOffsets.append(info)
            image.data.append((offset, payloads[i].count))
            image.setU16(sector.id, at: info)
            image.setU16(sector.stored ? 1 : 0, at: info + 2)
            image.setU32(UInt32(payloads[i].count), at: info + 4)
            image.setU32(UInt32(offset), at: info + 8)
            image.bytes.replaceSubrange(info + 12..<info + 28, with: Array(Insecure.MD5.hash(data: sector.content)))
            image.bytes += payloads[i]
        }
        image.setU32(UInt32(image.bytes.count), at: 0x58)
        image.reseal()
        return image
    }
}

/// zlib's compress2 (zlib header and Adler-32 trailer), as the vendor's images use.
public func compress(_ input: [UInt8], level: Int32 = 9) -> [UInt8] {
    var length = compressBound(uLong(input.count))
    var output = [UInt8](repeating: 0, count: Int(length))
    let status = output.withUnsafeMutableBufferPointer { out in
        input.withUnsafeBufferPointer { inp in
            compress2(out.baseAddress, &length, inp.baseAddress, uLong(inp.count), level)
        }
    }
    precondition(status == Z_OK, "compress2 failed: \(status)")
    return Array(output.prefix(Int(length)))
}
