/// The S.O.S. firmware recovery exchange of Cisco SPA30x/SPA50x phones:
/// the messages between the recovery program on a phone whose firmware is
/// lost and the vendor's recovery utility on a PC. There is no RFC; the
/// layout and every rule come from the recovery program's code (7.6.2f,
/// `docs/sos-protocol.md` §A). This file is the one place the layout lives: the
/// decoder, the rules that make the phone drop a message and the encoders
/// all read it from ``SOSLayout``.
///
/// UDP, fields big-endian:
///
/// ```
///  request  op 0  PC:4811 -> phone or 234.4.8.10 :4810   160 bytes
///  upgrade  op 2  PC:4811 -> phone or 234.4.8.10 :4810   160 bytes
///  reply    op 1  phone:4810 -> 234.4.8.10:4811          100 bytes
///  echo     op 2  phone:4810 -> 234.4.8.10:4811          100 bytes (sent before the download)
///
///  off len  request, upgrade (160)         reply (100)                upgrade echo (100)
///    0   1  opcode: 0 or 2                 1                          2
///    1   3  not read                       not initialised            0
///    4   4  "RECM"                         "RECM"                     "RECM"
///    8  20  serial, NUL-terminated:        the phone's serial         the phone's serial
///           FFFFFFFFFFFF or the phone's
///   28   2  upgrade: TFTP port (echoed,    product, 20 bytes,         the port, echoed
///           never used)                    NUL-padded ("SPA504G")
///   30   2  not read                                                  0
///   32 128  upgrade: file name, NUL-       (product, cont.)           the file name
///           terminated ("/spa71f6.bin")                               (up to 68 bytes)
///   48   6                                 MAC address
///   54  20                                 software "7.4.4rec\0" + not initialised
///   74  20                                 hardware "1.0.2\0" + not initialised
///   94   4                                 the phone's IPv4 address
///   98   2                                 ff ff
/// ```
///
/// A message is recognised by its content (`RECM` at offset 4) on any UDP
/// port. Messages are rare, so a decoded one owns its values (strings and
/// arrays) and outlives the frame.
public enum SOSRecovery {
    /// The phone's recovery program listens on this port.
    public static let phonePort: UInt16 = 4810
    /// Requests must come from this port; replies go to it.
    public static let utilityPort: UInt16 = 4811
    /// The magic multicast group: replies, echoes, the TFTP request and
    /// every TFTP ACK of the download go to it.
    public static let group = IPv4Address(234, 4, 8, 10)
    /// Where the phone sends frames for `group` (RFC 1112 mapping).
    public static let groupMAC = MACAddress(rawValue: 0x0100_5E04_080A)
    /// The serial that every phone accepts: twelve capital F's.
    public static let wildcardSerial = "FFFFFFFFFFFF"
    /// The phone's TFTP client port during the download (`TFTP_LOCAL_PORT`).
    public static let tftpClientPort: UInt16 = 2000
    /// Transmissions of the RRQ, or of the last ACK, before the phone's TFTP
    /// client gives up ("TFTP Timed out"), about 2 s apart (docs/sos-protocol.md §B).
    public static let tftpTries = 5
    /// The IP TTL of everything the recovery program sends.
    public static let timeToLive: UInt8 = 60
}

/// Where each field of an S.O.S. message lies (see ``SOSRecovery``).
public enum SOSLayout {
    public static let opcodeOffset = 0
    public static let magicOffset = 4
    /// `RECM`.
    public static let magic: UInt32 = 0x5245_434D
    /// Opcode and magic: the bytes needed to recognise a message.
    public static let headerLength = 8

    public static let serialOffset = 8
    public static let serialLength = 20

    /// Requests and upgrades: exactly this long, or the phone drops them.
    public static let orderLength = 160
    /// Replies and upgrade echoes.
    public static let replyLength = 100

    // Upgrade and its echo
    public static let upgradePortOffset = 28
    public static let fileNameOffset = 32
    /// In an upgrade: from offset 32 to the end of the 160 bytes.
    public static let fileNameLength = 128
    /// In an echo: from offset 32 to the end of the 100 bytes.
    public static let echoFileNameLength = 68

