/// Cisco Discovery Protocol, version 1 and 2: what a Cisco IP phone and
/// its switch say about themselves once a minute. There is no RFC; the
/// layout is Cisco's (the CDP chapters of the IOS configuration guides) as
/// Wireshark's and tcpdump's printers read it. It rides in IEEE 802.3
/// frames to 01:00:0c:cc:cc:cc under 802.2 LLC and SNAP with OUI 00-00-0C,
/// PID 0x2000 (`NetworkLayer.llc`).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------+---------------+-------------------------------+
/// |   version     |   TTL (s)     |           checksum            |
/// +---------------+---------------+-------------------------------+
/// |           TLV type            |  TLV length (with these 4)    |
/// +-------------------------------+-------------------------------+
/// |                      value (length - 4) ...                   |
/// ```
///
/// The checksum is the Internet checksum over the whole PDU, except for an
/// odd length: Cisco adds the last byte as the low byte of a word (0x00XX,
/// not RFC 1071's 0xXX00), and sign-extends it when its top bit is set
/// (0xFF00 | XX-1 in ones' complement; tshark 4.0 reads such a PDU as good
/// too). Both readings are accepted and told apart; the encoder writes Cisco's. What a phone sends: its device id `SEP<MAC>`,
/// its address, port, capabilities (host, phone), the running load as the
/// software version, the platform (`Cisco IP Phone 7945`), a VoIP VLAN
/// query and its power draw; the switch answers with the voice VLAN in a
/// VoIP VLAN reply.
///
/// CDP is rare on the wire, so a decoded packet owns its values.
public enum CDP {
    /// SNAP organisation code and protocol id of CDP.
    public static let oui: UInt32 = 0x00000C
    public static let protocolID: UInt16 = 0x2000
    /// The multicast address CDP is sent to.
    public static let multicast = MACAddress(rawValue: 0x0100_0CCC_CCCC)
    /// Version, TTL, checksum.
    public static let headerLength = 4
    /// A TLV's type and length.
    public static let tlvHeaderLength = 4
}

/// A CDP TLV type; the known ones named, others kept.
public struct CDPTLVType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let deviceID = CDPTLVType(rawValue: 0x0001)
    public static let addresses = CDPTLVType(rawValue: 0x0002)
    public static let portID = CDPTLVType(rawValue: 0x0003)
    public static let capabilities = CDPTLVType(rawValue: 0x0004)
    public static let softwareVersion = CDPTLVType(rawValue: 0x0005)
    public static let platform = CDPTLVType(rawValue: 0x0006)
    public static let vtpDomain = CDPTLVType(rawValue: 0x0009)
    public static let nativeVLAN = CDPTLVType(rawValue: 0x000A)
    public static let duplex = CDPTLVType(rawValue: 0x000B)
    /// The switch's answer: the voice VLAN ("appliance VLAN").
    public static let voiceVLANReply = CDPTLVType(rawValue: 0x000E)
    /// The phone's question for it.
    public static let voiceVLANQuery = CDPTLVType(rawValue: 0x000F)
    /// What the device draws, in milliwatts.
    public static let power = CDPTLVType(rawValue: 0x0010)
    public static let trustBitmap = CDPTLVType(rawValue: 0x0012)
    public static let untrustedCoS = CDPTLVType(rawValue: 0x0013)
    public static let systemName = CDPTLVType(rawValue: 0x0014)
    public static let managementAddresses = CDPTLVType(rawValue: 0x0016)

    public var name: String? {
        switch rawValue {
        case 0x0001: "Device ID"
        case 0x0002: "Addresses"
        case 0x0003: "Port ID"
        case 0x0004: "Capabilities"
        case 0x0005: "Software Version"
        case 0x0006: "Platform"
        case 0x0007: "IP Prefixes"
        case 0x0008: "Protocol Hello"
        case 0x0009: "VTP Management Domain"
        case 0x000A: "Native VLAN"
        case 0x000B: "Duplex"
        case 0x000E: "VoIP VLAN Reply"
        case 0x000F: "VoIP VLAN Query"
        case 0x0010: "Power"
        case 0x0011: "MTU"
        case 0x0012: "Trust Bitmap"
        case 0x0013: "Untrusted Port CoS"
        case 0x0014: "System Name"
        case 0x0015: "System Object ID"
        case 0x0016: "Management Addresses"
        case 0x0017: "Location"
        case 0x0019: "Power Requested"
        case 0x001A: "Power Available"
        default: nil
        }
    }

    public var description: String { name ?? "TLV 0x\(hex4(rawValue))" }
}

