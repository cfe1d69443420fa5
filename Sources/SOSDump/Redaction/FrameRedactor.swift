/// Rewrites a frame's identifying fields with their pseudonyms
/// (`Pseudonyms`), in place, at the offsets its dissection gives
/// (`Dissection.offsets`): in headers (Ethernet and Linux cooked
/// addresses, IPv4 and IPv6 addresses, ARP, the datagram an ICMP error
/// quotes) and inside payloads (the S.O.S. reply's serial, MAC and
/// address and the serial of every S.O.S. message; DHCP's address fields,
/// client hardware address, server host name, address options, host and
/// domain names and client identifier). Then every payload is scanned for
/// what is still known to identify a host: a followed MAC as 6 bytes or as
/// hex text, a device name `SEP` + 12 hex digits, a serial number, an
/// address as dotted text (TFTP file names, CDP, SCCP, configuration
/// files), and in link-layer and TCP payloads an address as 4 bytes (CDP,
/// LLDP, SCCP). Lengths never change, so no length field does; each checksum
/// that covers a changed byte is updated incrementally (RFC 1624), so one
/// that was right stays right and one that was wrong stays wrong by the
/// same amount (a verdict may rest on a bad checksum).
///
/// Bounded: the originals it remembers for the payload scan are capped
/// (`maxKnown`); beyond, header fields are still replaced, and the
/// summary says how many were not remembered.
public struct FrameRedactor {
    public var pseudonyms: Pseudonyms
    /// Originals met so far, to find again in payloads (serials: only those of 6 bytes or more).
    private(set) var knownMACs: Set<MACAddress> = []
    private(set) var knownAddresses: Set<IPv4Address> = []
    private(set) var knownSerials: Set<[UInt8]> = []
    /// What was replaced: distinct originals.
    public private(set) var replaced = RedactionCounts()
    static let maxKnown = 4096

    public init(pseudonyms: Pseudonyms, followed: FollowedTraffic) {
        self.pseudonyms = pseudonyms
        for m in followed.macs { remember(m) }
        for a in followed.addresses { remember(a) }
        for s in followed.identifiers where !s.isEmpty && s != Array(SOSRecovery.wildcardSerial.utf8) { remember(serial: s) }
    }

    // MARK: The frame

    /// Rewrites `bytes`, a copy of the bytes `d` was decoded from.
    public mutating func redact(_ bytes: inout [UInt8], _ d: borrowing Dissection) {
        var edit = FrameEdit(bytes: bytes)
        bytes = []
        // Every checksum is begun before any byte changes, and updated once all have.
        Self.beginChecksums(&edit, d)
        link(&edit, d)
        network(&edit, d)
        if let p = d.offsets.payload {
            scan(&edit, from: p)
            if Self.carriesBinaryAddresses(d) { binaryAddresses(&edit, from: p) }
        } else if case .ipv4(let h) = d.network, h.isFragment, let n = d.offsets.network {
            // A fragment: its payload is not decoded here; scan it as it lies.
            scan(&edit, from: n + h.headerLength)
        }
        edit.finishChecksums()
        bytes = edit.bytes
    }

