/// The names of Cisco 79xx firmware loads, read as values and ordered, and
/// the upgrade-path rule that says when a phone cannot go straight from
/// the load it runs to the one it is offered.
///
/// A load id names the protocol, the phone family and the release:
///
/// ```
///  SCCP45.9-4-2SR3-1S    SCCP, family 45 (7945, 7965), 9.4(2)SR3, build 1S
///  SIP41.8-5-2S          SIP, family 41 (7941, 7961), 8.5(2)
///  term45.default        the factory default load of a 7945 (a file name, no release)
///  P00308010200          7940/7960 SCCP: 08 01 02 00 -> 8.1(2)
///  P0S3-08-12-00         7940/7960 SIP: 8.12(0)
/// ```
///
/// Releases are ordered by their numbers, then the service release (none
/// before SR1); the build suffix after the last `-` (`-1S`, `-3S`) does not
/// change the release. Names end in `.loads` on the TFTP server and never
/// in a configuration file; both are read.
public struct PhoneLoadID: Sendable, Hashable, CustomStringConvertible {
    /// The name as written (without `.loads`).
    public var name: String
    public var kind: Kind

    public enum Kind: Sendable, Hashable {
        /// `SCCP45.9-4-2SR3-1S`, `SIP45…`: the newer phones' loads.
        case versioned(protocol: PhoneProtocol, family: String, release: LoadRelease, build: String?)
        /// `termNN.default`: the factory default load of model 79NN.
        case termDefault(model: String)
        /// `P003…` (SCCP), `P0S3…` (SIP), `P0M3…` (MGCP): 7940 and 7960.
        case legacy(protocol: PhoneProtocol, release: LoadRelease)
    }

    public var description: String { name }

    /// The release, when the name carries one.
    public var release: LoadRelease? {
        switch kind {
        case .versioned(_, _, let r, _), .legacy(_, let r): r
        case .termDefault: nil
        }
    }

    public var phoneProtocol: PhoneProtocol? {
        switch kind {
        case .versioned(let p, _, _, _), .legacy(let p, _): p
        case .termDefault: nil
        }
    }

    /// Reads a load id or its `.loads` file name; nil for anything else.
    public init?(_ text: String) {
        var name = Substring(text)
        if name.lowercased().hasSuffix(".loads") { name = name.dropLast(6) }
        guard !name.isEmpty else { return nil }
        self.name = String(name)
        if let k = Self.versioned(name) ?? Self.termDefault(name) ?? Self.legacy(name) {
            kind = k
        } else {
            return nil
        }
    }

    static func versioned(_ name: Substring) -> Kind? {
        let proto: PhoneProtocol
        var rest: Substring
        if name.hasPrefix("SCCP") {
            proto = .sccp
            rest = name.dropFirst(4)
        } else if name.hasPrefix("SIP") {
            proto = .sip
            rest = name.dropFirst(3)
        } else {
            return nil
        }
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        let family = rest[..<dot]
        guard !family.isEmpty, family.allSatisfy(\.isASCIIDigit) else { return nil }
        rest = rest[rest.index(after: dot)...]
        // 9-4-2SR3-1S: major, minor, maintenance with an optional SRn, then the build.
        let parts = rest.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        let third = parts[2]
        let digits = third.prefix(while: \.isASCIIDigit)
        guard let maintenance = Int(digits) else { return nil }
        var tail = third.dropFirst(digits.count)
        var sr: Int?
        if tail.hasPrefix("SR") {
            let n = tail.dropFirst(2).prefix(while: \.isASCIIDigit)
            guard let value = Int(n) else { return nil }
            sr = value
            tail = tail.dropFirst(2 + n.count)
        }
        // What follows the numbers in the third part (`3S` in 8-3-3S) and any later parts are the build.
        let buildParts = (tail.isEmpty ? [] : [String(tail)]) + parts.dropFirst(3).map(String.init)
        let release = LoadRelease(major: major, minor: minor, maintenance: maintenance, serviceRelease: sr)
        return .versioned(protocol: proto, family: String(family), release: release,
                          build: buildParts.isEmpty ? nil : buildParts.joined(separator: "-"))
    }

    static func termDefault(_ name: Substring) -> Kind? {
        guard name.lowercased().hasPrefix("term"), name.lowercased().hasSuffix(".default") else { return nil }
        let model = name.dropFirst(4).dropLast(8)
        guard model.count == 2, model.allSatisfy(\.isASCIIDigit) else { return nil }
        return .termDefault(model: String(model))
    }

