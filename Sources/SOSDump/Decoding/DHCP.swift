/// Dynamic Host Configuration Protocol (RFC 2131) on the BOOTP message
/// (RFC 951, RFC 1542), with the options of RFC 2132 and the ones IP phones
/// are provisioned with: TFTP server name and boot file (66, 67), TFTP server
/// addresses (150, RFC 5859), relay agent information (82, RFC 3046),
/// vendor-identifying vendor-specific information (125, RFC 3925), port
/// parameters (159, RFC 7618) and the provisioning URL of option 160.
/// Option overload (52, RFC 2131 §4.1) and long options split over several
/// instances (RFC 3396) are followed; unknown options are kept as bytes.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------+---------------+---------------+---------------+
/// |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |   0
/// +---------------+---------------+---------------+---------------+
/// |                            xid (4)                            |   4
/// +-------------------------------+-------------------------------+
/// |           secs (2)            |           flags (2)           |   8
/// +-------------------------------+-------------------------------+
/// |                          ciaddr  (4)                          |  12
/// |                          yiaddr  (4)                          |  16
/// |                          siaddr  (4)                          |  20
/// |                          giaddr  (4)                          |  24
/// |                          chaddr  (16)                         |  28
/// |                          sname   (64)                         |  44
/// |                          file    (128)                        | 108
/// |             magic cookie 99.130.83.99 (4, RFC 2132 §2)        | 236
/// |                          options (variable)                   | 240
/// +---------------------------------------------------------------+
/// ```
/// An option is `code` (1), `len` (1), `len` bytes; Pad (0) and End (255)
/// are a single byte.
///
/// DHCP is rare on the wire, so decoding copies what it keeps (arrays and
/// strings): a message is an owned value that outlives the frame.
public struct DHCPMessage: Sendable, Equatable {
    public var operation: BOOTPOperation
    /// ARP hardware type (RFC 1700): 1 for Ethernet.
    public var hardwareType: UInt8
    public var hardwareLength: UInt8
    /// Relay agents on the way (RFC 1542 §4.1.1).
    public var hops: UInt8
    /// `xid`: chosen by the client, copied by the server into its replies.
    public var transactionID: UInt32
    public var seconds: UInt16
    /// Bit 15 is the broadcast flag (RFC 2131 §2); the rest must be zero.
    public var flags: UInt16
    /// `ciaddr`: the client's address, when it already has one (renewing, releasing, informing).
    public var clientAddress: IPv4Address
    /// `yiaddr`: the address the server offers or assigns.
    public var yourAddress: IPv4Address
    /// `siaddr`: the server for the next bootstrap step (TFTP), as BOOTP meant it.
    public var nextServerAddress: IPv4Address
    /// `giaddr`: the relay agent that forwarded the message (RFC 1542).
    public var relayAgentAddress: IPv4Address
    /// `chaddr`, all 16 bytes as sent; the first `hardwareLength` are the address.
    public var clientHardwareAddress: [UInt8]
    /// `sname` as text (up to its first NUL); nil when empty, overloaded with
    /// options, or not captured.
    public var sname: String?
    /// `file` as text (up to its first NUL); nil when empty, overloaded with
    /// options, or not captured.
    public var file: String?
    /// Whether the vendor area starts with the magic cookie 99.130.83.99
    /// (RFC 2132 §2). Without it the message is plain BOOTP and has no options.
    public var hasMagicCookie: Bool
    /// BOOTP's `vend` bytes (RFC 951) when there is no magic cookie.
    public var vendorArea: [UInt8]
    /// The options in the order they first appear (options field, then
    /// `file`, then `sname`, RFC 2131 §4.1); an option sent in several
    /// instances is one entry with their bytes concatenated (RFC 3396).
    /// Pad and End are not listed.
    public var options: [DHCPOption]
    /// Set when decoding stopped before the end: what decoded before it is kept.
    public var stop: DHCPStop?

    public static let serverPort: UInt16 = 67
    public static let clientPort: UInt16 = 68
    /// op through file.
    public static let fixedLength = 236
    /// op through chaddr: the least that decodes as a message.
    public static let minimumLength = 44
    public static let magicCookie: UInt32 = 0x6382_5363

    /// Whether a UDP datagram is BOOTP/DHCP: either port is 67 or 68, as tcpdump decides.
    public static func isDHCP(sourcePort: UInt16, destinationPort: UInt16) -> Bool {
        sourcePort == serverPort || sourcePort == clientPort || destinationPort == serverPort || destinationPort == clientPort
    }