    /// The checksums that cover what may change: the IPv4 header's, the
    /// UDP, TCP or ICMP one (with the pseudo header's addresses), the one
    /// of the header an ICMP error quotes.
    private static func beginChecksums(_ edit: inout FrameEdit, _ d: borrowing Dissection) {
        guard let n = d.offsets.network else { return }
        var pseudoHeader: Range<Int>
        switch d.network {
        case .ipv4(let h):
            edit.beginChecksum(.ipv4Header, span: n..<(n + h.headerLength), field: n + 10)
            pseudoHeader = (n + 12)..<(n + 20)
            if h.isFragment, h.fragmentOffset == 0, d.offsets.transport == nil {
                // The first fragment of a datagram reassembled later: its
                // UDP or TCP checksum covers the addresses too.
                firstFragmentChecksum(&edit, h, at: n)
                return
            }
        case .ipv6:
            pseudoHeader = (n + 8)..<(n + 40)
        default:
            return
        }
        guard let t = d.offsets.transport else { return }
        let end = edit.bytes.count
        switch d.transport {
        case .udp(let h, _):
            if h.checksum != 0 || pseudoHeader.count == 32 { edit.beginChecksum(.udp, span: t..<end, field: t + 6, pseudoHeader: pseudoHeader) }
        case .tcp:
            edit.beginChecksum(.other, span: t..<end, field: t + 16, pseudoHeader: pseudoHeader)
        case .icmpv4(let m):
            edit.beginChecksum(.other, span: t..<end, field: t + 2)
            let q = t + ICMPv4Message.headerLength
            if m.quoted != nil, let v = edit.uint8(at: q) {
                let length = Int(v & 0xF) * 4
                edit.beginChecksum(.other, span: q..<(q + length), field: q + 10)
                // The quoted UDP checksum covers the quoted addresses (Wireshark checks it).
                if edit.uint8(at: q + 9) == IPProtocol.udp.rawValue, let sum = edit.uint16(at: q + length + 6), sum != 0 {
                    edit.beginChecksum(.udp, span: (q + length)..<end, field: q + length + 6, pseudoHeader: (q + 12)..<(q + 20))
                }
            }
        case .icmpv6:
            edit.beginChecksum(.other, span: t..<end, field: t + 2, pseudoHeader: pseudoHeader)
        default:
            break
        }
    }

    private mutating func link(_ edit: inout FrameEdit, _ d: borrowing Dissection) {
        switch d.link {
        case .ethernet:
            replaceMAC(&edit, at: 0)
            replaceMAC(&edit, at: 6)
        case .linuxSLL(let h):
            if h.source != nil { replaceMAC(&edit, at: 6) }
        case .linuxSLL2(let h):
            if h.source != nil { replaceMAC(&edit, at: 12) }
        default:
            break
        }
    }

    private mutating func network(_ edit: inout FrameEdit, _ d: borrowing Dissection) {
        guard let n = d.offsets.network else { return }
        switch d.network {
        case .ipv4:
            replaceIPv4(&edit, at: n + 12)
            replaceIPv4(&edit, at: n + 16)
            transport(&edit, d)
        case .ipv6:
            replaceIPv6(&edit, at: n + 8)
            replaceIPv6(&edit, at: n + 24)
            transport(&edit, d)
        case .arp(let a) where a.isEthernetIPv4:
            replaceMAC(&edit, at: n + 8)
            replaceIPv4(&edit, at: n + 14)
            replaceMAC(&edit, at: n + 18)
            replaceIPv4(&edit, at: n + 24)
        default:
            break
        }
    }

    /// The UDP or TCP checksum of a first fragment, which covers the pseudo header.
    private static func firstFragmentChecksum(_ edit: inout FrameEdit, _ h: IPv4Header, at n: Int) {
        let t = n + h.headerLength
        switch h.protocol {
        case .udp:
            guard let sum = edit.uint16(at: t + 6), sum != 0 else { return }
            edit.beginChecksum(.udp, span: t..<t, field: t + 6, pseudoHeader: (n + 12)..<(n + 20))
        case .tcp:
            edit.beginChecksum(.other, span: t..<t, field: t + 16, pseudoHeader: (n + 12)..<(n + 20))
        default:
            break
        }
    }

    private mutating func transport(_ edit: inout FrameEdit, _ d: borrowing Dissection) {
        guard let t = d.offsets.transport else { return }
        switch d.transport {
        case .udp(let h, let payload):
            if let p = d.offsets.payload { udpPayload(&edit, h, payload, at: p) }
        case .icmpv4(let m) where m.quoted != nil:
            let q = t + ICMPv4Message.headerLength
            replaceIPv4(&edit, at: q + 12)
            replaceIPv4(&edit, at: q + 16)
        case .icmpv6(let m) where m.quoted != nil:
            replaceIPv6(&edit, at: t + 8 + 8)
            replaceIPv6(&edit, at: t + 8 + 24)
        default:
            break
        }
    }

    // MARK: Payloads