    // Reply
    public static let productOffset = 28
    public static let productLength = 20
    public static let macOffset = 48
    public static let softwareVersionOffset = 54
    public static let hardwareVersionOffset = 74
    public static let versionLength = 20
    public static let addressOffset = 94
    public static let trailerOffset = 98
    public static let trailer: UInt16 = 0xFFFF
}

/// What a message is, from its opcode and length.
public enum SOSMessageKind: String, Sendable, Equatable, Codable, CustomStringConvertible {
    /// Opcode 0: "is a phone in recovery there?" (PC to phone).
    case request
    /// Opcode 1: the phone's answer, with its product, MAC, versions and address.
    case reply
    /// Opcode 2, any length but 100: the order to download a file (PC to phone).
    case upgrade
    /// Opcode 2, 100 bytes: the phone repeating the order before it downloads.
    case upgradeEcho = "upgrade-echo"
    /// Any other opcode: the phone drops it.
    case unknown

    /// An opcode 2 message is the phone's echo when it is 100 bytes long,
    /// else the PC's order (the two differ by nothing else in their bytes;
    /// ``SOSMessage/ruleViolations(delivery:phone:)`` also looks at the port).
    public init(opcode: UInt8, length: Int) {
        switch opcode {
        case 0: self = .request
        case 1: self = .reply
        case 2: self = length == SOSLayout.replyLength ? .upgradeEcho : .upgrade
        default: self = .unknown
        }
    }

    /// Whether the PC sends this kind to the phone.
    public var isSentToPhone: Bool { self == .request || self == .upgrade || self == .unknown }

    public var description: String {
        switch self {
        case .request: "request"
        case .reply: "reply"
        case .upgrade: "upgrade"
        case .upgradeEcho: "upgrade echo"
        case .unknown: "message"
        }
    }
}

/// A NUL-terminated text field as it was sent.
public struct SOSText: Sendable, Equatable, CustomStringConvertible {
    /// The bytes before the NUL (all the field's bytes when it has none).
    public var bytes: [UInt8]
    /// A NUL ends the text inside its field.
    public var terminated: Bool

    public init(bytes: [UInt8], terminated: Bool) {
        self.bytes = bytes
        self.terminated = terminated
    }

    /// The text, with bytes that are not printable ASCII written `\xNN`.
    public var description: String {
        var out = ""
        for b in bytes {
            if b >= 0x20, b < 0x7F, b != UInt8(ascii: "\\") {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "\\x" + hex2(b)
            }
        }
        return out
    }

    /// The text as UTF-8 (for comparing with names on the wire).
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// One S.O.S. message, every field the capture kept.
///
/// Fields are nil when the message's kind does not have them or when the
/// capture cut them off (`capturedLength` < `length`); a field that the
/// packet itself is too short to hold is nil too, and the length rule says
/// why the phone drops it.
public struct SOSMessage: Sendable, Equatable {
    /// Byte 0. The phone reads it as a signed byte (its console prints 255 as -1).
    public var opcode: UInt8
    public var kind: SOSMessageKind
    /// UDP payload bytes on the wire.
    public var length: Int
    /// Of which the capture kept these.
    public var capturedLength: Int

    /// Offset 8: the serial the PC asks for, or the phone's own serial.
    public var serial: SOSText?

    // Reply (opcode 1)
    /// Offset 28: `SPA501G`, `SPA502G`, `SPA504G`, `SPA508G`, `SPA509G` or `SPA301`.
    public var product: SOSText?
    /// Offset 48.
    public var mac: MACAddress?
    /// Offset 54: the recovery program's own version (`7.4.4rec`), not a
    /// firmware release.
    public var softwareVersion: SOSText?
    /// Offset 74: `1.0.2`.
    public var hardwareVersion: SOSText?
    /// Offset 94: the phone's IPv4 address (static, from DHCP, or the
    /// default 169.254.87.1).
    public var phoneAddress: IPv4Address?
    /// Offset 98: `ff ff` from the phone.
    public var trailer: UInt16?

    // Upgrade and echo (opcode 2)
    /// Offset 28: printed and echoed, never used: the download is always
    /// from port 69.
    public var upgradePort: UInt16?
    /// Offset 32: the name the phone asks for in its TFTP read request.
    public var fileName: SOSText?

    /// The capture kept fewer bytes than the datagram had.
    public var isTruncated: Bool { capturedLength < length }

