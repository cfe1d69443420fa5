/// Skinny Client Control Protocol (SCCP), Cisco's protocol between an IP
/// phone and its call manager, over TCP port 2000 (2443 with TLS). No RFC:
/// the layout is Cisco's, as Wireshark's `packet-skinny.c` and the
/// chan_sccp message tables read it.
///
/// Every message is framed the same way, all integers little-endian:
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+
/// |  length: bytes after the header version (message id + data)   |
/// +---------------------------------------------------------------+
/// |  header version (0 basic; 0x0A–0x16 for protocol 10–22)       |
/// +---------------------------------------------------------------+
/// |  message id                                                   |
/// +---------------------------------------------------------------+
/// |  data (length - 4) ...                                        |
/// ```
///
/// Messages ride the TCP stream back to back and split across segments
/// as TCP pleases; ``SCCPStreamTracker`` rebuilds the stream and cuts it
/// into messages with ``SCCPFraming``. The messages a phone's boot needs
/// are decoded by name: Register (0x0001, the phone's device name and
/// type), RegisterAck (0x0081), RegisterReject (0x009D, with its text),
/// Reset (0x009F), KeepAlive (0x0000), KeepAliveAck (0x0100), Unregister
/// (0x0027) and UnregisterAck (0x0118); the others by number.
public enum SCCP {
    public static let port: UInt16 = 2000
    public static let tlsPort: UInt16 = 2443
    /// Length and header version.
    public static let headerLength = 8
    /// The length field counts the message id: at least 4.
    public static let minimumLength = 4
    /// The longest length field taken as a message (the largest messages,
    /// button and softkey templates, are a few kilobytes): a longer one
    /// means the stream is not where a message starts.
    public static let maximumLength = 16384
    /// Header versions Wireshark accepts: 0 (basic) and protocol versions
    /// 10, 11, 15–22.
    public static let headerVersions: Set<UInt32> = [0x00, 0x0A, 0x0B, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16]
}

/// A message id; the known ones named (Wireshark's names), others kept.
public struct SCCPMessageID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let keepAlive = SCCPMessageID(rawValue: 0x0000)
    public static let register = SCCPMessageID(rawValue: 0x0001)
    public static let unregister = SCCPMessageID(rawValue: 0x0027)
    public static let registerAck = SCCPMessageID(rawValue: 0x0081)
    public static let registerReject = SCCPMessageID(rawValue: 0x009D)
    public static let reset = SCCPMessageID(rawValue: 0x009F)
    public static let keepAliveAck = SCCPMessageID(rawValue: 0x0100)
    public static let unregisterAck = SCCPMessageID(rawValue: 0x0118)

    public var name: String? {
        switch rawValue {
        case 0x0000: "KeepAliveMessage"
        case 0x0001: "RegisterMessage"
        case 0x0002: "IpPortMessage"
        case 0x0003: "KeypadButtonMessage"
        case 0x0006: "OffHookMessage"
        case 0x0007: "OnHookMessage"
        case 0x000D: "TimeDateReqMessage"
        case 0x000E: "ButtonTemplateReqMessage"
        case 0x000F: "VersionReqMessage"
        case 0x0010: "CapabilitiesResMessage"
        case 0x0020: "AlarmMessage"
        case 0x0025: "SoftKeySetReqMessage"
        case 0x0027: "UnregisterMessage"
        case 0x0028: "SoftKeyTemplateReqMessage"
        case 0x002D: "RegisterAvailableLinesMessage"
        case 0x0081: "RegisterAckMessage"
        case 0x0094: "DefineTimeDate"
        case 0x0097: "ButtonTemplateMessage"
        case 0x0098: "VersionMessage"
        case 0x009B: "CapabilitiesReqMessage"
        case 0x009D: "RegisterRejectMessage"
        case 0x009F: "ResetMessage"
        case 0x0100: "KeepAliveAckMessage"
        case 0x0108: "SoftKeyTemplateResMessage"
        case 0x0109: "SoftKeySetResMessage"
        case 0x0118: "UnregisterAckMessage"
        default: nil
        }
    }

    public var description: String { name ?? "message 0x\(String(rawValue, radix: 16))" }
}