    private mutating func udpPayload(_ edit: inout FrameEdit, _ h: UDPHeader, _ payload: ByteView, at p: Int) {
        if SOSMessage.isSOS(payload) {
            sosMessage(&edit, payload, at: p)
        } else if DHCPMessage.isDHCP(sourcePort: h.sourcePort, destinationPort: h.destinationPort) {
            dhcp(&edit, payload, at: p)
        }
    }

    /// The serial of every S.O.S. message but the wildcard; the reply's MAC and address.
    private mutating func sosMessage(_ edit: inout FrameEdit, _ payload: ByteView, at p: Int) {
        guard let m = try? SOSMessage.decode(payload) else { return }
        if let serial = m.serial, !serial.bytes.isEmpty, serial.bytes != Array(SOSRecovery.wildcardSerial.utf8) {
            replaceName(&edit, at: p + SOSLayout.serialOffset, serial.bytes, serial: true)
        }
        if m.kind == .reply {
            if m.mac != nil { replaceMAC(&edit, at: p + SOSLayout.macOffset) }
            if m.phoneAddress != nil { replaceIPv4(&edit, at: p + SOSLayout.addressOffset) }
        }
    }

    /// DHCP's fixed fields and the options that name hosts (RFC 2131, RFC 2132).
    private mutating func dhcp(_ edit: inout FrameEdit, _ payload: ByteView, at p: Int) {
        guard let m = try? DHCPMessage.decode(payload) else { return }
        for field in [12, 16, 20, 24] { replaceIPv4(&edit, at: p + field) }
        if m.hardwareLength == 6 { replaceMAC(&edit, at: p + 28) }
        if let sname = m.sname, !sname.isEmpty, !(m.overload?.contains(.sname) ?? false) {
            replaceName(&edit, at: p + 44, Array(sname.utf8))
        }
        for option in m.options {
            guard option.instances.count == 1, let instance = option.instances.first else { continue }
            let at = p + instance.offset + 2
            switch (option.code.rawValue, option.value) {
            case (1, _):
                continue  // the subnet mask: kept
            case (_, .address), (_, .addresses):
                var o = 0
                while o + 4 <= instance.length {
                    replaceIPv4(&edit, at: at + o)
                    o += 4
                }
            case (12, _), (15, _):
                replaceName(&edit, at: at, Array(option.data.prefix { $0 != 0 }))
            case (81, _) where option.data.count > 3:
                replaceName(&edit, at: at + 3, Array(option.data.dropFirst(3).prefix { $0 != 0 }))
            case (66, .text(let text)):
                if let address = IPv4Address(text) {
                    replaceIPv4Text(&edit, at: at, original: address, length: text.utf8.count)
                } else {
                    replaceName(&edit, at: at, Array(text.utf8))
                }
            case (61, _) where option.data.count == 7 && option.data[0] == 1:
                replaceMAC(&edit, at: at + 1)
            default:
                continue
            }
        }
    }

    /// Scans a payload for every original still known: MACs as 6 bytes and
    /// as hex text, device names, serials, addresses as dotted text.
    private mutating func scan(_ edit: inout FrameEdit, from start: Int) {
        guard start < edit.bytes.count else { return }
        deviceNames(&edit, from: start)
        for mac in knownMACs {
            let pseudo = pseudonyms.mac(mac)
            guard pseudo != mac else { continue }
            edit.replaceAll(mac.octets, with: pseudo.octets, from: start)
            edit.replaceAll(Pseudonyms.hex(mac, lowercase: false), with: Pseudonyms.hex(pseudo, lowercase: false), from: start)
            edit.replaceAll(Pseudonyms.hex(mac, lowercase: true), with: Pseudonyms.hex(pseudo, lowercase: true), from: start)
            for separator in [UInt8(ascii: ":"), UInt8(ascii: "-")] {
                for lower in [false, true] {
                    edit.replaceAll(Self.separated(mac, separator, lower), with: Self.separated(pseudo, separator, lower), from: start)
                }
            }
        }
        for name in knownSerials {
            let pseudo = pseudonyms.name(name)
            edit.replaceAll(name, with: pseudo, from: start)
        }
        for address in knownAddresses {
            let text = Array(address.description.utf8)
            var from = start
            while let at = edit.find(text, from: from) {
                from = at + text.count
                // Not part of a longer number or address.
                let before = at > 0 ? edit.bytes[at - 1] : 0x20
                let after = from < edit.bytes.count ? edit.bytes[from] : 0x20
                guard !Self.isDigitOrDot(before), !Self.isDigitOrDot(after) else { continue }
                replaceIPv4Text(&edit, at: at, original: address, length: text.count)
            }
        }
    }

