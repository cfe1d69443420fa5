/// What a diagnosis followed in a capture: the phones (by MAC), the
/// addresses they had, and the identifiers they gave (serial numbers).
/// `sosdump share` keeps the frames of these hosts and scrubs these
/// identifiers wherever they appear; a new diagnosis says what it followed
/// by the same value (`Diagnosis.followed`), so its phones are shared too.
///
/// Bounded by the diagnoses' own limits: a diagnosis follows at most its
/// `maxPhones` phones, each with a bounded list of addresses.
public struct FollowedTraffic: Sendable, Equatable {
    /// The phones' MAC addresses.
    public var macs: Set<MACAddress> = []
    /// Every IPv4 address a phone had.
    public var addresses: Set<IPv4Address> = []
    /// Identifiers the phones sent that are neither an address nor a MAC
    /// (serial numbers), as they were on the wire.
    public var identifiers: Set<[UInt8]> = []

    public init() {}

    /// Both together (one capture, several diagnoses).
    public mutating func formUnion(_ other: FollowedTraffic) {
        macs.formUnion(other.macs)
        addresses.formUnion(other.addresses)
        identifiers.formUnion(other.identifiers)
    }

    /// Whether nothing was followed.
    public var isEmpty: Bool { macs.isEmpty && addresses.isEmpty }
}