/// Register (0x0001): who the phone is. Offsets in the data (after the id).
///
/// ```
///   0  16  device name, NUL-padded ("SEP001122334455")
///  16   4  user id (reserved)
///  20   4  instance
///  24   4  station IPv4 address (network order)
///  28   4  device type (435 = 7945 ...)
///  32   4  max streams
/// ```
public struct SCCPRegister: Sendable, Equatable {
    public var deviceName: String
    public var userID: UInt32
    public var instance: UInt32
    public var stationAddress: IPv4Address
    public var deviceType: UInt32
    /// nil when the message ends before it.
    public var maxStreams: UInt32?

    public init(deviceName: String, userID: UInt32 = 0, instance: UInt32 = 1, stationAddress: IPv4Address, deviceType: UInt32,
                maxStreams: UInt32? = 5) {
        self.deviceName = deviceName
        self.userID = userID
        self.instance = instance
        self.stationAddress = stationAddress
        self.deviceType = deviceType
        self.maxStreams = maxStreams
    }

    static let deviceNameLength = 16
    /// Through the device type.
    static let minimumLength = 32
}

/// Reset (0x009F): 1 resets the phone (reboots it), 2 restarts it (reloads
/// its configuration).
public struct SCCPResetType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let reset = SCCPResetType(rawValue: 1)
    public static let restart = SCCPResetType(rawValue: 2)
    public var description: String {
        switch rawValue {
        case 1: "reset"
        case 2: "restart"
        default: "type \(rawValue)"
        }
    }
}

/// What a message says, for the messages sosdump reads by name.
public enum SCCPBody: Sendable, Equatable {
    case register(SCCPRegister)
    /// Keepalive interval in seconds; the secondary one when present.
    case registerAck(keepAlive: UInt32, secondaryKeepAlive: UInt32?)
    /// The text the call manager gives (up to 33 bytes, NUL-ended).
    case registerReject(text: String)
    case reset(SCCPResetType)
    case keepAlive
    case keepAliveAck
    case unregister
    case unregisterAck(status: UInt32?)
    /// Another message: its data bytes are not read.
    case other
    /// A message read by name whose data is shorter than its fields.
    case short(needed: Int, available: Int)
}

/// One SCCP message.
public struct SCCPMessage: Sendable, Equatable {
    /// The length field: message id and data bytes.
    public var length: Int
    public var headerVersion: UInt32
    public var id: SCCPMessageID
    public var body: SCCPBody

    public init(length: Int, headerVersion: UInt32 = 0, id: SCCPMessageID, body: SCCPBody) {
        self.length = length
        self.headerVersion = headerVersion
        self.id = id
        self.body = body
    }

    /// Decodes one whole message (header included), as ``SCCPFraming``
    /// cut it from the stream. Throws when the header is not there, its
    /// length or version break the rules, or the data the length claims is
    /// not all there.
    public static func decode(_ bytes: ByteView) throws(DecodeProblem) -> SCCPMessage {
        let total: Int
        switch SCCPFraming.check(bytes) {
        case .needMore(let n): throw .missing(n, in: bytes)
        case .invalid(let problem): throw problem
        case .message(let t): total = t
        }
        guard let version = bytes.uint32(at: 4, .little), let id = bytes.uint32(at: 8, .little),
              let data = bytes.slice(at: 12, length: total - 12) else { throw .missing(total, in: bytes) }
        let messageID = SCCPMessageID(rawValue: id)
        return SCCPMessage(length: total - SCCP.headerLength, headerVersion: version, id: messageID, body: body(messageID, data))
    }

    static func body(_ id: SCCPMessageID, _ data: ByteView) -> SCCPBody {
        func short(_ needed: Int) -> SCCPBody { .short(needed: needed, available: data.count) }
        switch id {
        case .register:
            guard let name = data.slice(at: 0, length: SCCPRegister.deviceNameLength), let user = data.uint32(at: 16, .little),
                  let instance = data.uint32(at: 20, .little), let address = IPv4Address(data, at: 24),
                  let type = data.uint32(at: 28, .little)
            else { return short(SCCPRegister.minimumLength) }
            return .register(SCCPRegister(deviceName: text(name), userID: user, instance: instance, stationAddress: address,
                                          deviceType: type, maxStreams: data.uint32(at: 32, .little)))
        case .registerAck:
            guard let keepAlive = data.uint32(at: 0, .little) else { return short(4) }
            return .registerAck(keepAlive: keepAlive, secondaryKeepAlive: data.uint32(at: 12, .little))
        case .registerReject:
            return .registerReject(text: text(data.slice(at: 0, length: min(33, data.count)) ?? data))
        case .reset:
            guard let type = data.uint32(at: 0, .little) else { return short(4) }
            return .reset(SCCPResetType(rawValue: type))
        case .keepAlive: return .keepAlive
        case .keepAliveAck: return .keepAliveAck
        case .unregister: return .unregister
        case .unregisterAck: return .unregisterAck(status: data.uint32(at: 0, .little))
        default: return .other
        }
    }