    /// Payloads whose protocols write addresses as 4 bytes outside any
    /// field decoded here: link-layer protocols (CDP's and LLDP's address
    /// TLVs) and TCP (SCCP's station address). Not UDP: its payloads are
    /// decoded field by field (S.O.S., DHCP) or carry files, whose bytes
    /// are only changed where they hold text that names a host.
    static func carriesBinaryAddresses(_ d: borrowing Dissection) -> Bool {
        switch d.network {
        case .llc, .other: return true
        default: break
        }
        if case .tcp = d.transport { return true }
        return false
    }

    /// Every known address as 4 bytes, in such a payload.
    private mutating func binaryAddresses(_ edit: inout FrameEdit, from start: Int) {
        for address in knownAddresses {
            let pseudo = pseudonyms.ipv4(address)
            guard pseudo != address else { continue }
            edit.replaceAll(Self.bytes(address), with: Self.bytes(pseudo), from: start)
        }
    }

    /// Every `SEP` + 12 hex digits, whether or not the MAC was met.
    private mutating func deviceNames(_ edit: inout FrameEdit, from start: Int) {
        let sep = Array("SEP".utf8)
        var from = start
        while let at = edit.find(sep, from: from) {
            from = at + 3
            guard at + 15 <= edit.bytes.count else { break }
            let name = Array(edit.bytes[at..<(at + 15)])
            guard Pseudonyms.deviceNameMAC(name) != nil else { continue }
            if at + 15 < edit.bytes.count, Pseudonyms.hexValue(edit.bytes[at + 15]) != nil { continue }
            if let mac = Pseudonyms.deviceNameMAC(name) { remember(mac) }
            replaceName(&edit, at: at, name)
        }
    }

    static func isDigitOrDot(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || b == 0x2E }

    static func separated(_ m: MACAddress, _ separator: UInt8, _ lowercase: Bool) -> [UInt8] {
        let hex = Pseudonyms.hex(m, lowercase: lowercase)
        var out: [UInt8] = []
        for i in 0..<6 {
            if i > 0 { out.append(separator) }
            out += hex[(2 * i)..<(2 * i + 2)]
        }
        return out
    }

    // MARK: Fields

    private mutating func replaceMAC(_ edit: inout FrameEdit, at offset: Int) {
        guard offset + 6 <= edit.bytes.count else { return }
        let original = MACAddress(rawValue: edit.bytes[offset..<(offset + 6)].reduce(0) { $0 << 8 | UInt64($1) })
        let pseudo = pseudonyms.mac(original)
        guard pseudo != original else { return }
        remember(original)
        replaced.macs.insert(original)
        edit.write(pseudo.octets, at: offset)
    }

    private mutating func replaceIPv4(_ edit: inout FrameEdit, at offset: Int) {
        guard let raw = edit.uint32(at: offset) else { return }
        let original = IPv4Address(rawValue: raw)
        let pseudo = pseudonyms.ipv4(original)
        guard pseudo != original else { return }
        remember(original)
        replaced.ipv4.insert(original)
        edit.write(Self.bytes(pseudo), at: offset)
    }

