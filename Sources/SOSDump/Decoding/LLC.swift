/// IEEE 802.2 Logical Link Control, and SNAP (RFC 1042), as found in IEEE
/// 802.3 frames (an Ethernet length field instead of an EtherType).
///
/// SNAP with OUI 00-00-00, which RFC 1042 uses to carry an EtherType, is
/// decoded on. Any other frame (STP; CDP, which is SNAP with Cisco's OUI
/// 00-00-0C and PID 0x2000) keeps its header and the bytes after it
/// (`NetworkLayer.llc`) for the decoders above.
public struct LLCHeader: Sendable, Equatable {
    public var dsap: UInt8
    public var ssap: UInt8
    /// One byte for U-format PDUs, two for I- and S-format.
    public var control: UInt16
    /// SNAP organisation code and protocol id, when DSAP and SSAP are 0xAA.
    public var snap: (oui: UInt32, protocolID: UInt16)?

    public static func == (a: LLCHeader, b: LLCHeader) -> Bool {
        a.dsap == b.dsap && a.ssap == b.ssap && a.control == b.control
            && a.snap?.oui == b.snap?.oui && a.snap?.protocolID == b.snap?.protocolID
    }

    /// The EtherType an RFC 1042 SNAP header carries, if this is one.
    public var encapsulatedEtherType: EtherType? {
        guard let snap, snap.oui == 0 else { return nil }
        return EtherType(rawValue: snap.protocolID)
    }

    public static func decode(_ view: ByteView) throws(DecodeProblem) -> (LLCHeader, payload: ByteView) {
        guard let dsap = view.uint8(at: 0), let ssap = view.uint8(at: 1), let c0 = view.uint8(at: 2) else {
            throw .missing(3, in: view)
        }
        var length = 3
        var control = UInt16(c0)
        if c0 & 0x03 != 0x03 {
            guard let c1 = view.uint8(at: 3) else { throw .missing(4, in: view) }
            control = UInt16(c0) << 8 | UInt16(c1)
            length = 4
        }
        var header = LLCHeader(dsap: dsap, ssap: ssap, control: control, snap: nil)
        if dsap == 0xAA, ssap == 0xAA, length == 3 {
            guard let oui = view.uint32(at: 2), let pid = view.uint16(at: 6) else { throw .missing(8, in: view) }
            header.snap = (oui & 0x00FF_FFFF, pid)
            length = 8
        }
        guard let payload = view.dropFirst(length) else { throw .missing(length, in: view) }
        return (header, payload)
    }
}