    /// Decodes a UDP payload as BOOTP/DHCP.
    ///
    /// Throws only when the fixed fields through `chaddr` (44 bytes) are
    /// not there: truncated when the capture cut them, malformed when the
    /// datagram itself is that short. Past that, damage does not throw: the
    /// message keeps everything decoded before it, and ``stop`` says where
    /// (byte offset in the message) and why, truncated and malformed kept
    /// apart as elsewhere.
    public static func decode(_ payload: ByteView) throws(DecodeProblem) -> DHCPMessage {
        guard let op = payload.uint8(at: 0), let htype = payload.uint8(at: 1), let hlen = payload.uint8(at: 2),
              let hops = payload.uint8(at: 3), let xid = payload.uint32(at: 4), let secs = payload.uint16(at: 8),
              let flags = payload.uint16(at: 10), let ciaddr = IPv4Address(payload, at: 12),
              let yiaddr = IPv4Address(payload, at: 16), let siaddr = IPv4Address(payload, at: 20),
              let giaddr = IPv4Address(payload, at: 24), let chaddr = payload.slice(at: 28, length: 16)
        else { throw .missing(minimumLength, in: payload) }
        var m = DHCPMessage(operation: BOOTPOperation(rawValue: op), hardwareType: htype, hardwareLength: hlen, hops: hops,
                            transactionID: xid, seconds: secs, flags: flags, clientAddress: ciaddr, yourAddress: yiaddr,
                            nextServerAddress: siaddr, relayAgentAddress: giaddr, clientHardwareAddress: Array(chaddr),
                            sname: nil, file: nil, hasMagicCookie: false, vendorArea: [], options: [], stop: nil)

        guard let snameField = payload.slice(at: 44, length: 64) else {
            m.stop = DHCPStop(offset: 44, area: .sname, problem: .missing(fixedLength, in: payload))
            return m
        }
        m.sname = Self.fieldText(snameField)
        guard let fileField = payload.slice(at: 108, length: 128) else {
            m.stop = DHCPStop(offset: 108, area: .file, problem: .missing(fixedLength, in: payload))
            return m
        }
        m.file = Self.fieldText(fileField)

        guard let cookie = payload.uint32(at: fixedLength) else {
            if payload.isTruncated {
                m.stop = DHCPStop(offset: fixedLength, area: .options, problem: .missing(fixedLength + 4, in: payload))
            } else {
                // A whole BOOTP message whose vendor area is missing or shorter than a cookie.
                m.vendorArea = Array(payload.dropFirst(fixedLength) ?? payload)
            }
            return m
        }
        guard cookie == magicCookie else {
            m.vendorArea = Array(payload.dropFirst(fixedLength) ?? payload)
            return m
        }
        m.hasMagicCookie = true

        // RFC 2131 §4.1: the options field first, so that an overload option
        // can be seen; then `file`, then `sname`, if it says they hold options.
        var pieces: [Piece] = []
        m.stop = scan(payload, from: fixedLength + 4, to: payload.wireCount, area: .options, into: &pieces)
        if let overload = pieces.first(where: { $0.code == DHCPOptionCode.optionOverload.rawValue }) {
            if overload.data.count == 1, let byte = overload.data.first, let areas = DHCPOverload(byte: byte) {
                if areas.contains(.file) {
                    m.file = nil
                    let stop = scan(payload, from: 108, to: 236, area: .file, into: &pieces)
                    m.stop = m.stop ?? stop
                }
                if areas.contains(.sname) {
                    m.sname = nil
                    let stop = scan(payload, from: 44, to: 108, area: .sname, into: &pieces)
                    m.stop = m.stop ?? stop
                }
            } else {
                let value = overload.data.first.map(Int.init) ?? -1
                m.stop = m.stop ?? DHCPStop(offset: overload.offset, area: .options,
                                            problem: .malformed(.invalidField(field: .dhcpOptionOverload, value: value)))
            }
        }
        m.options = Self.aggregate(pieces)
        return m
    }

    /// One instance of an option as found on the wire.
    struct Piece {
        var code: UInt8
        var offset: Int
        var area: DHCPOptionArea
        var data: [UInt8]
    }

    /// Reads options from `start` up to `end` (a wire length), appending
    /// each to `pieces`; returns why it stopped early, or nil at End (or, in
    /// `file` and `sname`, at the end of the field).
    static func scan(_ view: ByteView, from start: Int, to end: Int, area: DHCPOptionArea, into pieces: inout [Piece]) -> DHCPStop? {
        var o = start
        while true {
            guard o < end else {
                // RFC 2131 §4.1 / RFC 2132 §3.2: the options field closes with End.
                // A full `file` or `sname` field may simply run out.
                return area == .options ? DHCPStop(offset: o, area: area, problem: .malformed(.missingEndOption(offset: o))) : nil
            }
            guard let code = view.uint8(at: o) else {
                return DHCPStop(offset: o, area: area, problem: .truncated(needed: o + 1, captured: view.count))
            }
            if code == DHCPOptionCode.end.rawValue { return nil }
            if code == DHCPOptionCode.pad.rawValue {
                o += 1
                continue
            }
            guard o + 2 <= end else {
                return DHCPStop(offset: o, area: area, problem: .malformed(.tooShort(needed: o + 2, available: end)))
            }
            guard let length = view.uint8(at: o + 1).map(Int.init) else {
                return DHCPStop(offset: o, area: area, problem: .truncated(needed: o + 2, captured: view.count))
            }
            guard o + 2 + length <= end else {
                return DHCPStop(offset: o, area: area, problem: .malformed(
                    .lengthBeyondPacket(field: .dhcpOptionLength, claimed: length, available: end - o - 2)))
            }
            guard let data = view.slice(at: o + 2, length: length) else {
                return DHCPStop(offset: o, area: area, problem: .truncated(needed: o + 2 + length, captured: view.count))
            }
            pieces.append(Piece(code: code, offset: o, area: area, data: Array(data)))
            o += 2 + length
        }
    }

    /// RFC 3396 §7: the instances of one option, in the order found, make one value.
    static func aggregate(_ pieces: [Piece]) -> [DHCPOption] {
        var options: [DHCPOption] = []
        var index: [UInt8: Int] = [:]
        for p in pieces {
            let instance = DHCPOption.Instance(area: p.area, offset: p.offset, length: p.data.count)
            if let i = index[p.code] {
                options[i].data += p.data
                options[i].instances.append(instance)
            } else {
                index[p.code] = options.count
                options.append(DHCPOption(code: DHCPOptionCode(rawValue: p.code), data: p.data, instances: [instance]))
            }
        }
        return options
    }

    /// A fixed text field up to its first NUL; nil when empty.
    static func fieldText(_ field: ByteView) -> String? {
        let end = field.firstIndex(of: 0) ?? field.count
        guard end > 0, let text = field.slice(at: 0, length: end) else { return nil }
        return String(decoding: text, as: UTF8.self)
    }
}