    private mutating func replaceIPv6(_ edit: inout FrameEdit, at offset: Int) {
        guard offset + 16 <= edit.bytes.count else { return }
        let b = edit.bytes[offset..<(offset + 16)]
        let original = IPv6Address(high: b.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }, low: b.suffix(8).reduce(0) { $0 << 8 | UInt64($1) })
        let pseudo = pseudonyms.ipv6(original)
        guard pseudo != original else { return }
        replaced.ipv6.insert(original)
        var out: [UInt8] = []
        for word in [pseudo.high, pseudo.low] { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(i)))) } }
        edit.write(out, at: offset)
    }

    /// A serial or host name (`original`, its bytes at `offset`). Only a
    /// serial is looked for again in payloads: a host name may be a
    /// product's name (`SPA504G`), which is kept elsewhere.
    private mutating func replaceName(_ edit: inout FrameEdit, at offset: Int, _ original: [UInt8], serial: Bool = false) {
        guard !original.isEmpty, offset + original.count <= edit.bytes.count else { return }
        let pseudo = pseudonyms.name(original)
        guard pseudo != original else { return }
        if serial { remember(serial: original) }
        replaced.names.insert(original)
        edit.write(pseudo, at: offset)
    }

    /// An address written as text in `length` bytes: its pseudonym's text
    /// when it fits (middle octets padded with zeros when shorter); else
    /// the middle octets' digits become `x`, which hides without a pseudonym.
    private mutating func replaceIPv4Text(_ edit: inout FrameEdit, at offset: Int, original: IPv4Address, length: Int) {
        let pseudo = pseudonyms.ipv4(original)
        guard pseudo != original, offset + length <= edit.bytes.count else { return }
        remember(original)
        replaced.ipv4.insert(original)
        edit.write(Self.dottedText(pseudo, original: original, length: length), at: offset)
    }

    static func dottedText(_ pseudo: IPv4Address, original: IPv4Address, length: Int) -> [UInt8] {
        var octets = (0..<4).map { String(pseudo.rawValue >> (24 - 8 * UInt32($0)) & 0xFF) }
        var short = length - (octets.joined().count + 3)
        if short < 0 {
            octets = (0..<4).map { String(original.rawValue >> (24 - 8 * UInt32($0)) & 0xFF) }
            octets[1] = String(repeating: "x", count: octets[1].count)
            octets[2] = String(repeating: "x", count: octets[2].count)
            short = 0
        }
        var i = 1
        while short > 0 {
            if octets[i].count < 3 {
                octets[i] = "0" + octets[i]
                short -= 1
            } else {
                i = i == 1 ? 2 : 1
                if octets[1].count == 3 && octets[2].count == 3 { break }
            }
        }
        return Array(octets.joined(separator: ".").utf8.prefix(length))
    }

    static func bytes(_ a: IPv4Address) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: a.rawValue >> (24 - 8 * UInt32($0))) } }

    // MARK: What is remembered

    private mutating func remember(_ mac: MACAddress) {
        guard !Pseudonyms.keeps(mac), !knownMACs.contains(mac) else { return }
        if knownMACs.count < Self.maxKnown { knownMACs.insert(mac) } else { replaced.notRemembered += 1 }
    }

    private mutating func remember(_ a: IPv4Address) {
        guard Pseudonyms.keptPrefixLength(a) < 32, !knownAddresses.contains(a) else { return }
        if knownAddresses.count < Self.maxKnown { knownAddresses.insert(a) } else { replaced.notRemembered += 1 }
    }

    private mutating func remember(serial name: [UInt8]) {
        // Short names would match by chance in payloads: only those of 6 bytes or more are looked for.
        guard name.count >= 6, !knownSerials.contains(name) else { return }
        if knownSerials.count < Self.maxKnown { knownSerials.insert(name) } else { replaced.notRemembered += 1 }
    }
}

/// What a redaction replaced: the distinct originals (bounded by what the
/// redactor remembers).
public struct RedactionCounts: Sendable, Equatable {
    public var macs: Set<MACAddress> = []
    public var ipv4: Set<IPv4Address> = []
    public var ipv6: Set<IPv6Address> = []
    /// Serial numbers, host and domain names, device names.
    public var names: Set<[UInt8]> = []
    /// Originals met after the redactor's memory was full (replaced in headers only).
    public var notRemembered = 0
}

