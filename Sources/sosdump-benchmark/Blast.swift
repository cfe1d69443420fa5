import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `sosdump-benchmark blast`: a bounded UDP traffic generator for the live
/// benchmark (scripts/live-benchmark). Sends datagrams of `--size` bytes to
/// `--to ADDRESS:PORT` at `--rate` per second for `--seconds`, paced in
/// small bursts, and stops by itself; it prints how many it sent. Run it in
/// a network namespace of its own, towards an address of the lab: it is
/// meant for a veth pair, never for a real network.
struct Blast: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send UDP datagrams at a fixed rate for a fixed time (background traffic for the live benchmark).")

    @Option(help: "Destination, IPv4 ADDRESS:PORT.")
    var to: String

    @Option(help: "Datagrams per second.")
    var rate = 200_000

    @Option(help: "Seconds to send for (at most 600).")
    var seconds: Double = 10

    @Option(help: "UDP payload bytes per datagram.")
    var size = 100

    @Option(help: "Source port.")
    var sourcePort: UInt16 = 40000

    func validate() throws {
        guard rate >= 1, rate <= 5_000_000 else { throw ValidationError("--rate must be between 1 and 5000000.") }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be between 0 and 600.") }
        guard size >= 8, size <= 1472 else { throw ValidationError("--size must be between 8 and 1472.") }
    }

    func run() throws {
        let parts = to.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { throw ValidationError("--to must be ADDRESS:PORT") }
        var destination = sockaddr_in()
        destination.sin_family = sa_family_t(AF_INET)
        destination.sin_port = port.bigEndian
        guard inet_pton(AF_INET, String(parts[0]), &destination.sin_addr) == 1 else { throw ValidationError("--to: not an IPv4 address") }

        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var source = sockaddr_in()
        source.sin_family = sa_family_t(AF_INET)
        source.sin_port = sourcePort.bigEndian
        let bound = withUnsafePointer(to: &source) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure("bind: \(String(cString: strerror(errno)))") }
        let connected = withUnsafePointer(to: &destination) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure("connect: \(String(cString: strerror(errno)))") }

        var payload = [UInt8](repeating: 0x5A, count: size)
        let start = Self.now()
        var sent = 0, failed = 0
        while true {
            let elapsed = Self.now() - start
            if elapsed >= seconds { break }
            let due = Int(elapsed * Double(rate)) - sent - failed
            if due <= 0 {
                usleep(50)
                continue
            }
            // Bursts of at most 64: the pacing stays within a third of a
            // millisecond at 200,000 a second.
            for _ in 0..<min(due, 64) {
                let number = UInt64(sent + failed)
                withUnsafeBytes(of: number.bigEndian) { raw in
                    for i in 0..<8 { payload[i] = raw[i] }
                }
                let n = payload.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
                if n == size { sent += 1 } else { failed += 1 }
            }
        }
        let elapsed = Self.now() - start
        print("sent \(sent) datagrams of \(size) bytes in \(String(format: "%.3f", elapsed)) s (\(Int(Double(sent) / elapsed))/s), \(failed) refused by the kernel")
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
