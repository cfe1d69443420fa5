import Crypto

#if canImport(Glibc)
import Glibc
#endif

/// Pseudonyms for what identifies a network in a capture: MAC addresses,
/// IPv4 and IPv6 addresses, serial numbers and host names. Each is a pure
/// function of a secret key and the original value, so the same original
/// gets the same pseudonym in every frame, in every payload and in the
/// report (`analyze --redact`), whatever order they are met in; with the
/// same key, in every run. The key never leaves the machine (see
/// `PseudonymKey`); without it a pseudonym cannot be turned back.
///
/// What each keeps (docs/share.md):
///
/// - a MAC keeps its first three bytes (the maker's OUI); the last three
///   are a keyed permutation (a Feistel network over 24 bits, keyed by the
///   OUI too), so two MACs never share a pseudonym. Group (multicast and
///   broadcast) MACs and 00:00:00:00:00:00 are kept.
/// - an IPv4 address keeps its first octet (and the rest of a private or
///   link-local prefix: 172.16/12, 192.168/16, 169.254/16, 100.64/10) and
///   its last octet; the bits between are replaced prefix-preservingly (as
///   Crypto-PAn does: each bit is flipped by a keyed function of the bits
///   before it), so two addresses that share a /8 to /24 prefix share the
///   same length of pseudonym prefix, and a /24's broadcast address stays
///   one. 0.0.0.0/8, 127/8, multicast, 240/4 and 255.255.255.255 (so the
///   S.O.S. group 234.4.8.10) are kept.
/// - an IPv6 address keeps its first 16 bits, its /64 prefix is replaced
///   prefix-preservingly and its interface identifier by a keyed 64-bit
///   permutation; link-local fe80::/64 keeps its prefix; ::, ::1 and
///   multicast are kept.
/// - a serial or host name keeps its length and each character's class
///   (digit, capital, small letter; anything else is kept), its characters
///   drawn from a keyed hash of the whole name; a name `SEP` + 12 hex
///   digits (a Cisco phone's device name) becomes `SEP` + the MAC's
///   pseudonym, so it stays its phone's name.
///
/// Pseudonyms are computed, not stored: the caches are only for speed and
/// are bounded.
public struct Pseudonyms {
    let key: SymmetricKey
    private var macCache: [MACAddress: MACAddress] = [:]
    private var ipv4Cache: [IPv4Address: IPv4Address] = [:]
    /// Entries kept in each cache; beyond, pseudonyms are computed again.
    static let cacheLimit = 1 << 16

    public init(key: PseudonymKey) { self.key = SymmetricKey(data: key.bytes) }

    // MARK: MAC

    /// The pseudonym of a MAC address.
    public mutating func mac(_ m: MACAddress) -> MACAddress {
        if let known = macCache[m] { return known }
        let result = Self.keeps(m) ? m : computeMAC(m)
        if macCache.count < Self.cacheLimit { macCache[m] = result }
        return result
    }

    /// Group addresses and the all-zero address are kept.
    static func keeps(_ m: MACAddress) -> Bool { m.isMulticast || m.rawValue == 0 }

    private func computeMAC(_ m: MACAddress) -> MACAddress {
        let oui = m.rawValue >> 24
        var left = UInt32(truncatingIfNeeded: m.rawValue >> 12) & 0xFFF
        var right = UInt32(truncatingIfNeeded: m.rawValue) & 0xFFF
        for round in 0..<4 {
            let f = prf("mac", [UInt8(round)] + bytes(oui, count: 3) + bytes(UInt64(right), count: 2))
            (left, right) = (right, left ^ (UInt32(f[0]) << 4 | UInt32(f[1]) >> 4))
        }
        return MACAddress(rawValue: oui << 24 | UInt64(left) << 12 | UInt64(right))
    }

    // MARK: IPv4

    /// The pseudonym of an IPv4 address.
    public mutating func ipv4(_ a: IPv4Address) -> IPv4Address {
        if let known = ipv4Cache[a] { return known }
        let kept = Self.keptPrefixLength(a)
        var result = a
        if kept < 24 {
            var out = a.rawValue
            for bit in kept..<24 {
                let prefix = bit == 0 ? 0 : a.rawValue >> (32 - UInt32(bit))
                let flip = prf("ipv4", [UInt8(bit)] + bytes(UInt64(prefix), count: 4))[0] & 1
                out ^= UInt32(flip) << (31 - UInt32(bit))
            }
            result = IPv4Address(rawValue: out)
        }
        if ipv4Cache.count < Self.cacheLimit { ipv4Cache[a] = result }
        return result
    }

    /// How many leading bits of `a` are kept: 32 for the addresses kept
    /// whole, else the first octet or a private prefix.
    static func keptPrefixLength(_ a: IPv4Address) -> Int {
        let first = a.rawValue >> 24
        switch first {
        case 0, 127, 224...255: return 32
        case 172 where (a.rawValue >> 20) & 0xF == 1: return 12
        case 192 where (a.rawValue >> 16) & 0xFF == 168: return 16
        case 169 where (a.rawValue >> 16) & 0xFF == 254: return 16
        case 100 where (a.rawValue >> 22) & 0x3 == 1: return 10
        default: return 8
        }
    }

    // MARK: IPv6