/// A frame's bytes being rewritten, and the checksums to update when done.
struct FrameEdit {
    var bytes: [UInt8]
    private var checksums: [Pending] = []

    enum Kind { case ipv4Header, udp, other }

    /// A checksum field, and the one's-complement sum of what it covers, before any change.
    struct Pending {
        var kind: Kind
        var span: Range<Int>
        var field: Int
        var pseudoHeader: Range<Int>?
        var before: UInt32
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    func uint8(at o: Int) -> UInt8? { o < bytes.count ? bytes[o] : nil }
    func uint16(at o: Int) -> UInt16? { o + 2 <= bytes.count ? UInt16(bytes[o]) << 8 | UInt16(bytes[o + 1]) : nil }
    func uint32(at o: Int) -> UInt32? { o + 4 <= bytes.count ? bytes[o..<(o + 4)].reduce(0) { $0 << 8 | UInt32($1) } : nil }

    mutating func write(_ value: [UInt8], at offset: Int) {
        for (i, b) in value.enumerated() where offset + i < bytes.count { bytes[offset + i] = b }
    }

    /// Remembers a checksum field (when captured) and the sum of what it covers now.
    mutating func beginChecksum(_ kind: Kind, span: Range<Int>, field: Int, pseudoHeader: Range<Int>? = nil) {
        guard field + 2 <= bytes.count else { return }
        let span = span.clamped(to: 0..<bytes.count)
        checksums.append(Pending(kind: kind, span: span, field: field, pseudoHeader: pseudoHeader, before: sum(span, pseudoHeader, skipping: field)))
    }

    /// Updates every checksum begun: HC' = ~(~HC + ~m + m') (RFC 1624, eqn. 3),
    /// where m and m' are the sums of what it covers before and after.
    mutating func finishChecksums() {
        for c in checksums.reversed() {
            let after = sum(c.span, c.pseudoHeader, skipping: c.field)
            guard after != c.before, let stored = uint16(at: c.field) else { continue }
            var x = UInt32(~stored) + UInt32(~Self.fold(c.before)) + UInt32(Self.fold(after))
            x = (x & 0xFFFF) + (x >> 16)
            x = (x & 0xFFFF) + (x >> 16)
            var updated = ~UInt16(x)
            if c.kind == .udp, updated == 0 { updated = 0xFFFF }  // 0 means "no checksum" in UDP over IPv4
            write([UInt8(updated >> 8), UInt8(updated & 0xFF)], at: c.field)
        }
    }

    /// The one's-complement sum of `span` (words from its start) and the
    /// pseudo header's addresses, the checksum field itself left out.
    private func sum(_ span: Range<Int>, _ pseudoHeader: Range<Int>?, skipping field: Int) -> UInt32 {
        var total: UInt64 = 0
        var i = span.lowerBound
        while i < span.upperBound {
            let hi = UInt64(bytes[i])
            let lo = i + 1 < span.upperBound ? UInt64(bytes[i + 1]) : 0
            if i != field { total += hi << 8 | lo }
            i += 2
        }
        if let p = pseudoHeader {
            var j = p.lowerBound
            while j + 1 < p.upperBound, j + 1 < bytes.count {
                total += UInt64(bytes[j]) << 8 | UInt64(bytes[j + 1])
                j += 2
            }
        }
        while total >> 16 != 0 { total = (total & 0xFFFF) + (total >> 16) }
        return UInt32(total)
    }

    static func fold(_ x: UInt32) -> UInt16 { UInt16(truncatingIfNeeded: x) }

    /// The first place `pattern` starts at or after `from`.
    func find(_ pattern: [UInt8], from: Int) -> Int? {
        guard let first = pattern.first, pattern.count <= bytes.count else { return nil }
        var i = from
        let last = bytes.count - pattern.count
        while i <= last {
            if bytes[i] == first, bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
            i += 1
        }
        return nil
    }

    mutating func replaceAll(_ pattern: [UInt8], with replacement: [UInt8], from start: Int) {
        var from = start
        while let at = find(pattern, from: from) {
            write(replacement, at: at)
            from = at + pattern.count
        }
    }
}