    /// Whether a UDP payload carries `RECM` at offset 4: the test by
    /// content, on any port. Reads 4 bytes; allocates nothing.
    @inlinable
    public static func isSOS(_ payload: ByteView) -> Bool {
        payload.uint32(at: SOSLayout.magicOffset) == SOSLayout.magic
    }

    /// Decodes a UDP payload as an S.O.S. message. Throws only when the
    /// first 8 bytes (opcode and magic) are not there or the magic is not
    /// `RECM`; a message cut short by the capture or on the wire decodes
    /// with the fields that are there.
    public static func decode(_ payload: ByteView) throws(DecodeProblem) -> SOSMessage {
        guard let opcode = payload.uint8(at: SOSLayout.opcodeOffset), let magic = payload.uint32(at: SOSLayout.magicOffset) else {
            throw .missing(SOSLayout.headerLength, in: payload)
        }
        guard magic == SOSLayout.magic else {
            throw .malformed(.invalidField(field: .sosMagic, value: Int(magic)))
        }
        let kind = SOSMessageKind(opcode: opcode, length: payload.wireCount)
        var m = SOSMessage(opcode: opcode, kind: kind, length: payload.wireCount, capturedLength: payload.count)
        m.serial = text(payload, at: SOSLayout.serialOffset, length: SOSLayout.serialLength)
        switch kind {
        case .reply:
            m.product = text(payload, at: SOSLayout.productOffset, length: SOSLayout.productLength)
            m.mac = MACAddress(payload, at: SOSLayout.macOffset)
            m.softwareVersion = text(payload, at: SOSLayout.softwareVersionOffset, length: SOSLayout.versionLength)
            m.hardwareVersion = text(payload, at: SOSLayout.hardwareVersionOffset, length: SOSLayout.versionLength)
            m.phoneAddress = IPv4Address(payload, at: SOSLayout.addressOffset)
            m.trailer = payload.uint16(at: SOSLayout.trailerOffset)
        case .upgrade, .upgradeEcho:
            m.upgradePort = payload.uint16(at: SOSLayout.upgradePortOffset)
            let nameLength = kind == .upgrade ? SOSLayout.fileNameLength : SOSLayout.echoFileNameLength
            m.fileName = text(payload, at: SOSLayout.fileNameOffset, length: nameLength)
        case .request, .unknown:
            break
        }
        return m
    }

    /// The text field at `offset`, at most `length` bytes, up to its NUL.
    /// Only the part on the wire counts. nil when the field is not on the
    /// wire, or when the capture cut it before its NUL (the rest is unknown).
    static func text(_ payload: ByteView, at offset: Int, length: Int) -> SOSText? {
        let onWire = min(length, payload.wireCount - offset)
        guard onWire > 0 else { return nil }
        let captured = max(0, min(onWire, payload.count - offset))
        guard let field = payload.slice(at: offset, length: captured) else { return nil }
        if let end = field.firstIndex(of: 0), let text = field.slice(at: 0, length: end) {
            return SOSText(bytes: Array(text), terminated: true)
        }
        guard captured == onWire else { return nil }
        return SOSText(bytes: Array(field), terminated: false)
    }

    init(opcode: UInt8, kind: SOSMessageKind, length: Int, capturedLength: Int) {
        self.opcode = opcode
        self.kind = kind
        self.length = length
        self.capturedLength = capturedLength
    }

    /// The length this kind of message has when the phone or the vendor's
    /// utility sends it; nil for an unknown opcode.
    public var expectedLength: Int? {
        switch kind {
        case .request, .upgrade: SOSLayout.orderLength
        case .reply, .upgradeEcho: SOSLayout.replyLength
        case .unknown: nil
        }
    }
}

// MARK: - The rules that make the phone drop a message

/// How a datagram reached the phone: what the rules of its recovery program
/// look at besides the message itself.
public struct SOSDelivery: Sendable, Equatable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// The IPv4 destination; nil when the datagram was not IPv4 (the
    /// recovery program has no IPv6).
    public var destination: IPv4Address?
    /// The Ethernet destination was ff:ff:ff:ff:ff:ff: a broadcast, even when
    /// the IP destination is a subnet's broadcast address that cannot be
    /// told from a host's without the mask.
    public var linkBroadcast: Bool
    /// The IPv4 header's length in bytes; the phone takes only 20 (no options).
    public var ipHeaderLength: Int
    /// An IP fragment, or a datagram reassembled from fragments.
    public var fragmented: Bool
    public var ipChecksumBad: Bool
    /// A UDP checksum that is present (non-zero) and wrong.
    public var udpChecksumBad: Bool

