/// Session Initiation Protocol (RFC 3261), as far as a phone's
/// registration needs it: the start line of a request (`REGISTER
/// sip:10.0.0.1 SIP/2.0`) or a response (`SIP/2.0 200 OK`), and the headers
/// that tie a response to its request and say who registers (Call-ID,
/// CSeq, From, To, Contact, Expires, User-Agent, Content-Length; compact
/// forms i, f, t, m, l of §7.3.3). Not a SIP stack: bodies, Via chains,
/// authentication and dialogs are not read.
///
/// Over UDP and TCP port 5060. Over TCP a segment is read when it begins
/// with a start line; a message split over segments is read as far as the
/// first segment holds it (its start line and the headers there), which
/// is where a REGISTER's and its response's facts are.
public enum SIP {
    public static let port: UInt16 = 5060
    public static let tlsPort: UInt16 = 5061
    /// The most header lines read from one message.
    public static let maxHeaderLines = 128
}

/// What the first line says.
public enum SIPStartLine: Sendable, Equatable {
    case request(method: String, uri: String)
    case response(status: Int, reason: String)
}

/// A SIP message's start line and the headers sosdump reads.
public struct SIPMessage: Sendable, Equatable {
    public var startLine: SIPStartLine
    public var callID: String?
    /// CSeq: the sequence number and the method it numbers (a response's
    /// CSeq names the request it answers).
    public var cseq: (number: UInt32, method: String)?
    public var from: String?
    public var to: String?
    public var contact: String?
    public var expires: Int?
    public var userAgent: String?
    public var contentLength: Int?
    /// The header section ended (an empty line) within the bytes read.
    public var headersComplete: Bool

    public static func == (a: SIPMessage, b: SIPMessage) -> Bool {
        a.startLine == b.startLine && a.callID == b.callID && a.cseq?.number == b.cseq?.number && a.cseq?.method == b.cseq?.method
            && a.from == b.from && a.to == b.to && a.contact == b.contact && a.expires == b.expires
            && a.userAgent == b.userAgent && a.contentLength == b.contentLength && a.headersComplete == b.headersComplete
    }

    public var method: String? { if case .request(let m, _) = startLine { m } else { nil } }
    public var statusCode: Int? { if case .response(let s, _) = startLine { s } else { nil } }

    /// A REGISTER request, or a response to one (by its CSeq).
    public var isRegistration: Bool { method == "REGISTER" || (statusCode != nil && cseq?.method == "REGISTER") }

    /// Whether `payload` begins like a SIP message: a method or `SIP/2.0`
    /// in its first bytes (upper-case letters, then a space or `/`).
    public static func looksLikeSIP(_ payload: ByteView) -> Bool {
        var i = 0
        while let b = payload.uint8(at: i), i < 16 {
            if b == 0x20 || b == 0x2F { return i > 0 }
            guard (0x41...0x5A).contains(b) else { return false }
            i += 1
        }
        return false
    }