/// One TLV as sent: its type, where it starts in the PDU, its value bytes.
public struct CDPTLV: Sendable, Equatable {
    public var type: CDPTLVType
    /// Offset of its type field in the CDP PDU.
    public var offset: Int
    public var data: [UInt8]

    public init(type: CDPTLVType, offset: Int = 0, data: [UInt8]) {
        self.type = type
        self.offset = offset
        self.data = data
    }

    /// The value, read by the TLV's format.
    public var value: CDPValue { data.withUnsafeBytes { CDPValue(type: type, data: ByteView($0)) } }
}

/// Capability bits (TLV 0x0004).
public struct CDPCapabilities: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let router = CDPCapabilities(rawValue: 0x01)
    public static let transparentBridge = CDPCapabilities(rawValue: 0x02)
    public static let sourceRouteBridge = CDPCapabilities(rawValue: 0x04)
    public static let `switch` = CDPCapabilities(rawValue: 0x08)
    public static let host = CDPCapabilities(rawValue: 0x10)
    public static let igmp = CDPCapabilities(rawValue: 0x20)
    public static let repeater = CDPCapabilities(rawValue: 0x40)
    public static let phone = CDPCapabilities(rawValue: 0x80)
    public static let remotelyManaged = CDPCapabilities(rawValue: 0x100)

    static let names: [(CDPCapabilities, String)] = [
        (.router, "router"), (.transparentBridge, "transparent-bridge"), (.sourceRouteBridge, "source-route-bridge"),
        (.switch, "switch"), (.host, "host"), (.igmp, "igmp"), (.repeater, "repeater"), (.phone, "phone"),
        (.remotelyManaged, "remotely-managed"),
    ]

    /// The set bits by name (`host phone`), others in hex.
    public var description: String {
        var words = Self.names.filter { contains($0.0) }.map(\.1)
        let rest = rawValue & ~Self.names.reduce(0) { $0 | $1.0.rawValue }
        if rest != 0 { words.append("0x" + String(rest, radix: 16)) }
        return words.isEmpty ? "none" : words.joined(separator: " ")
    }
}

/// An address of TLV 0x0002 or 0x0016: a protocol (NLPID 0xCC for IPv4,
/// an 802.2 header ending in 0x86DD for IPv6) and its bytes.
public enum CDPAddress: Sendable, Equatable, CustomStringConvertible {
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)
    /// Any other protocol, kept as sent.
    case other(protocolType: UInt8, protocol: [UInt8], address: [UInt8])

    public var description: String {
        switch self {
        case .ipv4(let a): a.description
        case .ipv6(let a): a.description
        case .other(let t, let p, let a): "type \(t) protocol \(p.map(hex2).joined()) \(a.map(hex2).joined())"
        }
    }

    /// NLPID for IPv4.
    static let nlpidIPv4: [UInt8] = [0xCC]
    /// 802.2 LLC/SNAP header of IPv6.
    static let snapIPv6: [UInt8] = [0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00, 0x86, 0xDD]
}

/// TLV 0x000E and 0x000F: a data byte and a VLAN id. The phone asks with
/// VLAN 0 or its last one; the switch replies with the voice VLAN.
public struct CDPVoiceVLAN: Sendable, Equatable {
    public var data: UInt8
    public var vlan: UInt16
    public init(data: UInt8 = 1, vlan: UInt16) {
        self.data = data
        self.vlan = vlan
    }
}

