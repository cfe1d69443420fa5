/// Phones by MAC address: a dictionary with a 4,096-bit filter in front.
/// Most frames a diagnosis asks about come from a MAC it does not follow
/// (every ARP of a busy segment); the filter turns those away with one
/// load and a mask, where the dictionary would hash the address first
/// (its seeded hash was 1.3 % of `analyze` on the 1 GiB benchmark). Only
/// grows: the diagnoses never forget a phone.
struct MACIndex: Sendable {
    private var indices: [MACAddress: Int] = [:]
    private var filter = [UInt64](repeating: 0, count: 64)

    var count: Int { indices.count }

    subscript(mac: MACAddress) -> Int? {
        let bit = Self.bit(mac)
        guard filter[bit >> 6] & 1 << (bit & 63) != 0 else { return nil }
        return indices[mac]
    }

    mutating func insert(_ mac: MACAddress, _ index: Int) {
        let bit = Self.bit(mac)
        filter[bit >> 6] |= 1 << (bit & 63)
        indices[mac] = index
    }

    /// A 12-bit hash of the address (a multiplicative one: the filter's
    /// false positives only cost the dictionary's lookup).
    private static func bit(_ mac: MACAddress) -> Int {
        Int(truncatingIfNeeded: (mac.rawValue &* 0x9E37_79B9_7F4A_7C15) >> 52)
    }
}