    /// Decodes a message's start line and headers. Throws when the first
    /// line is not a SIP start line; a message cut before the end of its
    /// headers keeps what was there (`headersComplete` false).
    public static func decode(_ payload: ByteView) throws(DecodeProblem) -> SIPMessage {
        var lines: [String] = []
        var complete = false
        var start = 0
        var i = 0
        while let b = payload.uint8(at: i) {
            if b == 0x0A {
                var end = i
                if end > start, payload.uint8(at: end - 1) == 0x0D { end -= 1 }
                guard let line = payload.slice(at: start, length: end - start) else { break }
                if line.isEmpty {
                    complete = !lines.isEmpty
                    break
                }
                let text = String(decoding: line, as: UTF8.self)
                if let first = line.first, first == 0x20 || first == 0x09, !lines.isEmpty {
                    lines[lines.count - 1] += " " + text.trimmingSpaces  // RFC 3261 §7.3.1: a folded line continues the header
                } else if lines.count < SIP.maxHeaderLines {
                    lines.append(text)
                }
                start = i + 1
            }
            i += 1
        }
        if !complete, start < payload.count, let rest = payload.dropFirst(start), lines.count < SIP.maxHeaderLines {
            // The last line, cut by the end of the bytes (perhaps between its CR and LF).
            lines.append(String(decoding: rest.prefix { $0 != 0x0D }, as: UTF8.self))
        }
        guard let first = lines.first, let startLine = Self.startLine(first) else {
            throw .malformed(.invalidField(field: .sipStartLine, value: 0))
        }
        var m = SIPMessage(startLine: startLine, headersComplete: complete)
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingSpaces.lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            switch name {
            case "call-id", "i": m.callID = m.callID ?? value
            case "from", "f": m.from = m.from ?? value
            case "to", "t": m.to = m.to ?? value
            case "contact", "m": m.contact = m.contact ?? value
            case "expires": m.expires = m.expires ?? Int(value)
            case "user-agent": m.userAgent = m.userAgent ?? value
            case "content-length", "l": m.contentLength = m.contentLength ?? Int(value)
            case "cseq":
                let parts = value.split(separator: " ", omittingEmptySubsequences: true)
                if m.cseq == nil, parts.count == 2, let n = UInt32(parts[0]) { m.cseq = (n, String(parts[1])) }
            default: break
            }
        }
        return m
    }

    init(startLine: SIPStartLine, headersComplete: Bool) {
        self.startLine = startLine
        self.headersComplete = headersComplete
    }

    /// `METHOD URI SIP/2.0` or `SIP/2.0 CODE REASON`.
    static func startLine(_ line: String) -> SIPStartLine? {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        if parts[0] == "SIP/2.0" {
            guard parts[1].count == 3, let code = Int(parts[1]), (100...699).contains(code) else { return nil }
            return .response(status: code, reason: parts.count > 2 ? String(parts[2]) : "")
        }
        guard parts.count == 3, parts[2] == "SIP/2.0", !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isUppercase }) else { return nil }
        return .request(method: String(parts[0]), uri: String(parts[1]))
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}

// MARK: - Encoders

extension SIPMessage {
    /// A REGISTER as a 79xx SIP load sends it (CRLF lines, no body).
    public static func encodeRegister(user: String, registrar: String, from: String, callID: String, cseq: UInt32,
                                      contact: String, expires: Int = 3600, userAgent: String, via: String) -> [UInt8] {
        let lines = ["REGISTER sip:\(registrar) SIP/2.0", "Via: SIP/2.0/UDP \(via);branch=z9hG4bK\(callID.prefix(8))",
                     "From: <sip:\(user)@\(registrar)>;tag=\(from)", "To: <sip:\(user)@\(registrar)>", "Call-ID: \(callID)",
                     "Max-Forwards: 70", "CSeq: \(cseq) REGISTER", "User-Agent: \(userAgent)", "Contact: <sip:\(user)@\(contact)>",
                     "Expires: \(expires)", "Content-Length: 0"]
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// The registrar's answer to a request: its Via, From, To, Call-ID and
    /// CSeq copied, as RFC 3261 §8.2.6 says.
    public static func encodeResponse(status: Int, reason: String, to request: [UInt8]) -> [UInt8] {
        let text = String(decoding: request, as: UTF8.self)
        let copied = text.split(separator: "\r\n").filter { line in
            ["via:", "from:", "to:", "call-id:", "cseq:"].contains { line.lowercased().hasPrefix($0) }
        }
        let lines = ["SIP/2.0 \(status) \(reason)"] + copied.map(String.init) + ["Content-Length: 0"]
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }
}

// MARK: - From a dissection

extension Dissection {
    /// The frame's SIP message: a UDP datagram or a TCP segment to or from
    /// port 5060 that begins like one; nil for any other frame.
    public var sip: Result<SIPMessage, DecodeProblem>? {
        let payload: ByteView
        switch transport {
        case .udp(let h, let p) where h.sourcePort == SIP.port || h.destinationPort == SIP.port: payload = p
        case .tcp(let h, let p) where h.sourcePort == SIP.port || h.destinationPort == SIP.port: payload = p
        default: return nil
        }
        guard SIPMessage.looksLikeSIP(payload) else { return nil }
        do throws(DecodeProblem) {
            return .success(try SIPMessage.decode(payload))
        } catch {
            return .failure(error)
        }
    }
}
