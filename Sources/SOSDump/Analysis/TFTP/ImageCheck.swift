/// What the phone's loader and the catalog make of a file: the loader's
/// checks in its order (`FirmwareVerification`) and the catalog's word
/// (`FirmwareIdentification`), as values. Analysis decides on these; the
/// report layer words them (`FirmwareReport`, `ImageRecord`).
public struct ImageCheck: Sendable {
    /// The file name the image came under (a TFTP request's, or a path).
    public var file: String
    public var verification: FirmwareVerification
    public var identification: FirmwareIdentification

    public init(file: String, verification: FirmwareVerification, identification: FirmwareIdentification) {
        self.file = file
        self.verification = verification
        self.identification = identification
    }

    /// What the loader does with it.
    public enum LoaderOutcome: String, Sendable, Equatable {
        /// It passes every check the loader makes.
        case accepted
        /// A check the loader makes fails: it is not written.
        case rejected
        /// Part of the image is missing, so not every check can be made.
        case incomplete
    }

    public var loader: LoaderOutcome {
        switch verification.verdict {
        case .accepted: .accepted
        case .rejected: .rejected
        case .incomplete: .incomplete
        }
    }

    /// The header's version text, when readable.
    public var version: String? { verification.version }

    /// The file is the vendor's bundle (a zip), not the image inside it.
    public var isBundle: Bool {
        if case .bundle = identification { return true }
        return false
    }
}

/// Which transfers carried a firmware image, and their checks.
public enum TransferredImage {
    /// Whether `t` looks like it carried a firmware image: its first bytes
    /// are the image magic, or it is a `.bin` the phone had reason to take
    /// for one — an SPA firmware name (`spa…bin`) or a transfer in the
    /// S.O.S. shape (requested from a multicast group) — since a damaged
    /// image, or the wrong file, is still what the phone was sent.
    public static func isCandidate(_ t: TFTPTransfer) -> Bool {
        let magic = FirmwareImageLayout.magic
        let bytes = t.file.keptPrefix
        if bytes.count >= magic.count, bytes.prefix(magic.count).elementsEqual(magic) { return true }
        let name = FirmwareCatalog.baseName(t.fileName).lowercased()
        guard name.hasSuffix(".bin"), t.file.blocksCaptured > 0 else { return false }
        return name.hasPrefix("spa") || t.requestDestination.address.isMulticast
    }

    /// Whether a file of this name may be checked as an image whatever its
    /// first bytes (`isCandidate`): its bytes are kept from the start.
    public static func mayBeImage(fileName: String) -> Bool {
        FirmwareCatalog.baseName(fileName).lowercased().hasSuffix(".bin")
    }

    /// Verifies the kept bytes of `t` as the loader would — all of them when
    /// the file was captured whole, else its unbroken first part as a
    /// partial image — and names the result from `catalog`. Nil when the
    /// transfer did not carry an image or none of it was kept.
    public static func examine(_ t: TFTPTransfer, catalog: FirmwareCatalog) -> ImageCheck? {
        guard isCandidate(t) else { return nil }
        let whole = t.file.isKeptWhole
        let prefix = t.file.keptPrefix
        guard !prefix.isEmpty else { return nil }
        // The transfer's digests cover exactly the kept bytes when it was kept whole.
        var digests: (sha256: HexDigest, md5: HexDigest)?
        if whole, let d = t.digests, let sha256 = HexDigest(hex: d.sha256), let md5 = d.md5.flatMap(HexDigest.init(hex:)) {
            digests = (sha256, md5)
        }
        let verification = prefix.withUnsafeBytes { raw in
            FirmwareVerification(raw, extent: whole ? .complete : .prefix, digests: digests)
        }
        let identification = catalog.identify(verification, fileName: t.fileName)
        return ImageCheck(file: t.fileName, verification: verification, identification: identification)
    }
}