    /// Text up to its first NUL.
    static func text(_ field: ByteView) -> String { String(decoding: field.prefix { $0 != 0 }, as: UTF8.self) }
}

/// Where the next message in a stream ends, from its first 8 bytes.
public enum SCCPFraming: Sendable, Equatable {
    /// The header, or the data it announces, needs this many bytes in all.
    case needMore(Int)
    /// A message of this many bytes in all (header included).
    case message(Int)
    /// The bytes cannot start a message: a length out of bounds or an
    /// unknown header version.
    case invalid(DecodeProblem)

    public static func check(_ bytes: ByteView) -> SCCPFraming {
        guard let length = bytes.uint32(at: 0, .little).map(Int.init), let version = bytes.uint32(at: 4, .little) else {
            return .needMore(SCCP.headerLength)
        }
        guard length >= SCCP.minimumLength else {
            return .invalid(.malformed(.lengthTooSmall(field: .sccpLength, claimed: length, minimum: SCCP.minimumLength)))
        }
        guard length <= SCCP.maximumLength else {
            return .invalid(.malformed(.invalidField(field: .sccpLength, value: length)))
        }
        guard SCCP.headerVersions.contains(version) else {
            return .invalid(.malformed(.invalidField(field: .sccpHeaderVersion, value: Int(version))))
        }
        let total = SCCP.headerLength + length
        return bytes.count >= total ? .message(total) : .needMore(total)
    }
}

// MARK: - Encoders

extension SCCPMessage {
    /// The message as sent: header, id, data. `data` is the body's bytes
    /// (built from ``body`` for the messages read by name; `other` has none).
    public static func encode(id: SCCPMessageID, headerVersion: UInt32 = 0, data: [UInt8]) -> [UInt8] {
        var w = WireWriter()
        w.u32(UInt32(4 + data.count), .little)
        w.u32(headerVersion, .little)
        w.u32(id.rawValue, .little)
        w.append(data)
        return w.bytes
    }

    /// The message of `body`; empty for ``SCCPBody/other`` and
    /// ``SCCPBody/short(needed:available:)``, which have no layout of their
    /// own (write those with ``encode(id:headerVersion:data:)``).
    public static func encode(_ body: SCCPBody, headerVersion: UInt32 = 0) -> [UInt8] {
        var w = WireWriter()
        let id: SCCPMessageID
        switch body {
        case .register(let r):
            id = .register
            w.text(r.deviceName, field: SCCPRegister.deviceNameLength)
            w.u32(r.userID, .little)
            w.u32(r.instance, .little)
            w.u32(r.stationAddress.rawValue)
            w.u32(r.deviceType, .little)
            if let m = r.maxStreams { w.u32(m, .little) }
        case .registerAck(let keepAlive, let secondary):
            id = .registerAck
            w.u32(keepAlive, .little)
            w.text("M/D/Y", field: 6)
            w.u16(0)
            w.u32(secondary ?? keepAlive, .little)
            // maxProtocolVer (11), then a byte and two of features, zero: the fields Wireshark reads after it.
            w.u8(11)
            w.append([0, 0, 0])
        case .registerReject(let text):
            id = .registerReject
            w.text(text, field: 33)
        case .reset(let type):
            id = .reset
            w.u32(type.rawValue, .little)
        case .keepAlive: id = .keepAlive
        case .keepAliveAck: id = .keepAliveAck
        case .unregister: id = .unregister
        case .unregisterAck(let status):
            id = .unregisterAck
            if let status { w.u32(status, .little) }
        case .other, .short:
            return []
        }
        return encode(id: id, headerVersion: headerVersion, data: w.bytes)
    }
}