    /// `P003xxyyzzww`: two digits each; `P0S3-xx-yy-zz` (and `P0M3`): parts after dashes.
    static func legacy(_ name: Substring) -> Kind? {
        guard name.count > 4, name.hasPrefix("P0") else { return nil }
        let p = name[name.index(name.startIndex, offsetBy: 2)]
        guard name[name.index(name.startIndex, offsetBy: 3)] == "3" else { return nil }
        let proto: PhoneProtocol
        switch p {
        case "0": proto = .sccp
        case "S": proto = .sip
        case "M": proto = .mgcp
        default: return nil
        }
        let rest = name.dropFirst(4)
        var numbers: [Int]
        if rest.hasPrefix("-") {
            numbers = rest.dropFirst().split(separator: "-").map { Int($0.prefix(while: \.isASCIIDigit)) ?? -1 }
        } else {
            let digits = Array(rest.prefix(while: \.isASCIIDigit))
            guard digits.count >= 6 else { return nil }
            numbers = stride(from: 0, to: 6, by: 2).map { Int(String(digits[$0...$0 + 1])) ?? -1 }
        }
        guard numbers.count >= 3, numbers.prefix(3).allSatisfy({ $0 >= 0 }) else { return nil }
        return .legacy(protocol: proto, release: LoadRelease(major: numbers[0], minor: numbers[1], maintenance: numbers[2]))
    }
}

/// The call-control protocol a load speaks.
public enum PhoneProtocol: String, Sendable, Hashable, Codable {
    case sccp = "SCCP"
    case sip = "SIP"
    case mgcp = "MGCP"
}

/// A release: 9.4(2)SR3. Ordered by the numbers, then the service release.
public struct LoadRelease: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var maintenance: Int
    /// SRn; nil for none (before SR1).
    public var serviceRelease: Int?

    public init(major: Int, minor: Int, maintenance: Int, serviceRelease: Int? = nil) {
        self.major = major
        self.minor = minor
        self.maintenance = maintenance
        self.serviceRelease = serviceRelease
    }

    /// Reads "9.4(2)SR3", "8.5(2)", "9.4.2" or "9-4-2SR3"; nil for anything else.
    public init?(_ text: String) {
        var t = Substring(text)
        var sr: Int?
        if let r = t.range(of: "SR") {
            guard let n = Int(t[r.upperBound...]) else { return nil }
            sr = n
            t = t[..<r.lowerBound]
        }
        let parts = t.split(whereSeparator: { ".-()".contains($0) })
        guard parts.count == 3, let a = Int(parts[0]), let b = Int(parts[1]), let c = Int(parts[2]) else { return nil }
        self.init(major: a, minor: b, maintenance: c, serviceRelease: sr)
    }

    public static func < (a: LoadRelease, b: LoadRelease) -> Bool {
        (a.major, a.minor, a.maintenance, a.serviceRelease ?? 0) < (b.major, b.minor, b.maintenance, b.serviceRelease ?? 0)
    }

    /// Cisco's way: 9.4(2)SR3.
    public var description: String { "\(major).\(minor)(\(maintenance))" + (serviceRelease.map { "SR\($0)" } ?? "") }
}

// MARK: - The upgrade path

/// A rule that keeps a phone from going straight from one load to another.
public enum UpgradePathRule: String, Sendable, Hashable, Codable {
    /// The signing keys changed: loads 8.3(3) through 8.5(2) accept the old
    /// and the new key; a phone below 8.3(3) refuses a load above 8.5(2)
    /// ("Auth Fail"). Newer phones (SCCP/SIP 4x, 7x, 11, 31).
    case signingKeyChange = "signing-key-change"
    /// 7940/7960: 8.1(2) and later need 8.1(1) installed first ("File auth error").
    case legacyFileAuthentication = "legacy-file-authentication"
}

/// The step a phone needs between the load it runs and the one it is
/// offered: install a load within `through` first, then the target.
public struct UpgradeStep: Sendable, Hashable {
    public var rule: UpgradePathRule
    public var running: LoadRelease
    public var target: LoadRelease
    /// A load in this range goes in between.
    public var through: ClosedRange<LoadRelease>

    /// The releases the signing-key rule names.
    public static let bothKeys = LoadRelease(major: 8, minor: 3, maintenance: 3)...LoadRelease(major: 8, minor: 5, maintenance: 2)
    public static let legacyStep = LoadRelease(major: 8, minor: 1, maintenance: 1)
    static let legacyNeedsStep = LoadRelease(major: 8, minor: 1, maintenance: 2)

    /// The step needed to go from `running` to `target`; nil when the
    /// phone can go straight there (or the names do not say).
    public static func needed(from running: PhoneLoadID, to target: PhoneLoadID) -> UpgradeStep? {
        switch (running.kind, target.kind) {
        case (.versioned(_, _, let r, _), .versioned(_, _, let t, _)):
            guard r < bothKeys.lowerBound, t > bothKeys.upperBound else { return nil }
            return UpgradeStep(rule: .signingKeyChange, running: r, target: t, through: bothKeys)
        case (.legacy(_, let r), .legacy(_, let t)):
            guard r < legacyStep, t >= legacyNeedsStep else { return nil }
            return UpgradeStep(rule: .legacyFileAuthentication, running: r, target: t, through: legacyStep...legacyStep)
        default:
            return nil
        }
    }
}