/// A TLV's value, read by its format; a known TLV whose bytes break it
/// gives ``problem(_:)`` (the bytes stay in ``CDPTLV/data``).
public enum CDPValue: Sendable, Equatable {
    case text(String)
    case addresses([CDPAddress])
    case capabilities(CDPCapabilities)
    /// Native VLAN.
    case vlan(UInt16)
    case voiceVLAN(CDPVoiceVLAN)
    case milliwatts(UInt16)
    case fullDuplex(Bool)
    /// A TLV sosdump does not decode.
    case bytes
    case problem(CDPValueProblem)

    init(type: CDPTLVType, data: ByteView) {
        switch type {
        case .deviceID, .portID, .softwareVersion, .platform, .vtpDomain, .systemName:
            // Some senders end the text with a NUL (Wireshark reads software version as STRINGZ).
            self = .text(String(decoding: data.prefix { $0 != 0 }, as: UTF8.self))
        case .addresses, .managementAddresses:
            self = Self.addresses(data)
        case .capabilities:
            if data.count == 4, let bits = data.uint32(at: 0) {
                self = .capabilities(CDPCapabilities(rawValue: bits))
            } else {
                self = .problem(.wrongLength(length: data.count, expected: 4))
            }
        case .nativeVLAN:
            if data.count == 2, let v = data.uint16(at: 0) { self = .vlan(v) }
            else { self = .problem(.wrongLength(length: data.count, expected: 2)) }
        case .voiceVLANReply, .voiceVLANQuery:
            // Wireshark reads the VLAN after the data byte when there are 3 bytes or more.
            if data.count >= 3, let d = data.uint8(at: 0), let v = data.uint16(at: 1) {
                self = .voiceVLAN(CDPVoiceVLAN(data: d, vlan: v))
            } else {
                self = .problem(.tooShort(length: data.count, minimum: 3))
            }
        case .power:
            if data.count == 2, let mw = data.uint16(at: 0) { self = .milliwatts(mw) }
            else { self = .problem(.wrongLength(length: data.count, expected: 2)) }
        case .duplex:
            if data.count == 1, let d = data.uint8(at: 0) { self = .fullDuplex(d != 0) }
            else { self = .problem(.wrongLength(length: data.count, expected: 1)) }
        default:
            self = .bytes
        }
    }

    /// Count (4 bytes), then each address: protocol type (1), protocol
    /// length (1), protocol, address length (2), address.
    static func addresses(_ data: ByteView) -> CDPValue {
        guard let count = data.uint32(at: 0) else { return .problem(.tooShort(length: data.count, minimum: 4)) }
        var list: [CDPAddress] = []
        var o = 4
        for _ in 0..<min(Int(count), data.count) {
            guard let type = data.uint8(at: o), let plen = data.uint8(at: o + 1).map(Int.init),
                  let proto = data.slice(at: o + 2, length: plen), let alen = data.uint16(at: o + 2 + plen).map(Int.init),
                  let address = data.slice(at: o + 4 + plen, length: alen)
            else { return .problem(.addressBeyondEnd(index: list.count, offset: o)) }
            if type == 1, proto.elementsEqual(CDPAddress.nlpidIPv4), alen == 4, let a = IPv4Address(address, at: 0) {
                list.append(.ipv4(a))
            } else if type == 2, proto.elementsEqual(CDPAddress.snapIPv6), alen == 16, let a = IPv6Address(address, at: 0) {
                list.append(.ipv6(a))
            } else {
                list.append(.other(protocolType: type, protocol: Array(proto), address: Array(address)))
            }
            o += 4 + plen + alen
        }
        guard list.count == Int(count) else { return .problem(.addressBeyondEnd(index: list.count, offset: o)) }
        return .addresses(list)
    }
}

/// How a known TLV's value breaks its format.
public enum CDPValueProblem: Sendable, Equatable, CustomStringConvertible {
    case wrongLength(length: Int, expected: Int)
    case tooShort(length: Int, minimum: Int)
    /// The address list's count names more addresses than its bytes hold:
    /// address `index` (from 0) at byte `offset` of the value is cut off.
    case addressBeyondEnd(index: Int, offset: Int)

