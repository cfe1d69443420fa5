import Foundation

/// Known SPA30x/SPA50x firmware: images (`.bin`) and the vendor's bundles
/// (`.zip`) by SHA-256, so that a rebuilt image can be named (docs/firmware.md).
///
/// The JSON form, which users' catalogs are written in:
///
/// ```json
/// {
///   "format": "sosdump-firmware-catalog",
///   "version": 1,
///   "images": [
///     {"release": "7.6.2SR7", "image_version": "7.6.2g", "file": "spa50x-30x-7-6-2g.bin",
///      "size": 4396588, "sha256": "…", "md5": "…", "origin": "bundle SPA30x_SPA50x_7.6.2SR7_FW.zip …"}
///   ],
///   "bundles": [
///     {"release": "7.6.2SR7", "file": "SPA30x_SPA50x_7.6.2SR7_FW.zip", "size": 4898613,
///      "sha256": "d9f1…", "origin": "…"}
///   ]
/// }
/// ```
public struct FirmwareCatalog: Codable, Sendable, Equatable {
    public static let formatName = "sosdump-firmware-catalog"
    public static let formatVersion = 1

    public var format: String
    public var version: Int
    /// One entry per SHA-256, in the order they were first added.
    public private(set) var images: [Image] = []
    public private(set) var bundles: [Bundle] = []
    /// Where each SHA-256 is in `images` and `bundles`: adding, merging and
    /// looking up cost one hash each, so loading a catalog of n images is
    /// linear (a scan per entry made 100,000 images take 53 s).
    private var imageIndex: [HexDigest: Int] = [:]
    private var bundleIndex: [HexDigest: Int] = [:]

    /// A catalog file larger than this is refused unread: 32 MiB is some
    /// 80,000 entries, far more than the vendor ever released.
    public static let maximumFileSize = 32 << 20

    /// A firmware image, the `.bin` the phone is given.
    public struct Image: Codable, Sendable, Equatable {
        /// The vendor's release name (`7.6.2SR7`), when known (from a bundle).
        public var release: String?
        /// The version in the image's header (`7.6.2g`).
        public var imageVersion: String?
        /// Its file name (`spa50x-30x-7-6-2g.bin`).
        public var file: String
        public var size: Int
        public var sha256: HexDigest
        public var md5: HexDigest?
        /// Where the entry came from, in words.
        public var origin: String?

        public init(release: String?, imageVersion: String?, file: String, size: Int, sha256: HexDigest, md5: HexDigest?, origin: String?) {
            self.release = release
            self.imageVersion = imageVersion
            self.file = file
            self.size = size
            self.sha256 = sha256
            self.md5 = md5
            self.origin = origin
        }

        enum CodingKeys: String, CodingKey {
            case release, imageVersion = "image_version", file, size, sha256, md5, origin
        }
    }

    /// A vendor's firmware bundle: the zip that holds the `.bin`, the
    /// upgrade `.exe` and the recovery `.exe`.
    public struct Bundle: Codable, Sendable, Equatable {
        public var release: String?
        public var file: String
        public var size: Int
        public var sha256: HexDigest
        public var origin: String?

        public init(release: String?, file: String, size: Int, sha256: HexDigest, origin: String?) {
            self.release = release
            self.file = file
            self.size = size
            self.sha256 = sha256
            self.origin = origin
        }
    }

    public init(images: [Image] = [], bundles: [Bundle] = []) {
        format = Self.formatName
        version = Self.formatVersion
        for image in images { add(image) }
        for bundle in bundles { add(bundle) }
    }

    public static func == (a: FirmwareCatalog, b: FirmwareCatalog) -> Bool {
        a.format == b.format && a.version == b.version && a.images == b.images && a.bundles == b.bundles
    }