// MARK: - What a message says

extension DHCPMessage {
    /// The client's MAC address, for Ethernet (`htype` 1, `hlen` 6).
    public var clientMAC: MACAddress? {
        guard hardwareType == 1, hardwareLength == 6 else { return nil }
        return clientHardwareAddress.withUnsafeBytes { MACAddress(ByteView($0), at: 0) }
    }

    /// RFC 2131 §2: the client asks for replies by broadcast.
    public var isBroadcast: Bool { flags & 0x8000 != 0 }

    /// The option with this code, if the message carries it.
    public func option(_ code: DHCPOptionCode) -> DHCPOption? { options.first { $0.code == code } }

    /// Option 53; nil for plain BOOTP.
    public var messageType: DHCPMessageType? {
        if case .messageType(let t)? = option(.messageType)?.value { return t }
        return nil
    }

    /// Option 52, when it is valid.
    public var overload: DHCPOverload? {
        if case .overload(let o)? = option(.optionOverload)?.value { return o }
        return nil
    }

    /// Option 60 as text, trailing NULs removed: who the client is (what a
    /// client's vendor class means for a phone is for the protocol that
    /// knows it: `isSOSRecoveryProgram` in SOSRecovery.swift).
    public var vendorClass: String? {
        if case .text(let t)? = option(.vendorClassIdentifier)?.value { return t }
        return nil
    }

    /// Option 150 (RFC 5859) when it is a proper list of IPv4 addresses.
    public var tftpServerAddresses: [IPv4Address]? {
        if case .addresses(let a)? = option(.tftpServerAddresses)?.value { return a }
        return nil
    }

    /// Option 66 (RFC 2132 §9.4): a host name or a dotted address, as text.
    public var tftpServerName: String? {
        if case .text(let t)? = option(.tftpServerName)?.value { return t }
        return nil
    }

    /// Option 67 (RFC 2132 §9.5).
    public var bootfileName: String? {
        if case .text(let t)? = option(.bootfileName)?.value { return t }
        return nil
    }

    /// Every option whose bytes break its format, in option order (e.g.
    /// option 150 sent as text).
    public var problems: [DHCPOptionProblem] {
        options.compactMap { if case .problem(let p) = $0.value { p } else { nil } }
    }
}

/// BOOTP `op` (RFC 951): request from a client, reply from a server; others kept.
public struct BOOTPOperation: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let request = BOOTPOperation(rawValue: 1)
    public static let reply = BOOTPOperation(rawValue: 2)

    /// tcpdump's words.
    public var description: String {
        switch rawValue {
        case 1: "Request"
        case 2: "Reply"
        default: "unknown (0x\(hex2(rawValue)))"
        }
    }
}

/// Where in the message an option was found (RFC 2131 §4.1).
public enum DHCPOptionArea: String, Sendable, Equatable, Codable, CustomStringConvertible {
    case options
    case file
    case sname

    public var description: String { rawValue }
}

/// Option 52: which fixed fields hold options too (RFC 2132 §9.3).
public struct DHCPOverload: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let file = DHCPOverload(rawValue: 1)
    public static let sname = DHCPOverload(rawValue: 2)

    /// 1, 2 or 3; nil for any other value.
    public init?(byte: UInt8) {
        guard (1...3).contains(byte) else { return nil }
        rawValue = byte
    }

    public var description: String {
        switch rawValue {
        case 1: "file"
        case 2: "sname"
        case 3: "file and sname"
        default: "\(rawValue)"
        }
    }
}

/// Where and why decoding a message stopped early.
public struct DHCPStop: Sendable, Equatable, CustomStringConvertible {
    /// Byte offset in the DHCP message (the UDP payload) of the option or
    /// field that could not be read.
    public var offset: Int
    public var area: DHCPOptionArea
    public var problem: DecodeProblem

    public var isTruncation: Bool { problem.isTruncation }

    public var description: String {
        switch problem {
        case .truncated(let needed, let captured):
            "DHCP truncated by snap length at byte \(offset): needs \(needed) bytes, \(captured) captured"
        case .malformed(let what):
            "malformed DHCP at byte \(offset) (\(area)): \(what)"
        }
    }
}

// MARK: - Options

/// One option, its instances concatenated (RFC 3396).
public struct DHCPOption: Sendable, Equatable {
    public var code: DHCPOptionCode
    /// The value bytes of every instance, in order.
    public var data: [UInt8]
    /// Each instance as sent: area, offset of its code byte in the message, value length.
    public var instances: [Instance]

    public struct Instance: Sendable, Equatable {
        public var area: DHCPOptionArea
        public var offset: Int
        public var length: Int

        public init(area: DHCPOptionArea, offset: Int, length: Int) {
            self.area = area
            self.offset = offset
            self.length = length
        }
    }

    public init(code: DHCPOptionCode, data: [UInt8], instances: [Instance] = []) {
        self.code = code
        self.data = data
        self.instances = instances
    }

    /// The value, read by the option's format.
    public var value: DHCPOptionValue { DHCPOptionValue(code: code, data: data) }
}