    public init(sourcePort: UInt16, destinationPort: UInt16, destination: IPv4Address?, linkBroadcast: Bool = false,
                ipHeaderLength: Int = 20, fragmented: Bool = false, ipChecksumBad: Bool = false, udpChecksumBad: Bool = false) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.destination = destination
        self.linkBroadcast = linkBroadcast
        self.ipHeaderLength = ipHeaderLength
        self.fragmented = fragmented
        self.ipChecksumBad = ipChecksumBad
        self.udpChecksumBad = udpChecksumBad
    }

    /// The delivery of a decoded UDP frame; nil when it is not UDP.
    public init?(_ d: Dissection) {
        guard let (udp, _) = d.udp else { return nil }
        self.init(sourcePort: udp.sourcePort, destinationPort: udp.destinationPort, destination: nil)
        if case .invalid = udp.checksumStatus { udpChecksumBad = true }
        if case .ipv4(let ip) = d.network {
            destination = ip.destination
            ipHeaderLength = ip.headerLength
            fragmented = ip.isFragment || d.fragment != nil
            if case .invalid? = d.ipv4ChecksumStatus { ipChecksumBad = true }
        } else {
            fragmented = d.fragment != nil
        }
        switch d.link {
        case .ethernet(let e): linkBroadcast = e.destination == .broadcast
        case .linuxSLL(let h): linkBroadcast = h.packetType == .broadcast
        case .linuxSLL2(let h): linkBroadcast = h.packetType == .broadcast
        default: break
        }
    }
}

/// What is known about the phone a message is meant for, from elsewhere
/// in the capture (its reply). Each rule that needs a fact is checked only
/// when the fact is known.
public struct SOSPhoneFacts: Sendable, Equatable {
    /// The phone's own address (from its reply).
    public var address: IPv4Address?
    /// The phone's prefix length (24 for 255.255.255.0), to tell its
    /// subnet's broadcast address.
    public var prefixLength: Int?
    /// The phone's serial, exactly as its reply carries it.
    public var serial: [UInt8]?

    public init(address: IPv4Address? = nil, prefixLength: Int? = nil, serial: [UInt8]? = nil) {
        self.address = address
        self.prefixLength = prefixLength
        self.serial = serial
    }

    public init(address: IPv4Address? = nil, prefixLength: Int? = nil, serial: String) {
        self.init(address: address, prefixLength: prefixLength, serial: Array(serial.utf8))
    }

    /// The broadcast address of the phone's subnet, when address and prefix are known.
    public var subnetBroadcast: IPv4Address? {
        guard let address, let prefixLength, (0...31).contains(prefixLength) else { return nil }
        let host: UInt32 = prefixLength == 0 ? .max : (1 << (32 - UInt32(prefixLength))) - 1
        return IPv4Address(rawValue: address.rawValue | host)
    }
}

/// A rule of the phone's recovery program that a message sent to it breaks
/// (docs/sos-protocol.md §A1, §A3). Every one but ``heapOverflow(length:)`` makes
/// the phone drop the message without a word on the network.
public enum SOSRuleViolation: Sendable, Equatable, CustomStringConvertible {
    /// Not IPv4: the recovery program has no IPv6.
    case notIPv4
    /// An IPv4 header with options: the phone takes only 20-byte headers.
    case ipOptions(headerLength: Int)
    /// Sent in IP fragments: the phone drops fragments.
    case fragmented
    case badIPChecksum
    case badUDPChecksum
    /// Not to port 4810, the only port the recovery program listens on for messages.
    case wrongDestinationPort(UInt16)
    /// To a broadcast address: the phone takes only its own address and 234.4.8.10.
    case broadcast(IPv4Address)
    /// To a multicast group other than 234.4.8.10.
    case otherGroup(IPv4Address)
    /// To a unicast address that is not the phone's.
    case notThePhone(destination: IPv4Address, phone: IPv4Address)
    /// Not from port 4811.
    case wrongSourcePort(UInt16)
    /// Longer than 160 bytes: the phone copies it into a 160-byte buffer
    /// before it checks the length. Not a drop by itself (the length rule
    /// drops it), but the phone's memory is overwritten.
    case heapOverflow(length: Int)
    /// Not 160 bytes long.
    case wrongLength(Int)
    /// An opcode other than 0 (request) and 2 (upgrade).
    case unexpectedOpcode(UInt8)
    /// The serial is neither `FFFFFFFFFFFF` nor the phone's own, exactly.
    case serialMismatch(sent: SOSText?, phone: SOSText)