    enum CodingKeys: String, CodingKey { case format, version, images, bundles }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        version = try c.decode(Int.self, forKey: .version)
        // Through `add`, so a file that names a SHA-256 twice keeps its last entry.
        for image in try c.decodeIfPresent([Image].self, forKey: .images) ?? [] { add(image) }
        for bundle in try c.decodeIfPresent([Bundle].self, forKey: .bundles) ?? [] { add(bundle) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format, forKey: .format)
        try c.encode(version, forKey: .version)
        try c.encode(images, forKey: .images)
        try c.encode(bundles, forKey: .bundles)
    }

    // MARK: Sources

    /// The catalog that ships with sosdump: the known vendor bundles.
    public static let builtIn: FirmwareCatalog = {
        do {
            return try decode(Data(builtInJSON.utf8), source: "built-in catalog")
        } catch {
            // The tests decode it; a broken literal must not take the program down.
            return FirmwareCatalog()
        }
    }()

    /// Where a user's catalog lives: `$XDG_DATA_HOME/sosdump/catalog.json`,
    /// else `$HOME/.local/share/sosdump/catalog.json` (the XDG base directory
    /// rule: a relative `XDG_DATA_HOME` is ignored). Nil without either.
    public static func userCatalogPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return data + "/sosdump/catalog.json"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + "/.local/share/sosdump/catalog.json"
        }
        return nil
    }

    /// The built-in catalog with the user's added: the file at `path`
    /// (default: ``userCatalogPath(environment:)``). A user catalog that does
    /// not exist yet is no error; one that cannot be read or decoded is.
    public static func withUserCatalog(at path: String? = userCatalogPath()) throws(FirmwareCatalogError) -> FirmwareCatalog {
        guard let path, FileManager.default.fileExists(atPath: path) else { return builtIn }
        return builtIn.merging(try load(path: path))
    }

    public static func decode(_ data: Data, source: String) throws(FirmwareCatalogError) -> FirmwareCatalog {
        let catalog: FirmwareCatalog
        do {
            catalog = try JSONDecoder().decode(FirmwareCatalog.self, from: data)
        } catch let error as DecodingError {
            throw FirmwareCatalogError(path: source, kind: .notACatalog(Self.explain(error)))
        } catch {
            throw FirmwareCatalogError(path: source, kind: .notACatalog("\(error)"))
        }
        guard catalog.format == formatName else { throw FirmwareCatalogError(path: source, kind: .wrongFormat(catalog.format)) }
        guard catalog.version == formatVersion else { throw FirmwareCatalogError(path: source, kind: .unsupportedVersion(catalog.version)) }
        return catalog
    }

    private static func explain(_ error: DecodingError) -> String {
        func place(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .dataCorrupted(let c): return "\(c.debugDescription)\(place(c.codingPath))"
        case .keyNotFound(let key, let c): return "missing \"\(key.stringValue)\"\(place(c.codingPath))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(c.debugDescription)\(place(c.codingPath))"
        @unknown default: return "\(error)"
        }
    }

    /// Reads a catalog file: a regular file of at most `maximumFileSize`
    /// bytes (never a FIFO or a device, which could block or never end).
    public static func load(path: String) throws(FirmwareCatalogError) -> FirmwareCatalog {
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw FirmwareCatalogError(path: path, kind: .cannotRead("not a regular file"))
            }
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            data = try handle.read(upToCount: maximumFileSize + 1) ?? Data()
        } catch let error as FirmwareCatalogError {
            throw error
        } catch {
            throw FirmwareCatalogError(path: path, kind: .cannotRead(Self.reason(error)))
        }
        guard data.count <= maximumFileSize else {
            throw FirmwareCatalogError(path: path, kind: .cannotRead("larger than \(maximumFileSize >> 20) MiB, more than any catalog"))
        }
        return try decode(data, source: path)
    }

    /// The JSON, keys sorted and indented, so a catalog diffs well.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings, numbers and hex digests only: encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    /// Writes the catalog, making its folder if needed; atomically, so a
    /// failed write leaves the old file.
    public func save(path: String) throws(FirmwareCatalogError) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var data = encoded()
            data.append(0x0A)
            try data.write(to: url, options: .atomic)
        } catch {
            throw FirmwareCatalogError(path: path, kind: .cannotWrite(Self.reason(error)))
        }
    }

    /// The system's reason for a failed read or write, in a few words
    /// ("no such file", "permission denied"), not Foundation's sentence.
    public static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileReadNoSuchFile, .fileNoSuchFile: return "no such file"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        // Foundation's word for a folder, a socket or a device it will not read.
        case .fileReadUnknown: return "not a file that can be read (a folder?)"
        case .fileWriteFileExists: return "a file of that name is in the way"
        default: return ns.localizedDescription
        }
    }

    // MARK: Entries

    /// Adds an image, replacing one with the same SHA-256. Returns whether it replaced one.
    @discardableResult
    public mutating func add(_ image: Image) -> Bool {
        Self.add(image, key: image.sha256, to: &images, index: &imageIndex)
    }

    /// Adds a bundle, replacing one with the same SHA-256. Returns whether it replaced one.
    @discardableResult
    public mutating func add(_ bundle: Bundle) -> Bool {
        Self.add(bundle, key: bundle.sha256, to: &bundles, index: &bundleIndex)
    }

    private static func add<Entry>(_ entry: Entry, key: HexDigest, to list: inout [Entry], index: inout [HexDigest: Int]) -> Bool {
        if let i = index[key] {
            list[i] = entry
            return true
        }
        index[key] = list.count
        list.append(entry)
        return false
    }

    /// This catalog with `other`'s entries added; `other`'s win for the same SHA-256.
    public func merging(_ other: FirmwareCatalog) -> FirmwareCatalog {
        var result = self
        for image in other.images { result.add(image) }
        for bundle in other.bundles { result.add(bundle) }
        return result
    }

    public func image(sha256: HexDigest) -> Image? { imageIndex[sha256].map { images[$0] } }
    public func bundle(sha256: HexDigest) -> Bundle? { bundleIndex[sha256].map { bundles[$0] } }

    // MARK: Identification

    /// Names a rebuilt or downloaded image by its SHA-256, using its
    /// verification to tell a valid unknown image from a damaged one.
    ///
    /// - `fileName`: the name the phone asked for, or the file's name; an
    ///   image that is valid but differs from the catalog's image of that
    ///   name, or of its header's version, is a `.mismatch`.
    public func identify(sha256: HexDigest, verification: FirmwareVerification?, fileName: String? = nil) -> FirmwareIdentification {
        if let image = image(sha256: sha256) { return .known(image) }
        if let bundle = bundle(sha256: sha256) { return .bundle(bundle) }
        guard let verification else { return .unknown }
        switch verification.verdict {
        case .rejected(let check): return .invalid(check)
        case .incomplete(let check): return .incomplete(check)
        case .accepted: break
        }
        if let fileName {
            let base = Self.baseName(fileName).lowercased()
            if let named = images.first(where: { Self.baseName($0.file).lowercased() == base }) { return .mismatch(expected: named) }
        }
        if let text = verification.version, let version = SPAVersion(text),
           let same = images.first(where: { $0.imageVersion.flatMap(SPAVersion.init) == version }) {
            return .mismatch(expected: same)
        }
        return .unknownValid
    }

    /// `identify` with the verification's own SHA-256.
    public func identify(_ verification: FirmwareVerification, fileName: String? = nil) -> FirmwareIdentification {
        identify(sha256: verification.sha256, verification: verification, fileName: fileName)
    }

    /// The last path component; TFTP names may use either slash (trailing
    /// ones ignored; a name of slashes only is itself). It is asked of
    /// every TFTP transfer: an ASCII name (each byte a character) is read
    /// from its end, without splitting it into an array (3 % of
    /// `transfers` on the boot storm when it split).
    static func baseName(_ path: String) -> String {
        let utf8 = path.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else {
            return String(path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? Substring(path))
        }
        func isSlash(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") }
        guard let last = utf8.lastIndex(where: { !isSlash($0) }) else { return path }
        let end = utf8.index(after: last)
        let start = utf8[..<end].lastIndex(where: isSlash).map(utf8.index(after:)) ?? utf8.startIndex
        return start == utf8.startIndex && end == utf8.endIndex ? path : String(path[start..<end])
    }
}