/// A DHCP option code; the known ones named, others kept.
public struct DHCPOptionCode: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let pad = DHCPOptionCode(rawValue: 0)
    public static let subnetMask = DHCPOptionCode(rawValue: 1)
    public static let router = DHCPOptionCode(rawValue: 3)
    public static let domainNameServer = DHCPOptionCode(rawValue: 6)
    public static let hostName = DHCPOptionCode(rawValue: 12)
    public static let domainName = DHCPOptionCode(rawValue: 15)
    public static let vendorSpecific = DHCPOptionCode(rawValue: 43)
    public static let requestedIPAddress = DHCPOptionCode(rawValue: 50)
    public static let leaseTime = DHCPOptionCode(rawValue: 51)
    public static let optionOverload = DHCPOptionCode(rawValue: 52)
    public static let messageType = DHCPOptionCode(rawValue: 53)
    public static let serverIdentifier = DHCPOptionCode(rawValue: 54)
    public static let parameterRequestList = DHCPOptionCode(rawValue: 55)
    public static let message = DHCPOptionCode(rawValue: 56)
    public static let maximumMessageSize = DHCPOptionCode(rawValue: 57)
    public static let renewalTime = DHCPOptionCode(rawValue: 58)
    public static let rebindingTime = DHCPOptionCode(rawValue: 59)
    public static let vendorClassIdentifier = DHCPOptionCode(rawValue: 60)
    public static let clientIdentifier = DHCPOptionCode(rawValue: 61)
    public static let tftpServerName = DHCPOptionCode(rawValue: 66)
    public static let bootfileName = DHCPOptionCode(rawValue: 67)
    public static let relayAgentInformation = DHCPOptionCode(rawValue: 82)
    public static let captivePortal = DHCPOptionCode(rawValue: 114)
    public static let vendorIdentifyingVendorSpecific = DHCPOptionCode(rawValue: 125)
    public static let tftpServerAddresses = DHCPOptionCode(rawValue: 150)
    public static let portParameters = DHCPOptionCode(rawValue: 159)
    /// 160 was RFC 7710's captive-portal URL until RFC 8910 moved that to
    /// 114 "due to a conflict": phone vendors (Polycom, AudioCodes,
    /// Panasonic) use 160 for the provisioning server's URL, and Cisco SPA
    /// phones ask for it with 66, 159 and 150 (domain.md). sosdump names it
    /// for that use; either way its value is a URL, read as text.
    public static let provisioningURL = DHCPOptionCode(rawValue: 160)
    public static let end = DHCPOptionCode(rawValue: 255)

    /// The option's name (RFC 2132 and later RFCs), nil if sosdump does not know it.
    public var name: String? {
        switch rawValue {
        case 0: "Pad"
        case 1: "Subnet Mask"
        case 2: "Time Offset"
        case 3: "Router"
        case 4: "Time Server"
        case 5: "Name Server"
        case 6: "Domain Name Server"
        case 7: "Log Server"
        case 8: "Cookie Server"
        case 9: "LPR Server"
        case 10: "Impress Server"
        case 11: "Resource Location Server"
        case 12: "Host Name"
        case 13: "Boot File Size"
        case 14: "Merit Dump File"
        case 15: "Domain Name"
        case 16: "Swap Server"
        case 17: "Root Path"
        case 18: "Extensions Path"
        case 19: "IP Forwarding"
        case 23: "Default IP TTL"
        case 26: "Interface MTU"
        case 28: "Broadcast Address"
        case 33: "Static Route"
        case 40: "NIS Domain"
        case 41: "NIS Servers"
        case 42: "NTP Servers"
        case 43: "Vendor-Specific Information"
        case 44: "NetBIOS Name Server"
        case 46: "NetBIOS Node Type"
        case 47: "NetBIOS Scope"
        case 50: "Requested IP Address"
        case 51: "IP Address Lease Time"
        case 52: "Option Overload"
        case 53: "DHCP Message Type"
        case 54: "Server Identifier"
        case 55: "Parameter Request List"
        case 56: "Message"
        case 57: "Maximum DHCP Message Size"
        case 58: "Renewal Time"
        case 59: "Rebinding Time"
        case 60: "Vendor Class Identifier"
        case 61: "Client Identifier"
        case 66: "TFTP Server Name"
        case 67: "Bootfile Name"
        case 77: "User Class"
        case 81: "Client FQDN"
        case 82: "Relay Agent Information"
        case 93: "Client System Architecture"
        case 97: "Client Machine Identifier"
        case 114: "Captive Portal"
        case 116: "Auto-Configure"
        case 118: "Subnet Selection"
        case 119: "Domain Search"
        case 120: "SIP Servers"
        case 121: "Classless Static Route"
        case 124: "Vendor-Identifying Vendor Class"
        case 125: "Vendor-Identifying Vendor-Specific Information"
        case 150: "TFTP Server Addresses"
        case 159: "Port Parameters"
        case 160: "Provisioning Server URL"
        case 249: "Classless Static Route (Microsoft)"
        case 252: "Web Proxy Auto-Discovery"
        case 255: "End"
        default: nil
        }
    }

    /// "Name (code)" or "option code".
    public var description: String { name.map { "\($0) (\(rawValue))" } ?? "option \(rawValue)" }

    public static func < (a: DHCPOptionCode, b: DHCPOptionCode) -> Bool { a.rawValue < b.rawValue }
}

/// Option 53's values (RFC 2132 §9.6; 9 RFC 3203; 10–13 RFC 4388; 14–15
/// RFC 6926; 16–18 RFC 7724); others kept.
public struct DHCPMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let discover = DHCPMessageType(rawValue: 1)
    public static let offer = DHCPMessageType(rawValue: 2)
    public static let request = DHCPMessageType(rawValue: 3)
    public static let decline = DHCPMessageType(rawValue: 4)
    public static let ack = DHCPMessageType(rawValue: 5)
    public static let nak = DHCPMessageType(rawValue: 6)
    public static let release = DHCPMessageType(rawValue: 7)
    public static let inform = DHCPMessageType(rawValue: 8)

    public var name: String? {
        switch rawValue {
        case 1: "Discover"
        case 2: "Offer"
        case 3: "Request"
        case 4: "Decline"
        case 5: "ACK"
        case 6: "NAK"
        case 7: "Release"
        case 8: "Inform"
        case 9: "ForceRenew"
        case 10: "LeaseQuery"
        case 11: "LeaseUnassigned"
        case 12: "LeaseUnknown"
        case 13: "LeaseActive"
        case 14: "BulkLeaseQuery"
        case 15: "LeaseQueryDone"
        case 16: "ActiveLeaseQuery"
        case 17: "LeaseQueryStatus"
        case 18: "TLS"
        default: nil
        }
    }

    /// "DHCP-Discover", or "DHCP-type-N" for an unknown type.
    public var description: String { "DHCP-" + (name ?? "type-\(rawValue)") }
}