    /// The pseudonym of an IPv6 address.
    public func ipv6(_ a: IPv6Address) -> IPv6Address {
        if a.isMulticast || a.high == 0 && a.low <= 1 { return a }
        var high = a.high
        if high != 0xFE80_0000_0000_0000 {
            for bit in 16..<64 {
                let prefix = a.high >> (64 - UInt64(bit))
                let flip = prf("ipv6", [UInt8(bit)] + bytes(prefix, count: 8))[0] & 1
                high ^= UInt64(flip) << (63 - UInt64(bit))
            }
        }
        var left = UInt32(truncatingIfNeeded: a.low >> 32)
        var right = UInt32(truncatingIfNeeded: a.low)
        for round in 0..<4 {
            let f = prf("iid", [UInt8(round)] + bytes(UInt64(right), count: 4))
            (left, right) = (right, left ^ (UInt32(f[0]) << 24 | UInt32(f[1]) << 16 | UInt32(f[2]) << 8 | UInt32(f[3])))
        }
        return IPv6Address(high: high, low: UInt64(left) << 32 | UInt64(right))
    }

    // MARK: Names

    /// The pseudonym of a serial number or host name, as bytes of the same
    /// length: each digit, capital and small letter replaced by one of its
    /// class; a device name `SEP` + 12 hex digits by `SEP` + its MAC's pseudonym.
    public mutating func name(_ original: [UInt8]) -> [UInt8] {
        if let mac = Self.deviceNameMAC(original) {
            return Array(original.prefix(3)) + Self.hex(self.mac(mac), lowercase: original[3...].contains { (0x61...0x66).contains($0) })
        }
        var stream = prf("name", original)
        var out = original
        var used = 0
        for (i, c) in original.enumerated() {
            if used == stream.count {
                stream = prf("name+", stream)
                used = 0
            }
            let r = Int(stream[used])
            switch c {
            case 0x30...0x39: out[i] = UInt8(0x30 + r % 10)
            case 0x41...0x5A: out[i] = UInt8(0x41 + r % 26)
            case 0x61...0x7A: out[i] = UInt8(0x61 + r % 26)
            default: continue
            }
            used += 1
        }
        return out
    }

    /// The MAC of a device name: `SEP` (or `SIP`, `CIP`) and 12 hex digits.
    static func deviceNameMAC(_ name: [UInt8]) -> MACAddress? {
        guard name.count == 15, [Array("SEP".utf8), Array("SIP".utf8), Array("CIP".utf8)].contains(Array(name.prefix(3))) else { return nil }
        return macFromHex(name[3...])
    }

    /// The MAC written as 12 hex digits, either case.
    static func macFromHex(_ digits: ArraySlice<UInt8>) -> MACAddress? {
        guard digits.count == 12 else { return nil }
        var v: UInt64 = 0
        for c in digits {
            guard let n = hexValue(c) else { return nil }
            v = v << 4 | UInt64(n)
        }
        return MACAddress(rawValue: v)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    /// 12 hex digits.
    static func hex(_ m: MACAddress, lowercase: Bool) -> [UInt8] {
        let digits = Array((lowercase ? "0123456789abcdef" : "0123456789ABCDEF").utf8)
        return (0..<12).map { digits[Int(m.rawValue >> (44 - 4 * UInt64($0)) & 0xF)] }
    }

    // MARK: The keyed function

    private func prf(_ domain: String, _ input: [UInt8]) -> [UInt8] {
        var h = HMAC<SHA256>(key: key)
        h.update(data: Array(domain.utf8) + [0])
        h.update(data: input)
        return Array(h.finalize())
    }

    private func bytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
    }
}

/// The secret that keys every pseudonym: 32 random bytes. The same key
/// gives the same pseudonyms in every run (`share` and `analyze --redact`
/// agree, and a second capture of the same network posted later uses the
/// same names); a new key gives new ones.
public struct PseudonymKey: Sendable, Equatable {
    public static let length = 32
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count >= 16 else { return nil }
        self.bytes = bytes
    }

    /// A new key from the system's random source.
    public static func random() -> PseudonymKey {
        var g = SystemRandomNumberGenerator()
        return PseudonymKey(bytes: (0..<length).map { _ in UInt8.random(in: 0...255, using: &g) })!
    }

    /// The key in the file at `path`; when the file does not exist, a new
    /// key is made and written there (mode 0600, its folder made too).
    public static func load(path: String, create: Bool) throws(PseudonymKeyError) -> PseudonymKey {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n >= 0 else { throw PseudonymKeyError(path: path, reason: systemErrorMessage(errno)) }
            guard let key = PseudonymKey(bytes: Array(buffer.prefix(n))) else {
                throw PseudonymKeyError(path: path, reason: "holds \(n) bytes; a key needs at least 16")
            }
            return key
        }
        guard errno == ENOENT, create else { throw PseudonymKeyError(path: path, reason: systemErrorMessage(errno)) }
        var folder = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/").dropLast() {
            folder += part
            _ = mkdir(folder, 0o700)
            folder += "/"
        }
        let key = random()
        let out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw PseudonymKeyError(path: path, reason: systemErrorMessage(errno)) }
        defer { close(out) }
        let written = key.bytes.withUnsafeBytes { write(out, $0.baseAddress, $0.count) }
        guard written == key.bytes.count else { throw PseudonymKeyError(path: path, reason: systemErrorMessage(errno)) }
        return key
    }
}

/// The key file could not be read or made: its path and why.
public struct PseudonymKeyError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): pseudonym key: \(reason)" }
}