    /// A short stable name for JSON and tests.
    public var code: String {
        switch self {
        case .notIPv4: "not-ipv4"
        case .ipOptions: "ip-options"
        case .fragmented: "fragmented"
        case .badIPChecksum: "ip-checksum"
        case .badUDPChecksum: "udp-checksum"
        case .wrongDestinationPort: "destination-port"
        case .broadcast: "broadcast"
        case .otherGroup: "other-group"
        case .notThePhone: "not-the-phone"
        case .wrongSourcePort: "source-port"
        case .heapOverflow: "heap-overflow"
        case .wrongLength: "length"
        case .unexpectedOpcode: "opcode"
        case .serialMismatch: "serial"
        }
    }

    /// Whether the phone drops the message for this rule.
    public var dropsMessage: Bool {
        if case .heapOverflow = self { return false }
        return true
    }

    /// The rule in one plain sentence: what was sent, what the phone wants,
    /// and what it does.
    public var description: String {
        switch self {
        case .notIPv4:
            "not sent over IPv4: the phone's recovery program knows only IPv4 and drops it"
        case .ipOptions(let length):
            "its IP header is \(length) bytes long (it has options): the phone takes only 20-byte IP headers and drops it"
        case .fragmented:
            "it was sent in IP fragments: the phone drops fragments"
        case .badIPChecksum:
            "its IP header checksum is wrong: the phone drops it"
        case .badUDPChecksum:
            "its UDP checksum is wrong: the phone drops it"
        case .wrongDestinationPort(let port):
            "sent to port \(port): the phone's recovery program listens on port 4810 only and never sees it"
        case .broadcast(let address):
            "sent to the broadcast address \(address): the phone takes only datagrams to its own address or to 234.4.8.10, and drops broadcasts"
        case .otherGroup(let address):
            "sent to the multicast group \(address): the phone takes only datagrams to its own address or to 234.4.8.10, and drops it"
        case .notThePhone(let destination, let phone):
            "sent to \(destination), not to the phone's address \(phone) or to 234.4.8.10: the phone drops it"
        case .wrongSourcePort(let port):
            "sent from port \(port): the phone takes messages only from port 4811 and drops it (its console says \"Invalid source port (\(port))\")"
        case .heapOverflow(let length):
            "\(length) bytes long: the phone copies all of it into a 160-byte buffer before it checks the length, overwriting its own memory; it may hang and need a power cycle"
        case .wrongLength(let length):
            "\(length) bytes long: the phone takes only 160-byte requests and upgrades and drops it (its console says \"received request with incorrect len:\(length)\")"
        case .unexpectedOpcode(let opcode):
            "opcode \(Int8(bitPattern: opcode)): the phone takes only 0 (request) and 2 (upgrade) and drops it (its console says \"Unexpected RECOVERY pkt (opcode: \(Int8(bitPattern: opcode)))\")"
        case .serialMismatch(let sent, let phone):
            "serial \"\(sent?.description ?? "")\" is neither FFFFFFFFFFFF (twelve capital F's) nor the phone's serial \"\(phone)\" exactly: the phone drops it silently"
        }
    }
}

