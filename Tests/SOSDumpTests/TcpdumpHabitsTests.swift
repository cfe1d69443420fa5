import Foundation
import Testing
@testable import SOSDump

/// tcpdump's and tshark's habits on the file commands, through the binary:
/// `-r FILE` and `-r -`, `-c1`, `-n`, several files, and a BPF read filter
/// after the files, compiled by libpcap.
@Suite struct TcpdumpHabitsTests {
    static let recovered = CaptureCorpus.path("sos", "recovered.pcap")
    static let twoPhones = CaptureCorpus.path("sos", "two-phones.pcap")

    func lines(_ arguments: [String]) throws -> [Substring] {
        let r = try CommandRunner.sosdump(arguments)
        #expect(r.status == 0, "\(arguments): \(r.standardError)")
        return r.standardOutput.split(separator: "\n")
    }

    @Test func readOptionCountAndNoNamesAreTaken() throws {
        let plain = try lines(["packets", Self.recovered])
        #expect(plain.count == 327)
        #expect(try lines(["packets", "-r", Self.recovered]) == plain)
        #expect(try lines(["packets", "-nr", Self.recovered]) == plain)
        #expect(try lines(["packets", "-n", "-c1", "-r", Self.recovered]) == Array(plain.prefix(1)))
        #expect(try lines(["packets", "-c", "3", Self.recovered]) == Array(plain.prefix(3)))
        #expect(try lines(["analyze", "-n", "-r", Self.recovered]) == lines(["analyze", Self.recovered]))
        #expect(try lines(["transfers", "-r", Self.recovered]) == lines(["transfers", Self.recovered]))
    }

    /// `udp port 69` keeps the TFTP requests and ACKs to port 69 and nothing
    /// else, with their numbers in the file; tcpdump agrees on the count.
    @Test func aReadFilterKeepsWhatLibpcapMatches() throws {
        let all = try lines(["packets", Self.recovered])
        let tftp = try lines(["packets", "-r", Self.recovered, "udp", "port", "69"])
        #expect(!tftp.isEmpty && tftp.count < all.count)
        #expect(tftp.allSatisfy { $0.contains(".69: TFTP") || $0.contains(".69 > ") })
        #expect(Set(tftp).isSubset(of: Set(all)))
        #expect(try lines(["packets", Self.recovered, "arp"]).allSatisfy { $0.contains("ARP") })
        let (status, text) = try CommandRunner.program("/usr/bin/tcpdump", ["-n", "-r", Self.recovered, "udp", "port", "69"])
        #expect(status == 0)
        #expect(text.split(separator: "\n").count == tftp.count)
    }

    @Test func aFilterThatDoesNotCompileIsAUsageError() throws {
        let r = try CommandRunner.sosdump(["packets", "-r", Self.recovered, "udp", "port"])
        #expect(r.status == 64)
        #expect(r.standardError.contains("does not compile"))
    }

    /// Several files are one capture: numbered on, transfers from both.
    @Test func severalFilesAreReadOneAfterAnother() throws {
        let first = try lines(["packets", Self.recovered]), second = try lines(["packets", Self.twoPhones])
        let both = try lines(["packets", "-r", Self.recovered, "-r", Self.twoPhones])
        #expect(both.count == first.count + second.count)
        #expect(both.last?.hasPrefix("\(first.count + second.count) ") == true)
        let transfers = try lines(["transfers", Self.recovered, Self.twoPhones])
        #expect(transfers.filter { $0.contains(" read ") }.count
                == (try lines(["transfers", Self.recovered]) + lines(["transfers", Self.twoPhones])).filter { $0.contains(" read ") }.count)
    }
}