    public var description: String {
        switch self {
        case .wrongLength(let l, let e): "\(l) bytes instead of \(e)"
        case .tooShort(let l, let m): "\(l) bytes, less than the minimum \(m)"
        case .addressBeyondEnd(let i, let o): "address \(i + 1) at byte \(o) runs past the end of its TLV"
        }
    }
}

/// Whether the checksum was right, and by which reading of an odd length.
public enum CDPChecksumStatus: Sendable, Equatable, CustomStringConvertible {
    /// Right as Cisco computes it (for an odd length: the last byte as
    /// 0x00XX, sign-extended when its top bit is set).
    case valid
    /// Right with the last byte as 0x00XX without sign extension (as
    /// senders that follow the byte-swap rule but not the sign compute
    /// it); odd lengths whose last byte has its top bit set only.
    case validUnsigned
    /// `expected` is Cisco's value.
    case invalid(found: UInt16, expected: UInt16)
    /// Not every byte of the PDU was captured.
    case unverified

    public var word: String {
        switch self {
        case .valid, .validUnsigned: "valid"
        case .invalid: "bad"
        case .unverified: "unverified"
        }
    }

    public var description: String {
        switch self {
        case .valid: "valid"
        case .validUnsigned: "valid (odd last byte not sign-extended)"
        case .invalid(let found, let expected): "bad: 0x\(hex4(found)), should be 0x\(hex4(expected))"
        case .unverified: "unverified"
        }
    }
}

/// A CDP PDU: the header and every TLV the capture kept.
public struct CDPPacket: Sendable, Equatable {
    public var version: UInt8
    public var timeToLive: UInt8
    public var checksum: UInt16
    public var checksumStatus: CDPChecksumStatus
    /// Every TLV in order, unknown ones included.
    public var tlvs: [CDPTLV]
    /// Set when decoding stopped before the end: offset in the PDU and why.
    /// What decoded before it is kept.
    public var stop: DecodeStop?

    /// Decodes the bytes after the SNAP header. Throws only when the 4-byte
    /// header is not there; past it damage sets ``stop``.
    public static func decode(_ pdu: ByteView) throws(DecodeProblem) -> CDPPacket {
        guard let version = pdu.uint8(at: 0), let ttl = pdu.uint8(at: 1), let checksum = pdu.uint16(at: 2) else {
            throw .missing(CDP.headerLength, in: pdu)
        }
        var packet = CDPPacket(version: version, timeToLive: ttl, checksum: checksum,
                               checksumStatus: checksumStatus(pdu, found: checksum), tlvs: [], stop: nil)
        var o = CDP.headerLength
        while o < pdu.wireCount {
            guard let type = pdu.uint16(at: o), let length = pdu.uint16(at: o + 2).map(Int.init) else {
                packet.stop = stop(at: o, .missing(o + CDP.tlvHeaderLength, in: pdu))
                break
            }
            guard length >= CDP.tlvHeaderLength else {
                packet.stop = stop(at: o, .malformed(.lengthTooSmall(field: .cdpTLVLength, claimed: length, minimum: CDP.tlvHeaderLength)))
                break
            }
            guard o + length <= pdu.wireCount else {
                packet.stop = stop(at: o, .malformed(.lengthBeyondPacket(field: .cdpTLVLength, claimed: length, available: pdu.wireCount - o)))
                break
            }
            guard let value = pdu.slice(at: o + CDP.tlvHeaderLength, length: length - CDP.tlvHeaderLength) else {
                packet.stop = stop(at: o, .truncated(needed: o + length, captured: pdu.count))
                break
            }
            packet.tlvs.append(CDPTLV(type: CDPTLVType(rawValue: type), offset: o, data: Array(value)))
            o += length
        }
        return packet
    }

    static func stop(at offset: Int, _ problem: DecodeProblem) -> DecodeStop {
        DecodeStop(layer: .cdp, offset: offset, problem: problem)
    }