extension SOSMessage {
    /// Every rule of the phone's recovery program that this message breaks
    /// on its way to the phone, in the order the phone checks them (its
    /// console would name only the first). Empty for a message the phone
    /// takes, and for replies and echoes going to the utility's port.
    ///
    /// Rules that need a fact about the phone are checked only when `phone`
    /// has it: the serial rule needs its serial, telling a unicast address
    /// from the phone's needs its address, and a subnet's broadcast address
    /// needs its prefix (or an Ethernet broadcast, `delivery.linkBroadcast`).
    public func ruleViolations(delivery: SOSDelivery, phone: SOSPhoneFacts = SOSPhoneFacts()) -> [SOSRuleViolation] {
        // The phone's own messages go to 4811; anything sent to 4810 is an order to the phone.
        guard kind.isSentToPhone || delivery.destinationPort == SOSRecovery.phonePort else { return [] }
        var broken: [SOSRuleViolation] = []

        // ip_in: IPv4 only, a 20-byte header, a good header checksum, no fragments, then the destination filter.
        guard let destination = delivery.destination else { return [.notIPv4] }
        if delivery.ipHeaderLength != 20 { broken.append(.ipOptions(headerLength: delivery.ipHeaderLength)) }
        if delivery.ipChecksumBad { broken.append(.badIPChecksum) }
        if delivery.fragmented { broken.append(.fragmented) }
        if destination != SOSRecovery.group, destination != phone.address {
            if destination == .broadcast || destination == phone.subnetBroadcast || delivery.linkBroadcast {
                broken.append(.broadcast(destination))
            } else if destination.isMulticast {
                broken.append(.otherGroup(destination))
            } else if let address = phone.address {
                broken.append(.notThePhone(destination: destination, phone: address))
            }
        }
        // udp_in: the checksum when present, then the destination port.
        if delivery.udpChecksumBad { broken.append(.badUDPChecksum) }
        if delivery.destinationPort != SOSRecovery.phonePort { broken.append(.wrongDestinationPort(delivery.destinationPort)) }
        // rec_in: source port, the copy into 160 bytes, opcode, length, serial.
        if delivery.sourcePort != SOSRecovery.utilityPort { broken.append(.wrongSourcePort(delivery.sourcePort)) }
        if length > SOSLayout.orderLength { broken.append(.heapOverflow(length: length)) }
        if opcode != 0, opcode != 2 { broken.append(.unexpectedOpcode(opcode)) }
        if length != SOSLayout.orderLength { broken.append(.wrongLength(length)) }
        if let mine = phone.serial, !acceptsSerial(mine) {
            broken.append(.serialMismatch(sent: serial, phone: SOSText(bytes: mine, terminated: true)))
        }
        return broken
    }

    /// The phone's serial test (docs/sos-protocol.md §A3.3): the 13 bytes
    /// `FFFFFFFFFFFF\0`, or the phone's serial and its NUL, exactly (a
    /// prefix or a longer text does not match). A serial the capture cut
    /// off cannot be judged and passes.
    public func acceptsSerial(_ phoneSerial: [UInt8]) -> Bool {
        guard let serial else { return true }
        if serial.terminated, serial.bytes == Array(SOSRecovery.wildcardSerial.utf8) { return true }
        return serial.terminated && serial.bytes == phoneSerial
    }
}

// MARK: - Older loaders: a file name sent as text

/// A firmware file name found as text in a datagram that is not a
/// recognised S.O.S. message: the upgrade order of a loader variant that
/// sosdump does not know, once the phone asks for the same name by TFTP.
public struct SOSFileNameText: Sendable, Equatable {
    /// The name, from its first `/` when it has one (`/spa71f6.bin`).
    public var name: String
    /// Its byte offset in the payload.
    public var offset: Int
    /// A NUL byte follows it (a C string), rather than the end of the
    /// payload or another byte.
    public var nulTerminated: Bool
}

extension SOSRecovery {
    /// The first run of printable ASCII (no spaces) in `payload` that ends
    /// in `.bin` (any case) and is longer than that: `/spa71f6.bin`,
    /// `spa50x-30x-7-4-9c.bin`. The name starts at the run's first `/` if
    /// it has one, so `file=/a.bin` gives `/a.bin`. nil when there is none.
    public static func firmwareFileName(in payload: ByteView) -> SOSFileNameText? {
        var i = 0
        while let byte = payload.uint8(at: i) {
            guard isNameByte(byte) else { i += 1; continue }
            var end = i + 1
            while let next = payload.uint8(at: end), isNameByte(next) { end += 1 }
            if end - i > 4, endsWithBin(payload, end: end), let run = payload.slice(at: i, length: end - i) {
                var start = i
                if let slash = run.firstIndex(of: UInt8(ascii: "/")), slash < run.count - 4 { start = i + slash }
                guard let name = payload.slice(at: start, length: end - start) else { return nil }
                return SOSFileNameText(name: String(decoding: name, as: UTF8.self), offset: start,
                                       nulTerminated: payload.uint8(at: end) == 0)
            }
            i = end
        }
        return nil
    }