/// An option's value, read by its format; a known option whose bytes break
/// that format gives ``problem(_:)`` (its bytes stay in ``DHCPOption/data``).
public enum DHCPOptionValue: Sendable, Equatable {
    /// One IPv4 address (1, 16, 28, 32, 50, 54, 118).
    case address(IPv4Address)
    /// A list of IPv4 addresses (3, 4–11, 41, 42, 44, 45, 48, 49, 65, 68–76, 150).
    case addresses([IPv4Address])
    /// Text, trailing NULs removed (12, 14, 15, 17, 18, 40, 47, 56, 60, 62,
    /// 64, 66, 67, 114, 160, and 159 when it carries a URL).
    case text(String)
    /// A time in seconds (51, 58, 59).
    case seconds(UInt32)
    /// A 16-bit number (13, 22, 26, 57, 93).
    case number(UInt16)
    /// Option 53.
    case messageType(DHCPMessageType)
    /// Option 55: the options the client asks for, in its order.
    case parameterRequestList([DHCPOptionCode])
    /// Option 61.
    case clientIdentifier(DHCPClientIdentifier)
    /// Option 52.
    case overload(DHCPOverload)
    /// Option 43: the vendor's bytes (in ``DHCPOption/data``), and their
    /// sub-options when they read as code/length/value triples (RFC 2132 §8.4).
    case vendorSpecific(subOptions: [DHCPSubOption]?)
    /// Option 82 (RFC 3046).
    case relayAgentInformation(DHCPRelayAgentInformation)
    /// Option 125 (RFC 3925 §4): one entry per enterprise number.
    case vendorIdentifying([DHCPVendorIdentifyingData])
    /// Option 159, OPTION_V4_PORTPARAMS (RFC 7618 §4): the port set of a
    /// shared IPv4 address.
    case portParameters(offset: UInt8, psidLength: UInt8, psid: UInt16)
    /// An option sosdump does not decode: its bytes are in ``DHCPOption/data``.
    case bytes
    /// A known option whose bytes break its format.
    case problem(DHCPOptionProblem)

    init(code: DHCPOptionCode, data: [UInt8]) {
        self = data.withUnsafeBytes { Self(code: code, data: data, value: ByteView($0)) }
    }

    /// `value` is `data` seen through the checked reader: every read of the
    /// option's bytes goes through it (`data` only for text and copies).
    private init(code: DHCPOptionCode, data: [UInt8], value: ByteView) {
        switch code.rawValue {
        case 1, 16, 28, 32, 50, 54, 118:
            if value.count == 4, let a = IPv4Address(value, at: 0) {
                self = .address(a)
            } else {
                self = .problem(Self.addressProblem(code, data))
            }
        case 3...11, 41, 42, 44, 45, 48, 49, 65, 68...76, 150:
            self = Self.addressList(code, data, value)
        case 12, 14, 15, 17, 18, 40, 47, 56, 60, 62, 64, 66, 67, 114, 160:
            self = .text(Self.text(data))
        case 51, 58, 59:
            if value.count == 4, let seconds = value.uint32(at: 0) {
                self = .seconds(seconds)
            } else {
                self = .problem(.wrongLength(code: code, length: value.count, expected: 4))
            }
        case 13, 22, 26, 57, 93:
            if value.count == 2, let n = value.uint16(at: 0) {
                self = .number(n)
            } else {
                self = .problem(.wrongLength(code: code, length: value.count, expected: 2))
            }
        case 53:
            if value.count == 1, let type = value.uint8(at: 0) {
                self = .messageType(DHCPMessageType(rawValue: type))
            } else {
                self = .problem(.wrongLength(code: code, length: value.count, expected: 1))
            }
        case 55:
            self = data.isEmpty ? .problem(.tooShort(code: code, length: 0, minimum: 1))
                : .parameterRequestList(data.map(DHCPOptionCode.init(rawValue:)))
        case 61:
            // RFC 2132 §9.14: a type byte and at least one byte of identifier.
            if value.count >= 2, let type = value.uint8(at: 0), let identifier = value.dropFirst(1) {
                self = .clientIdentifier(DHCPClientIdentifier(type: type, identifier: Array(identifier)))
            } else {
                self = .problem(.tooShort(code: code, length: value.count, minimum: 2))
            }
        case 52:
            if value.count != 1 {
                self = .problem(.wrongLength(code: code, length: value.count, expected: 1))
            } else if let byte = value.uint8(at: 0), let o = DHCPOverload(byte: byte) {
                self = .overload(o)
            } else {
                self = .problem(.invalidValue(code: code, value: value.uint8(at: 0).map(Int.init) ?? -1))
            }
        case 43:
            self = .vendorSpecific(subOptions: try? DHCPSubOption.list(value, code: code, allowPadAndEnd: true))
        case 82:
            do throws(DHCPOptionProblem) {
                self = .relayAgentInformation(DHCPRelayAgentInformation(subOptions: try DHCPSubOption.list(value, code: code)))
            } catch {
                self = .problem(error)
            }
        case 125:
            do throws(DHCPOptionProblem) {
                self = .vendorIdentifying(try DHCPVendorIdentifyingData.list(value))
            } catch {
                self = .problem(error)
            }
        case 159:
            // RFC 7618's 4 bytes; vendors (Cisco SPA, Panasonic) also use 159
            // for a provisioning URL, which is text.
            if value.count == 4, !Self.isPrintable(data), let offset = value.uint8(at: 0), let psidLength = value.uint8(at: 1),
               let psid = value.uint16(at: 2) {
                self = .portParameters(offset: offset, psidLength: psidLength, psid: psid)
            } else if Self.isPrintable(data) {
                self = .text(Self.text(data))
            } else {
                self = .problem(.wrongLength(code: code, length: value.count, expected: 4))
            }
        default:
            self = .bytes
        }
    }