    /// Cisco's checksum of `pdu` with its checksum field taken as zero.
    public static func ciscoChecksum(_ pdu: ByteView, signExtend: Bool = true) -> UInt16 {
        var sum = InternetChecksum()
        let even = pdu.count & ~1
        if let head = pdu.slice(at: 0, length: min(2, even)) { sum.add(head.rawBytes) }
        if even > 4, let body = pdu.slice(at: 4, length: even - 4) { sum.add(body.rawBytes) }
        if pdu.count & 1 == 1, let last = pdu.uint8(at: pdu.count - 1) {
            sum.add(signExtend && last & 0x80 != 0 ? 0xFF00 | UInt16(last &- 1) : UInt16(last))
        }
        return sum.value
    }

    static func checksumStatus(_ pdu: ByteView, found: UInt16) -> CDPChecksumStatus {
        guard !pdu.isTruncated, pdu.count >= CDP.headerLength else { return .unverified }
        let cisco = ciscoChecksum(pdu)
        if cisco == found { return .valid }
        if pdu.count & 1 == 1, ciscoChecksum(pdu, signExtend: false) == found { return .validUnsigned }
        return .invalid(found: found, expected: cisco)
    }
}

// MARK: - What a packet says

extension CDPPacket {
    /// The first TLV of this type.
    public func tlv(_ type: CDPTLVType) -> CDPTLV? { tlvs.first { $0.type == type } }

    private func text(_ type: CDPTLVType) -> String? {
        if case .text(let t)? = tlv(type)?.value { return t }
        return nil
    }

    /// `SEP` and the MAC in upper-case hex, for a Cisco IP phone.
    public var deviceID: String? { text(.deviceID) }
    public var portID: String? { text(.portID) }
    /// A phone's running load id (`SCCP45.8-3-3S`); a switch's IOS banner.
    public var softwareVersion: String? { text(.softwareVersion) }
    /// `Cisco IP Phone 7945`.
    public var platform: String? { text(.platform) }

    public var addresses: [CDPAddress]? {
        if case .addresses(let a)? = tlv(.addresses)?.value { return a }
        return nil
    }

    public var capabilities: CDPCapabilities? {
        if case .capabilities(let c)? = tlv(.capabilities)?.value { return c }
        return nil
    }

    public var nativeVLAN: UInt16? {
        if case .vlan(let v)? = tlv(.nativeVLAN)?.value { return v }
        return nil
    }

    /// The voice VLAN the switch gives (TLV 0x000E).
    public var voiceVLANReply: CDPVoiceVLAN? {
        if case .voiceVLAN(let v)? = tlv(.voiceVLANReply)?.value { return v }
        return nil
    }

    /// The phone's question for one (TLV 0x000F).
    public var voiceVLANQuery: CDPVoiceVLAN? {
        if case .voiceVLAN(let v)? = tlv(.voiceVLANQuery)?.value { return v }
        return nil
    }

    /// Power drawn, in milliwatts (TLV 0x0010).
    public var powerMilliwatts: UInt16? {
        if case .milliwatts(let p)? = tlv(.power)?.value { return p }
        return nil
    }

    /// Every TLV whose bytes break its format.
    public var problems: [(type: CDPTLVType, problem: CDPValueProblem)] {
        tlvs.compactMap { if case .problem(let p) = $0.value { ($0.type, p) } else { nil } }
    }
}

// MARK: - Encoders

extension CDPTLV {
    public static func text(_ type: CDPTLVType, _ text: String) -> CDPTLV { CDPTLV(type: type, data: Array(text.utf8)) }
    public static func deviceID(_ id: String) -> CDPTLV { text(.deviceID, id) }
    public static func portID(_ id: String) -> CDPTLV { text(.portID, id) }
    public static func softwareVersion(_ v: String) -> CDPTLV { text(.softwareVersion, v) }
    public static func platform(_ p: String) -> CDPTLV { text(.platform, p) }