    /// Where `payload` carries `fileName` as text (the exact bytes, not
    /// followed by another name character); nil when it does not. This is
    /// how a datagram is tied to the TFTP request that names the same file.
    public static func offset(ofFileName fileName: String, in payload: ByteView) -> Int? {
        let name = Array(fileName.utf8)
        guard let first = name.first, name.count <= payload.count else { return nil }
        var i = 0
        while i + name.count <= payload.count {
            if payload.uint8(at: i) == first, let candidate = payload.slice(at: i, length: name.count), candidate.elementsEqual(name) {
                // Not followed by another name character (or at the end).
                if !(payload.uint8(at: i + name.count).map(isNameByte) ?? false) { return i }
            }
            i += 1
        }
        return nil
    }

    static func isNameByte(_ b: UInt8) -> Bool { b > 0x20 && b < 0x7F }

    static func endsWithBin(_ payload: ByteView, end: Int) -> Bool {
        // Speed: one 32-bit read, no array: ASCII lower case is bit 0x20 set,
        // which leaves '.' unchanged; 0x2E62696E is ".bin".
        guard let suffix = payload.uint32(at: end - 4) else { return false }
        return suffix | 0x2020_2020 == 0x2E62_696E
    }
}

// MARK: - The recovery program's DHCP

extension SOSRecovery {
    /// Option 60 (vendor class) of the recovery program's DHCP client
    /// (docs/sos-protocol.md §A4; bytes at 0x94147b48 in 7.6.2f). Normal firmware
    /// sends its product name instead, e.g. `Cisco SPA504G`.
    public static let dhcpVendorClass = "TI-dhcp 0.1"
}

extension DHCPMessage {
    /// A client message (BOOTREQUEST) from the DHCP client of the
    /// SPA30x/SPA50x recovery program, by its option 60: a phone in S.O.S.
    /// mode. False for server replies, whatever they carry.
    public var isSOSRecoveryProgram: Bool {
        operation == .request && vendorClass == SOSRecovery.dhcpVendorClass
    }
}

// MARK: - Encoders

/// The four messages as bytes, written from ``SOSLayout``: for the
/// simulator and for tests.
extension SOSRecovery {
    /// A request (opcode 0) as the vendor's utility sends it: 160 bytes,
    /// zero except opcode, magic and serial. `length` and `opcode` other
    /// than the defaults make messages the phone drops.
    public static func encodeRequest(serial: String = wildcardSerial, opcode: UInt8 = 0, length: Int = SOSLayout.orderLength) -> [UInt8] {
        var bytes = header(opcode: opcode, count: max(length, SOSLayout.serialOffset + SOSLayout.serialLength))
        put(text: serial, in: &bytes, at: SOSLayout.serialOffset, length: SOSLayout.serialLength)
        return Array(bytes.prefix(length))
    }

    /// An upgrade order (opcode 2): 160 bytes with the serial, the port
    /// field and the file name.
    public static func encodeUpgrade(serial: String = wildcardSerial, port: UInt16 = 69, fileName: String,
                                     length: Int = SOSLayout.orderLength) -> [UInt8] {
        var bytes = header(opcode: 2, count: max(length, SOSLayout.orderLength))
        put(text: serial, in: &bytes, at: SOSLayout.serialOffset, length: SOSLayout.serialLength)
        put(port, in: &bytes, at: SOSLayout.upgradePortOffset)
        put(text: fileName, in: &bytes, at: SOSLayout.fileNameOffset, length: SOSLayout.fileNameLength)
        return Array(bytes.prefix(length))
    }