    /// RFC 2132 §3.3 and the like (RFC 5859 §3 for 150): one or more 4-byte
    /// addresses. Text that spells addresses is named as such before the
    /// length is looked at: "10.0.0.1" is 8 bytes, a multiple of 4.
    static func addressList(_ code: DHCPOptionCode, _ data: [UInt8], _ value: ByteView) -> DHCPOptionValue {
        if data.isEmpty { return .problem(.tooShort(code: code, length: 0, minimum: 4)) }
        if let text = addressText(data) { return .problem(.addressesAsText(code: code, text: text)) }
        guard value.count % 4 == 0 else { return .problem(.lengthNotMultipleOfFour(code: code, length: value.count)) }
        return .addresses(stride(from: 0, to: value.count, by: 4).compactMap { IPv4Address(value, at: $0) })
    }

    static func addressProblem(_ code: DHCPOptionCode, _ data: [UInt8]) -> DHCPOptionProblem {
        if let text = addressText(data) { return .addressesAsText(code: code, text: text) }
        return .wrongLength(code: code, length: data.count, expected: 4)
    }

    /// The text when `data` is ASCII dotted-quad addresses (separated by
    /// commas, semicolons or spaces, perhaps NUL-terminated), else nil.
    static func addressText(_ data: [UInt8]) -> String? {
        var bytes = data[...]
        while bytes.last == 0 { bytes = bytes.dropLast() }
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x2C || $0 == 0x3B || $0 == 0x20 })
        else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " })
        guard !parts.isEmpty, parts.allSatisfy({ IPv4Address($0) != nil }) else { return nil }
        return text
    }

    /// RFC 2132 §2: text options "should not" be NUL-terminated, but many
    /// servers (dnsmasq for 66 and 67) send one; it is not part of the text.
    static func text(_ data: [UInt8]) -> String {
        var bytes = data[...]
        while bytes.last == 0 { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isPrintable(_ data: [UInt8]) -> Bool {
        var bytes = data[...]
        while bytes.last == 0 { bytes = bytes.dropLast() }
        return !bytes.isEmpty && bytes.allSatisfy { (0x20...0x7E).contains($0) }
    }
}

/// How an option's bytes break its format, in words a person can act on.
public enum DHCPOptionProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// An address-list option whose bytes are the text of addresses: the
    /// tftpd32/tftpd64 mistake with option 150 (domain.md).
    case addressesAsText(code: DHCPOptionCode, text: String)
    /// An address-list option whose length is not a multiple of 4.
    case lengthNotMultipleOfFour(code: DHCPOptionCode, length: Int)
    /// A fixed-size option of another size.
    case wrongLength(code: DHCPOptionCode, length: Int, expected: Int)
    /// An option shorter than its format's minimum.
    case tooShort(code: DHCPOptionCode, length: Int, minimum: Int)
    /// A value the option does not allow (option 52 other than 1, 2 or 3).
    case invalidValue(code: DHCPOptionCode, value: Int)
    /// A sub-option (82, 125) or vendor data block (125) claims more bytes
    /// than its option holds; `offset` is in the option's value.
    case subOptionBeyondEnd(code: DHCPOptionCode, offset: Int, claimed: Int, available: Int)

    public var code: DHCPOptionCode {
        switch self {
        case .addressesAsText(let c, _), .lengthNotMultipleOfFour(let c, _), .wrongLength(let c, _, _),
             .tooShort(let c, _, _), .invalidValue(let c, _), .subOptionBeyondEnd(let c, _, _, _): c
        }
    }

    /// What a Cisco phone does with a broken option 150.
    private var consequence: String {
        code == .tftpServerAddresses ? "; Cisco phones will not use it" : ""
    }

    private var subject: String {
        code.name.map { "option \(code.rawValue) (\($0))" } ?? "option \(code.rawValue)"
    }

    public var description: String {
        switch self {
        case .addressesAsText(_, let text):
            "\(subject) holds the text \"\(text)\" instead of 4-byte addresses\(consequence)"
        case .lengthNotMultipleOfFour(_, let length):
            "\(subject) is \(length) bytes long, not a multiple of 4, so it is not a list of IPv4 addresses\(consequence)"
        case .wrongLength(_, let length, let expected):
            "\(subject) is \(length) bytes long instead of \(expected)\(consequence)"
        case .tooShort(_, let length, let minimum):
            "\(subject) is \(length) bytes long, less than the minimum \(minimum)\(consequence)"
        case .invalidValue(_, let value):
            "\(subject) has the invalid value \(value)"
        case .subOptionBeyondEnd(_, let offset, let claimed, let available):
            "\(subject): the sub-option at byte \(offset) of its value claims \(claimed) bytes but only \(available) follow"
        }
    }
}

/// Option 61 (RFC 2132 §9.14): a type (an ARP hardware type, or 0 for
/// anything else) and the identifier.
public struct DHCPClientIdentifier: Sendable, Equatable, CustomStringConvertible {
    public var type: UInt8
    public var identifier: [UInt8]

