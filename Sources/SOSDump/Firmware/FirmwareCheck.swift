/// One check of a firmware image: a check the phone's loader makes (with the
/// line it prints when it fails), or one sosdump adds for a person.
public struct FirmwareCheck: Sendable, Equatable {
    public enum Kind: Hashable, Sendable {
        /// Bytes 0..<16 are `SkOsMo5 fIrMwArE`. Not checked by the loader.
        case magic
        /// The header's total length equals the bytes received. Not checked by the loader.
        case totalLength
        /// The header's version is readable text. Not checked by the loader.
        case version
        /// Header length 0x80 or more and sector infos of 64 bytes, as in every
        /// known image. Not checked by the loader.
        case layout
        /// The image fits the 10 MiB between where the loader stores it and
        /// its heap. Not a check of the loader: a larger image crashes it.
        case ramWindow
        /// The loader's header MD5 (`incorrect firmware digest`).
        case headerDigest
        /// The loader's header nsdigest (`incorrect firmware randseq`).
        case headerRandseq
        /// Sector info `index`'s size and offset (`Invalid sector info len`).
        case sectorBounds(index: Int, id: UInt16)
        /// Sector `index` inflates (zlib) and its MD5 is right (`Sector %d digest error`).
        case sectorDigest(index: Int, id: UInt16)
        /// The sector infos from `index` on, which could not be read or were
        /// not checked (the image ends first, or sosdump's limit).
        case sectorInfos(from: Int)
        /// At least one sector is one the loader writes (it skips ids 0, 1, 3, 4).
        case writableSectors
    }

    public enum Status: String, Sendable, Codable {
        case passed
        case failed
        /// The bytes it needs are not there (a partial image), or sosdump's
        /// limit stopped it.
        case notChecked = "not-checked"
    }

    public var kind: Kind
    public var status: Status
    /// What was found, with byte offsets in the image.
    public var detail: String
    /// The byte offset in the image the check is about, where there is one.
    public var offset: Int?

    public init(_ kind: Kind, _ status: Status, _ detail: String, offset: Int? = nil) {
        self.kind = kind
        self.status = status
        self.detail = detail
        self.offset = offset
    }

    /// Whether the phone's loader makes this check.
    public var isLoaderCheck: Bool {
        switch kind {
        case .headerDigest, .headerRandseq, .sectorBounds, .sectorDigest, .sectorInfos: true
        case .magic, .totalLength, .version, .layout, .ramWindow, .writableSectors: false
        }
    }

    /// Whether failing it makes the recovery fail: the loader's checks, and
    /// an image too large for the loader's memory.
    public var stopsRecovery: Bool { isLoaderCheck || kind == .ramWindow }

    /// The line the loader prints when this check fails (docs/sos-protocol.md
    /// §C6); nil for sosdump's own checks and where the loader's outcome
    /// depends on memory past the image.
    public var loaderMessage: String? {
        switch kind {
        case .headerDigest: "incorrect firmware digest"
        case .headerRandseq: "incorrect firmware randseq"
        case .sectorBounds: "Invalid sector info len"
        case .sectorDigest(_, let id): "Sector \(id) digest error"
        default: nil
        }
    }

    /// A short name for listings.
    public var title: String {
        switch kind {
        case .magic: "magic"
        case .totalLength: "total length"
        case .version: "version"
        case .layout: "layout"
        case .ramWindow: "size"
        case .headerDigest: "header digest"
        case .headerRandseq: "header randseq"
        case .sectorBounds(let index, let id): "sector #\(index) (id \(id)) bounds"
        case .sectorDigest(let index, let id): "sector #\(index) (id \(id)) digest"
        case .sectorInfos(let from): "sector infos from #\(from)"
        case .writableSectors: "sectors written"
        }
    }

    /// What a failure means to a technician, in plain words (docs/firmware.md).
    public var meaning: String {
        switch kind {
        case .magic:
            "This is not a SPA30x/SPA50x firmware image: it is another model's image, or not a firmware file at all."
        case .totalLength:
            "The file is not as long as its header says: it was cut short (an interrupted download or transfer), or something was added to it."
        case .version:
            "The version field is not text: the header is damaged, or this is not a SPA30x/SPA50x image."
        case .layout:
            "The header's layout fields are unlike every known image: it is damaged, or in another format."
        case .ramWindow:
            "The image is too big for the phone's memory: the phone would crash while receiving it. It is not a SPA30x/SPA50x recovery image."
        case .headerDigest, .headerRandseq:
            "The image's header does not match its own checksum: the file was damaged (in transit or on disk) or edited. Get the image again."
        case .sectorBounds:
            "A sector lies outside the file: the file was cut short or damaged."
        case .sectorDigest:
            "A part of the image was damaged (in transit or on disk): get the image again."
        case .sectorInfos:
            "The file ends inside its list of sectors: it was cut short."
        case .writableSectors:
            "The loader would accept this image but write nothing to the phone, which would come back in recovery."
        }
    }
}

/// What the loader does with an image, from its checks.
public enum LoaderVerdict: Sendable, Equatable {
    /// Every check that decides the recovery passed: the loader prints
    /// `Validate firmware successful` and writes the image.
    case accepted
    /// A check that decides the recovery failed: the first in the loader's order.
    case rejected(FirmwareCheck)
    /// Nothing failed, but this check (the first) could not be made: the
    /// image is partial.
    case incomplete(FirmwareCheck)
}
