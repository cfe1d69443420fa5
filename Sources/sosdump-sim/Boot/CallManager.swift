#if canImport(Glibc)
import Glibc
#endif
import SOSDump
import SOSDumpLive

/// A minimal SCCP call manager: it listens on TCP 2000 and answers each
/// phone's RegisterMessage with a RegisterAck, a RegisterReject with a
/// text, or nothing at all (a call manager that hangs); it answers
/// KeepAlives. Enough for a phone to register, or not, the way the
/// boot model's verdicts need.
final class CallManager {
    enum Mode: String, CaseIterable {
        case ack, reject, silent
    }

    let address: IPv4Address
    let mode: Mode
    let rejectText: String
    let maxSeconds: Double
    let console = Console(speaker: "callmanager")

    init(address: IPv4Address, mode: Mode, rejectText: String, maxSeconds: Double) {
        self.address = address
        self.mode = mode
        self.rejectText = rejectText
        self.maxSeconds = maxSeconds
    }

    func run() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddrIn(address, SCCP.port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(listener, 16) == 0 else { throw SystemError("bind/listen \(address):\(SCCP.port)") }
        console.say("listening on \(address):\(SCCP.port), \(mode.rawValue)")
        let end = now() + maxSeconds
        var connections: [Int32: [UInt8]] = [:]
        while now() < end {
            for fd in readable([listener] + Array(connections.keys), until: min(end, now() + 1)) {
                if fd == listener {
                    let c = accept(listener, nil, nil)
                    if c >= 0 { connections[c] = [] }
                    continue
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 {
                    close(fd)
                    connections[fd] = nil
                    continue
                }
                connections[fd, default: []] += chunk.prefix(n)
                answer(fd, &connections[fd, default: []])
            }
        }
        console.say("stops")
    }

    /// Answers every whole message in `buffer`.
    func answer(_ fd: Int32, _ buffer: inout [UInt8]) {
        while let (m, total) = buffer.withUnsafeBytes({ raw -> (SCCPMessage, Int)? in
            let view = ByteView(raw)
            guard case .message(let total) = SCCPFraming.check(view), let whole = view.slice(at: 0, length: total),
                  let m = try? SCCPMessage.decode(whole) else { return nil }
            return (m, total)
        }) {
            buffer.removeFirst(total)
            switch m.body {
            case .register(let r):
                console.say("Register \(r.deviceName) type \(r.deviceType) from \(r.stationAddress)")
                switch mode {
                case .ack:
                    _ = writeAll(fd, SCCPMessage.encode(.registerAck(keepAlive: 30, secondaryKeepAlive: 60)))
                    console.say("RegisterAck \(r.deviceName)")
                case .reject:
                    _ = writeAll(fd, SCCPMessage.encode(.registerReject(text: rejectText)))
                    console.say("RegisterReject \(r.deviceName) \"\(rejectText)\"")
                case .silent:
                    console.say("no answer to \(r.deviceName)")
                }
            case .keepAlive where mode == .ack:
                _ = writeAll(fd, SCCPMessage.encode(.keepAliveAck))
            default:
                break
            }
        }
    }
}