    public static func addresses(_ list: [IPv4Address], type: CDPTLVType = .addresses) -> CDPTLV {
        var w = WireWriter()
        w.u32(UInt32(list.count))
        for a in list {
            w.u8(1)
            w.u8(UInt8(CDPAddress.nlpidIPv4.count))
            w.append(CDPAddress.nlpidIPv4)
            w.u16(4)
            w.u32(a.rawValue)
        }
        return CDPTLV(type: type, data: w.bytes)
    }

    public static func capabilities(_ c: CDPCapabilities) -> CDPTLV {
        var w = WireWriter()
        w.u32(c.rawValue)
        return CDPTLV(type: .capabilities, data: w.bytes)
    }

    public static func nativeVLAN(_ vlan: UInt16) -> CDPTLV {
        CDPTLV(type: .nativeVLAN, data: [UInt8(vlan >> 8), UInt8(truncatingIfNeeded: vlan)])
    }

    public static func voiceVLANReply(_ vlan: UInt16) -> CDPTLV {
        CDPTLV(type: .voiceVLANReply, data: [1, UInt8(vlan >> 8), UInt8(truncatingIfNeeded: vlan)])
    }

    /// The phone's query: data byte 0x20 and VLAN 0, as 79xx phones send it.
    public static func voiceVLANQuery(data: UInt8 = 0x20, vlan: UInt16 = 0) -> CDPTLV {
        CDPTLV(type: .voiceVLANQuery, data: [data, UInt8(vlan >> 8), UInt8(truncatingIfNeeded: vlan)])
    }

    public static func power(milliwatts: UInt16) -> CDPTLV {
        CDPTLV(type: .power, data: [UInt8(milliwatts >> 8), UInt8(truncatingIfNeeded: milliwatts)])
    }

    public static func duplex(full: Bool) -> CDPTLV { CDPTLV(type: .duplex, data: [full ? 1 : 0]) }
}

extension CDP {
    /// A CDP PDU with Cisco's checksum; `checksum` overrides it (to make
    /// a bad one). A TLV's offset is ignored: they are written in order.
    public static func encode(_ tlvs: [CDPTLV], version: UInt8 = 2, timeToLive: UInt8 = 180, checksum: UInt16? = nil) -> [UInt8] {
        var w = WireWriter()
        w.u8(version)
        w.u8(timeToLive)
        w.u16(0)
        for t in tlvs {
            w.u16(t.type.rawValue)
            w.u16(UInt16(truncatingIfNeeded: tlvHeaderLength + t.data.count))
            w.append(t.data)
        }
        let sum = checksum ?? w.bytes.withUnsafeBytes { CDPPacket.ciscoChecksum(ByteView($0)) }
        w.set(sum, at: 2)
        return w.bytes
    }

    /// The whole frame as a phone or switch sends it: IEEE 802.3 to
    /// 01:00:0c:cc:cc:cc, LLC AA-AA-03, SNAP 00-00-0C 0x2000, the PDU,
    /// zero-padded to Ethernet's 60 bytes.
    public static func frame(source: MACAddress, pdu: [UInt8]) -> [UInt8] {
        var w = WireWriter()
        w.append(multicast.octets)
        w.append(source.octets)
        w.u16(UInt16(8 + pdu.count))
        w.append([0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0C])
        w.u16(protocolID)
        w.append(pdu)
        while w.count < 60 { w.u8(0) }
        return w.bytes
    }
}

// MARK: - From a dissection

extension Dissection {
    /// The frame's CDP PDU (LLC/SNAP with OUI 00-00-0C, PID 0x2000),
    /// decoded; nil for any other frame.
    public var cdp: Result<CDPPacket, DecodeProblem>? {
        guard case .llc(let llc, let payload) = network, let snap = llc.snap,
              snap.oui == CDP.oui, snap.protocolID == CDP.protocolID else { return nil }
        do throws(DecodeProblem) {
            return .success(try CDPPacket.decode(payload))
        } catch {
            return .failure(error)
        }
    }
}