    /// A reply (opcode 1) as the phone builds it: 100 bytes. The bytes the
    /// phone leaves uninitialised (1–3 and the rest of each version field
    /// after its NUL) are set to `uninitialised`.
    public static func encodeReply(serial: String, product: String, mac: MACAddress, softwareVersion: String = "7.4.4rec",
                                   hardwareVersion: String = "1.0.2", address: IPv4Address, uninitialised: UInt8 = 0) -> [UInt8] {
        var bytes = header(opcode: 1, count: SOSLayout.replyLength)
        for i in 1..<SOSLayout.magicOffset { bytes[i] = uninitialised }
        for i in SOSLayout.softwareVersionOffset..<SOSLayout.addressOffset { bytes[i] = uninitialised }
        put(text: serial, in: &bytes, at: SOSLayout.serialOffset, length: SOSLayout.serialLength)
        put(text: product, in: &bytes, at: SOSLayout.productOffset, length: SOSLayout.productLength)
        bytes.replaceSubrange(SOSLayout.macOffset..<SOSLayout.macOffset + 6, with: mac.octets)
        put(text: softwareVersion, in: &bytes, at: SOSLayout.softwareVersionOffset, length: SOSLayout.versionLength, pad: false)
        put(text: hardwareVersion, in: &bytes, at: SOSLayout.hardwareVersionOffset, length: SOSLayout.versionLength, pad: false)
        put(address.rawValue, in: &bytes, at: SOSLayout.addressOffset)
        put(SOSLayout.trailer, in: &bytes, at: SOSLayout.trailerOffset)
        return bytes
    }

    /// An upgrade echo (opcode 2) as the phone builds it: 100 bytes, the
    /// serial, the port and the file name (cut to 67 bytes and its NUL).
    /// The phone clears only bytes 0–55; bytes from 56 on after the name's
    /// NUL are set to `uninitialised`.
    public static func encodeUpgradeEcho(serial: String, port: UInt16, fileName: String, uninitialised: UInt8 = 0) -> [UInt8] {
        var bytes = header(opcode: 2, count: SOSLayout.replyLength)
        for i in 56..<SOSLayout.replyLength { bytes[i] = uninitialised }
        put(text: serial, in: &bytes, at: SOSLayout.serialOffset, length: SOSLayout.serialLength)
        put(port, in: &bytes, at: SOSLayout.upgradePortOffset)
        let name = Array(fileName.utf8.prefix(SOSLayout.echoFileNameLength - 1))
        bytes.replaceSubrange(SOSLayout.fileNameOffset..<SOSLayout.fileNameOffset + name.count, with: name)
        bytes[SOSLayout.fileNameOffset + name.count] = 0
        return bytes
    }

    private static func header(opcode: UInt8, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes[SOSLayout.opcodeOffset] = opcode
        put(SOSLayout.magic, in: &bytes, at: SOSLayout.magicOffset)
        return bytes
    }

    /// Writes `text` into a field of `length` bytes: up to `length` bytes,
    /// a NUL after it when there is room, and zeros after that when `pad`.
    private static func put(text: String, in bytes: inout [UInt8], at offset: Int, length: Int, pad: Bool = true) {
        let t = Array(text.utf8.prefix(length))
        bytes.replaceSubrange(offset..<offset + t.count, with: t)
        if t.count < length { bytes[offset + t.count] = 0 }
        if pad, t.count + 1 < length { for i in (offset + t.count + 1)..<(offset + length) { bytes[i] = 0 } }
    }

    private static func put(_ value: UInt16, in bytes: inout [UInt8], at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    private static func put(_ value: UInt32, in bytes: inout [UInt8], at offset: Int) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(i))) }
    }
}

// MARK: - From a dissection

extension Dissection {
    /// The frame's UDP payload as an S.O.S. message: decoded when it
    /// carries `RECM` at offset 4 (on any port); a failure when it does not
    /// but either port is 4810 or 4811 (the phone's or the utility's),
    /// saying why it is not one; nil for any other frame.
    public var sosRecovery: Result<SOSMessage, DecodeProblem>? {
        guard let (header, payload) = udp else { return nil }
        if !SOSMessage.isSOS(payload) {
            let ports: Set<UInt16> = [SOSRecovery.phonePort, SOSRecovery.utilityPort]
            guard ports.contains(header.sourcePort) || ports.contains(header.destinationPort) else { return nil }
        }
        do throws(DecodeProblem) {
            return .success(try SOSMessage.decode(payload))
        } catch {
            return .failure(error)
        }
    }
}
