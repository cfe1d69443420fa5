import Foundation
import Testing
@testable import SOSDump

/// What the tracker says about each frame (`TFTPTransferTracker.observe`):
/// the events a diagnosis and `sosdump live` read instead of decoding TFTP
/// again.
@Suite struct TFTPEventTests {
    typealias C = TFTPConversation
    let phone = C.phone, group = C.group
    let server = C.Host(ip: C.pc.ip, port: 50123)
    let stranger = C.Host(ip: IPv4Address(192, 0, 2, 9), port: 40000)

    @Test func aRequestALatchProgressAndNothingForOtherTraffic() throws {
        let file = C.fileBytes(700)
        var c = C()
        c.send(stranger, C.Host(ip: IPv4Address(192, 0, 2, 10), port: 53), [0, 1, 2, 3])  // not TFTP
        c.send(phone, group, C.rrq("/spa71f6.bin"))
        c.send(phone, group, C.rrq("/spa71f6.bin"), after: 1)  // again, no answer yet
        c.send(server, phone, C.data(1, Array(file[0..<512])))
        c.send(phone, group, C.ack(1))
        c.send(server, phone, C.data(2, Array(file[512...])))
        c.send(phone, group, C.ack(2))
        let (events, transfers) = c.events()
        #expect(events.count == 7)
        #expect(events[0] == nil)
        guard case .request(let first)? = events[1], case .request(let again)? = events[2] else {
            Issue.record("frames 2 and 3 are requests: \(events)")
            return
        }
        #expect(first.transfer == 1 && first.fileName == "/spa71f6.bin" && first.direction == .read && !first.repeated)
        #expect(first.client.description == "192.0.2.2:2000" && first.destination.description == "234.4.8.10:69")
        #expect(again.transfer == 1 && again.repeated)
        let client = TransportEndpoint(.v4(phone.ip), UInt16(phone.port))
        #expect(events[3] == .replyLatched(transfer: 1, client: client, server: TransportEndpoint(.v4(server.ip), UInt16(server.port))))
        #expect(events[4...].allSatisfy { $0 == .progressed(transfer: 1, client: client) })
        #expect(transfers.count == 1 && transfers[0].number == 1 && transfers[0].requestCount == 2 && transfers[0].outcome == .complete)
    }

    /// A new request from the same client port ends the old transfer and
    /// opens the next one: the event names the new one.
    @Test func aNewRequestOpensTheNextTransfer() {
        var c = C()
        c.send(phone, group, C.rrq("/a.bin"))
        c.send(server, phone, C.error(1, "File not found"))
        c.send(phone, group, C.rrq("/b.bin"))
        let (events, transfers) = c.events()
        #expect(events.map { $0?.transfer } == [1, 1, 2])
        if case .request(let r)? = events[2] { #expect(r.fileName == "/b.bin" && !r.repeated) } else { Issue.record("frame 3 is a request") }
        #expect(transfers.map(\.fileName) == ["/a.bin", "/b.bin"])
        #expect(transfers.map(\.outcome) == [.error, .unanswered])
    }

    /// A write request is a request too, with its direction.
    @Test func aWriteRequest() {
        var c = C()
        c.send(phone, C.pc, C.wrq("log.txt"))
        let (events, _) = c.events()
        if case .request(let r)? = events[0] { #expect(r.direction == .write && r.fileName == "log.txt") } else { Issue.record("a request") }
    }

    /// An open transfer is a value in the tracker; many at once, each ended
    /// with its own file (the dense array keeps each in its place when
    /// others end before it).
    @Test func manyOpenTransfersEndWithTheirOwnFiles() {
        var c = C()
        let clients = (0..<12).map { C.Host(ip: IPv4Address(192, 0, 2, UInt8(20 + $0)), port: 3000 + $0) }
        for (i, client) in clients.enumerated() { c.send(client, C.pc, C.rrq("file\(i).cfg")) }
        // Answer them in another order, each with bytes of its own; the odd ones end with an error first.
        for (i, client) in clients.enumerated().reversed() {
            let server = C.Host(ip: C.pc.ip, port: 60000 + i)
            if i % 2 == 1 {
                c.send(server, client, C.error(2, "Access violation"))
            } else {
                c.send(server, client, C.data(1, C.fileBytes(100 + i, seed: UInt32(i + 2))))
                c.send(client, server, C.ack(1))
            }
        }
        let (_, transfers) = c.events()
        #expect(transfers.count == 12)
        for t in transfers {
            let i = t.number - 1
            #expect(t.fileName == "file\(i).cfg")
            if i % 2 == 1 {
                #expect(t.outcome == .error)
            } else {
                #expect(t.outcome == .complete && t.file.bytes == C.fileBytes(100 + i, seed: UInt32(i + 2)))
            }
        }
    }
}
