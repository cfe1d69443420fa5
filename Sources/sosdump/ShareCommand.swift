import ArgumentParser
import Foundation
import SOSDump

/// `sosdump share`: the frames the diagnosis used, with the network's
/// names replaced by pseudonyms, as a pcapng file to post on a forum.
struct ShareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Write the frames the diagnosis used to a pcapng file, with addresses, serials and names replaced by pseudonyms.",
        discussion: """
            Only what `analyze` used is written: each phone's frames (by MAC address, or an address \
            it had), its ARP (the gateway's answer too), the DHCP about it, its transfers, and every \
            S.O.S. message; frames of other hosts are left out. MAC addresses keep their maker's \
            first three bytes; IPv4 addresses keep their first and last octet and which of them \
            share a subnet; multicast, broadcast, 0.0.0.0 and 234.4.8.10 are kept. Serial numbers, \
            host names and SEP device names are replaced in headers and inside the S.O.S., DHCP, \
            ARP and ICMP payloads and in text anywhere (file names, configuration files); \
            checksums are updated. A comment in the file says what was kept and replaced \
            (Wireshark: Statistics > Capture File Properties).

            Pseudonyms come from a secret key that stays on this machine: \
            $XDG_CONFIG_HOME/sosdump/share.key (~/.config/sosdump/share.key), made on first use. \
            The same key gives the same pseudonyms every time, so `sosdump analyze --redact` \
            prints a report that matches the shared file, and a later capture of the same network \
            uses the same names; --random-key uses a key for this run only. docs/share.md says \
            exactly what is kept and replaced.

            Exit status: 0 when the file was written; 1 when reading stopped at damage (the \
            frames before it were written); 2 when the capture cannot be read; 73 when the \
            output cannot be written.
            """
    )

    @OptionGroup var input: CaptureFileOption

    @Option(name: .shortAndLong, help: ArgumentHelp("The pcapng file to write (- for standard output).", valueName: "file"))
    var output: String

    @Flag(help: "Only leave out the frames of other hosts; keep every address, serial and name as it was.")
    var keepAddresses = false

    @OptionGroup var key: PseudonymKeyOptions

    func validate() throws {
        try input.validate()
        if output == input.file, output != "-" { throw ValidationError("The output would overwrite the capture.") }
    }

    func run() throws {
        let source = try SpooledCapture(input.file)
        defer { source.remove() }
        let (conclusion, firstDamage) = CaptureAnalysis.analyze(try openCapture(source.path, name: input.file))
        let redactor = keepAddresses ? nil : FrameRedactor(pseudonyms: Pseudonyms(key: try key.load()), followed: conclusion.followed)
        let comment = ShareWording.comment(followed: conclusion.followed, redacted: !keepAddresses,
                                           damagedAfterFrame: firstDamage == nil ? nil : conclusion.sos.frames)
        let writer: PcapngWriter
        do {
            writer = try PcapngWriter(path: output == "-" ? "/dev/stdout" : output, application: "sosdump share", comment: comment)
        } catch {
            warn("\(error)")
            throw ExitStatus.cannotWrite
        }
        let reader = try openCapture(source.path, name: input.file)
        let summary: CaptureShare.Summary
        do {
            summary = try CaptureShare.write(reader, to: writer, selection: ShareSelection(followed: conclusion.followed), redactor: redactor)
        } catch let error as CaptureWriteError {
            warn("\(error)")
            throw ExitStatus.cannotWrite
        }
        warn(ShareWording.summary(output: output == "-" ? "standard output" : output, summary))
        if let damage = summary.damage ?? firstDamage {
            warn(PacketListing.damageLine(damage, framesRead: summary.framesRead))
            throw ExitStatus.damaged
        }
    }
}

/// The key of the pseudonyms (`share`, `analyze --redact`).
struct PseudonymKeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The file holding the pseudonyms' secret key (made when missing).", valueName: "file"))
    var keyFile: String?

    @Flag(help: "Use a new random key for this run only: pseudonyms that match no other run.")
    var randomKey = false

    func validate() throws {
        if randomKey, keyFile != nil { throw ValidationError("Give --key-file or --random-key, not both.") }
    }

    /// The key, made and saved on first use.
    func load() throws -> PseudonymKey {
        if randomKey { return .random() }
        do {
            return try PseudonymKey.load(path: keyFile ?? Self.defaultPath, create: true)
        } catch {
            warn("\(error)")
            throw ExitStatus.unreadable
        }
    }

    /// $XDG_CONFIG_HOME/sosdump/share.key, else ~/.config/sosdump/share.key.
    static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        if let config = env["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/sosdump/share.key" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.config/sosdump/share.key"
    }
}

/// A capture that can be read twice: a file as it is, standard input
/// copied to a temporary file first.
struct SpooledCapture {
    let path: String
    private let temporary: Bool

    /// `file` itself, or for `-` a copy of standard input.
    init(_ file: String) throws {
        guard file == "-" else {
            path = file
            temporary = false
            return
        }
        var template = Array((NSTemporaryDirectory() + "/sosdump-stdin-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            warn("cannot make a temporary file for standard input: \(String(cString: strerror(errno)))")
            throw ExitStatus.unreadable
        }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        temporary = true
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            guard buffer.withUnsafeBytes({ writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<n]), to: fd) }) else {
                warn("cannot copy standard input to \(path): \(String(cString: strerror(errno)))")
                unlink(path)
                throw ExitStatus.unreadable
            }
        }
    }

    func remove() { if temporary { unlink(path) } }
}
