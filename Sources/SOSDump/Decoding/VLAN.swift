/// IEEE 802.1Q VLAN tags, and their stacking as IEEE 802.1ad (QinQ)
/// service tags, to any depth.
///
/// ```
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  TPID 0x8100/0x88a8/0x9100    | PCP |D|        VLAN ID        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// The TPID is the EtherType field of the frame (or of the tag before);
/// the 16-bit type after the TCI is the next tag's TPID or the payload's
/// EtherType.

/// One tag: its TPID and its Tag Control Information.
public struct VLANTag: Sendable, Equatable {
    public var tpid: EtherType
    /// Priority code point (IEEE 802.1p), 0–7.
    public var priority: UInt8
    /// Drop eligible indicator.
    public var dropEligible: Bool
    /// VLAN identifier, 0–4095 (0: priority tag only).
    public var id: UInt16
}

/// Every VLAN tag of a frame, outermost first, as a view over their bytes:
/// any depth, no allocation.
public struct VLANTags {
    /// The tags' bytes: the first TPID is not in here (it is the link
    /// header's type field), so each tag is its TCI followed by the next type.
    var bytes: ByteView?
    var firstTPID: EtherType

    public static var none: VLANTags { VLANTags(bytes: nil, firstTPID: EtherType(rawValue: 0)) }


    init(bytes: ByteView?, firstTPID: EtherType) {
        self.bytes = bytes
        self.firstTPID = firstTPID
    }

    public var count: Int { (bytes?.count ?? 0) / 4 }
    public var isEmpty: Bool { count == 0 }

    public subscript(index: Int) -> VLANTag {
        precondition(index >= 0 && index < count, "VLAN tag index out of range")
        // Both reads are within `bytes`, whose count is a multiple of 4.
        let tci = bytes?.uint16(at: index * 4) ?? 0
        let tpid = index == 0 ? firstTPID : EtherType(rawValue: bytes?.uint16(at: index * 4 - 2) ?? 0)
        return VLANTag(tpid: tpid, priority: UInt8(tci >> 13), dropEligible: tci & 0x1000 != 0, id: tci & 0x0FFF)
    }

    public var all: [VLANTag] { (0..<count).map { self[$0] } }

    /// Reads the tags that start at `view` when the type field before it was
    /// `type`. Returns the tags, the EtherType under them and the payload.
    /// With no tag, returns at once with `view` unchanged.
    public static func decode(_ view: ByteView, type: EtherType) throws(DecodeProblem) -> (VLANTags, etherType: EtherType, payload: ByteView) {
        guard type.isVLANTag else { return (.none, type, view) }
        var offset = 0
        var next = type
        while next.isVLANTag {
            guard let t = view.uint16(at: offset + 2) else { throw .missing(offset + 4, in: view) }
            next = EtherType(rawValue: t)
            offset += 4
        }
        // Both succeed: offset bytes were read above.
        guard let tagBytes = view.slice(at: 0, length: offset), let payload = view.dropFirst(offset) else {
            throw .missing(offset, in: view)
        }
        return (VLANTags(bytes: tagBytes, firstTPID: type), next, payload)
    }
}