    /// The MAC address, for type 1 with 6 bytes (what phones send).
    public var mac: MACAddress? {
        guard type == 1, identifier.count == 6 else { return nil }
        return identifier.withUnsafeBytes { MACAddress(ByteView($0), at: 0) }
    }

    public var description: String {
        if let mac { return "ether \(mac)" }
        return "type \(type) " + identifier.map(hex2).joined()
    }
}

/// A sub-option of option 82, 43 or one of option 125's vendor blocks.
public struct DHCPSubOption: Sendable, Equatable {
    public var code: UInt8
    public var data: [UInt8]

    public init(code: UInt8, data: [UInt8]) {
        self.code = code
        self.data = data
    }

    /// Code/length/value triples filling `bytes`; with `allowPadAndEnd`
    /// (option 43, RFC 2132 §8.4) 0 is skipped and 255 ends the list.
    static func list(_ bytes: ByteView, code: DHCPOptionCode, allowPadAndEnd: Bool = false) throws(DHCPOptionProblem) -> [DHCPSubOption] {
        var result: [DHCPSubOption] = []
        var i = 0
        while let sub = bytes.uint8(at: i) {
            if allowPadAndEnd, sub == 0 { i += 1; continue }
            if allowPadAndEnd, sub == 255 { break }
            guard let length = bytes.uint8(at: i + 1).map(Int.init) else {
                throw .subOptionBeyondEnd(code: code, offset: i, claimed: 1, available: 0)
            }
            guard let data = bytes.slice(at: i + 2, length: length) else {
                throw .subOptionBeyondEnd(code: code, offset: i, claimed: length, available: bytes.count - i - 2)
            }
            result.append(DHCPSubOption(code: sub, data: Array(data)))
            i += 2 + length
        }
        return result
    }
}

/// Option 82 (RFC 3046): what a relay agent says about the client's port.
public struct DHCPRelayAgentInformation: Sendable, Equatable {
    public var subOptions: [DHCPSubOption]

    public init(subOptions: [DHCPSubOption]) { self.subOptions = subOptions }

    /// Sub-option 1 (RFC 3046 §3.1), often the relay's interface name.
    public var circuitID: [UInt8]? { subOptions.first { $0.code == 1 }?.data }
    /// Sub-option 2 (RFC 3046 §3.2).
    public var remoteID: [UInt8]? { subOptions.first { $0.code == 2 }?.data }
    /// Sub-option 5 (RFC 3527): the subnet to allocate from.
    public var linkSelection: IPv4Address? {
        guard let d = subOptions.first(where: { $0.code == 5 })?.data, d.count == 4 else { return nil }
        return d.withUnsafeBytes { IPv4Address(ByteView($0), at: 0) }
    }

    /// Names of the sub-options of RFC 3046 and its successors.
    public static func name(ofSubOption code: UInt8) -> String? {
        switch code {
        case 1: "Circuit ID"
        case 2: "Remote ID"
        case 4: "DOCSIS Device Class"
        case 5: "Link Selection"
        case 6: "Subscriber ID"
        case 7: "RADIUS Attributes"
        case 8: "Authentication"
        case 9: "Vendor-Specific Information"
        case 10: "Relay Agent Flags"
        case 11: "Server Identifier Override"
        case 12: "Relay Agent Identifier"
        case 19: "Relay Source Port"
        case 151: "VRF Name/VPN ID"
        case 152: "Relay Agent VPN Control"
        default: nil
        }
    }
}

/// One enterprise's block of option 125 (RFC 3925 §4).
///
/// ```
///  enterprise-number (4) | data-len (1) | sub-option code (1) | len (1) | data ... | ...
/// ```
public struct DHCPVendorIdentifyingData: Sendable, Equatable {
    /// IANA private enterprise number: 9 is Cisco, 3561 the Broadband Forum (TR-111).
    public var enterpriseNumber: UInt32
    public var subOptions: [DHCPSubOption]

    public init(enterpriseNumber: UInt32, subOptions: [DHCPSubOption]) {
        self.enterpriseNumber = enterpriseNumber
        self.subOptions = subOptions
    }

    static func list(_ bytes: ByteView) throws(DHCPOptionProblem) -> [DHCPVendorIdentifyingData] {
        let code = DHCPOptionCode.vendorIdentifyingVendorSpecific
        var result: [DHCPVendorIdentifyingData] = []
        var i = 0
        while i < bytes.count {
            guard let enterprise = bytes.uint32(at: i), let length = bytes.uint8(at: i + 4).map(Int.init) else {
                throw .subOptionBeyondEnd(code: code, offset: i, claimed: 5, available: bytes.count - i)
            }
            guard let block = bytes.slice(at: i + 5, length: length) else {
                throw .subOptionBeyondEnd(code: code, offset: i, claimed: length, available: bytes.count - i - 5)
            }
            do throws(DHCPOptionProblem) {
                let subs = try DHCPSubOption.list(block, code: code)
                result.append(DHCPVendorIdentifyingData(enterpriseNumber: enterprise, subOptions: subs))
            } catch {
                // Offsets inside the block, made offsets in the whole value.
                if case .subOptionBeyondEnd(let c, let o, let claimed, let available) = error {
                    throw .subOptionBeyondEnd(code: c, offset: i + 5 + o, claimed: claimed, available: available)
                }
                throw error
            }
            i += 5 + length
        }
        return result
    }
}

// MARK: - Where a phone fetches its files: options 150 and 66