/// What a catalog says about some bytes.
public enum FirmwareIdentification: Sendable, Equatable {
    /// A known image: its release and origin.
    case known(FirmwareCatalog.Image)
    /// A vendor bundle (the zip), not the image inside it: the phone was
    /// given the wrong file.
    case bundle(FirmwareCatalog.Bundle)
    /// Not in the catalog, and the loader accepts it.
    case unknownValid
    /// Valid for the loader, but not the catalog's image of that file name
    /// or header version: edited, or another build under a known name.
    case mismatch(expected: FirmwareCatalog.Image)
    /// Not in the catalog, and the loader rejects it: the first failing check.
    case invalid(FirmwareCheck)
    /// Not in the catalog, and only partly there: the first check not made.
    case incomplete(FirmwareCheck)
    /// Not in the catalog, and not verified.
    case unknown
}

public struct FirmwareCatalogError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var kind: Kind

    public enum Kind: Sendable, Equatable {
        case cannotRead(String)
        case cannotWrite(String)
        /// Not JSON, or not in the catalog's shape: where and why.
        case notACatalog(String)
        /// A JSON object whose "format" is not sosdump's.
        case wrongFormat(String)
        case unsupportedVersion(Int)
    }

    public var description: String {
        switch kind {
        case .cannotRead(let reason): "\(path): cannot read: \(reason)"
        case .cannotWrite(let reason): "\(path): cannot write: \(reason)"
        case .notACatalog(let reason): "\(path): not a firmware catalog: \(reason)"
        case .wrongFormat(let format): "\(path): not a firmware catalog: its format is \"\(format)\", not \"\(FirmwareCatalog.formatName)\""
        case .unsupportedVersion(let v): "\(path): catalog version \(v) is not supported (only \(FirmwareCatalog.formatVersion))"
        }
    }
}