/// Option 150 (RFC 5859) as an IP phone reads it, with the ways it goes
/// wrong named, so a diagnosis can judge it against where the TFTP server
/// really is. tftpd32/tftpd64 reads a user-defined option as `TYPE VALUE`:
/// `a 10.0.0.1` sends the address; no type sends the text; `i 10.0.0.1`
/// sends `atoi("10.0.0.1")` = 10 as 4 little-endian bytes, 10.0.0.0.
public enum DHCPTFTPServerList: Sendable, Equatable {
    /// A list of IPv4 addresses, as it should be.
    case addresses([IPv4Address])
    /// A list with an address of the form x.0.0.0 (x not 0): what an entry
    /// typed as an integer gives. The list as sent; a phone uses it, so a
    /// server really at x.0.0.0 still works.
    case integerEntry([IPv4Address])
    /// Text instead of addresses: the text, and the addresses it spells
    /// (`10.0.0.1`; none for a name).
    case text(String, spelled: [IPv4Address])
    /// Bytes whose length is not a multiple of 4 and that are not text.
    case badLength(Int)
    /// No bytes.
    case empty

    init(_ data: [UInt8]) {
        if data.isEmpty {
            self = .empty
        } else if let text = DHCPOptionValue.addressText(data) {
            let parts = text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " })
            self = .text(text, spelled: parts.compactMap { IPv4Address($0) })
        } else if data.count % 4 != 0 {
            self = DHCPOptionValue.isPrintable(data) ? .text(DHCPOptionValue.text(data), spelled: []) : .badLength(data.count)
        } else {
            let list = data.withUnsafeBytes { raw in
                stride(from: 0, to: data.count, by: 4).compactMap { IPv4Address(ByteView(raw), at: $0) }
            }
            let integer = list.contains { $0.rawValue & 0x00FF_FFFF == 0 && $0.rawValue != 0 }
            self = integer ? .integerEntry(list) : .addresses(list)
        }
    }

    /// The addresses a phone would try (none for text, a bad length or no bytes).
    public var usableAddresses: [IPv4Address] {
        switch self {
        case .addresses(let a), .integerEntry(let a): a
        case .text, .badLength, .empty: []
        }
    }
}

/// Option 66 (RFC 2132 §9.4): a TFTP server named by text, which phones
/// read as a dotted address or a host name to look up.
public enum DHCPTFTPServerHost: Sendable, Equatable {
    case address(IPv4Address)
    case name(String)
    case empty
}

extension DHCPMessage {
    /// Option 150 as a phone reads it; nil when the message has none.
    public var tftpServerList: DHCPTFTPServerList? {
        option(.tftpServerAddresses).map { DHCPTFTPServerList($0.data) }
    }

    /// Option 66 as a phone reads it; nil when the message has none.
    public var tftpServerHost: DHCPTFTPServerHost? {
        guard let data = option(.tftpServerName)?.data else { return nil }
        let text = DHCPOptionValue.text(data).trimmingSpaces
        if text.isEmpty { return .empty }
        return IPv4Address(text).map(DHCPTFTPServerHost.address) ?? .name(text)
    }
}

// MARK: - Text

extension DHCPOptionValue: CustomStringConvertible {
    /// The value as a person reads it (option bytes in hex where there is no format).
    public var description: String {
        switch self {
        case .address(let a): a.description
        case .addresses(let list): list.map(\.description).joined(separator: ", ")
        case .text(let t): "\"\(t)\""
        case .seconds(let s): "\(s) s"
        case .number(let n): "\(n)"
        case .messageType(let t): t.name ?? "type \(t.rawValue)"
        case .parameterRequestList(let codes): codes.map { String($0.rawValue) }.joined(separator: ", ")
        case .clientIdentifier(let id): id.description
        case .overload(let o): o.description
        case .vendorSpecific(let subs):
            subs.map { $0.map { "\($0.code) \(DHCPOptionValue.printableOrHex($0.data))" }.joined(separator: ", ") } ?? "opaque"
        case .relayAgentInformation(let info):
            info.subOptions.map { sub in
                let name = DHCPRelayAgentInformation.name(ofSubOption: sub.code) ?? "sub-option \(sub.code)"
                return "\(name) \(DHCPOptionValue.printableOrHex(sub.data))"
            }.joined(separator: ", ")
        case .vendorIdentifying(let blocks):
            blocks.map { b in
                "enterprise \(b.enterpriseNumber): " + b.subOptions.map { "\($0.code) \(DHCPOptionValue.printableOrHex($0.data))" }
                    .joined(separator: ", ")
            }.joined(separator: "; ")
        case .portParameters(let offset, let psidLength, let psid): "offset \(offset), PSID length \(psidLength), PSID \(psid)"
        case .bytes: "bytes"
        case .problem(let p): p.description
        }
    }

    /// Quoted text when printable ASCII, else hex.
    static func printableOrHex(_ data: [UInt8]) -> String {
        isPrintable(data) ? "\"\(text(data))\"" : data.map(hex2).joined()
    }
}

extension DHCPOption {
    /// The value in words; unknown options in hex.
    public var valueText: String {
        if case .bytes = value { return data.map(hex2).joined() }
        return value.description
    }
}

// MARK: - From a dissection

extension Dissection {
    /// The frame's UDP payload decoded as BOOTP/DHCP, when either UDP port
    /// is 67 or 68; nil for any other frame. The message owns its values,
    /// so it outlives the frame.
    public var dhcp: Result<DHCPMessage, DecodeProblem>? {
        guard let (header, payload) = udp,
              DHCPMessage.isDHCP(sourcePort: header.sourcePort, destinationPort: header.destinationPort)
        else { return nil }
        do throws(DecodeProblem) {
            return .success(try DHCPMessage.decode(payload))
        } catch {
            return .failure(error)
        }
    }
}
