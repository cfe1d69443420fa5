import ArgumentParser
import Foundation
import SOSDump
import SOSDumpSimulation

/// `sosdump-sim`: the two sides of an S.O.S. recovery over real sockets, to
/// make captures (scripts/make-sos-captures) and to try sosdump on them.
@main
struct SimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sosdump-sim",
        abstract: "Play a Cisco SPA30x/SPA50x phone in S.O.S. recovery, or the recovery utility, over real sockets.",
        discussion: """
            `phone` runs the phone's recovery program as docs/sos-protocol.md describes it (needs root: \
            AF_PACKET for ARP and DHCP, ports 2000 and 4810). `utility` runs the PC's side: requests, \
            the upgrade order and a TFTP server on port 69. `image` writes a test firmware image. \
            Run each in its own network namespace; both print what they do, one line per event.
            """,
        subcommands: [PhoneCommand.self, UtilityCommand.self, ImageCommand.self, FramesCommand.self]
    )
}

extension IPv4Address: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension RecoveryPhone.RRQDestination: ExpressibleByArgument {}
extension RecoveryPhone.AfterWrite: ExpressibleByArgument {}
extension RecoveryUtility.UpgradeFormat: ExpressibleByArgument {}

struct PhoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phone",
        abstract: "A phone in S.O.S. recovery on an interface whose address is already set.")

    @Option(help: "The phone's interface.") var interface: String
    @Option(help: "The phone's IPv4 address (set on the interface).") var address: IPv4Address
    @Option(help: "The prefix length of its subnet.") var prefixLength = 24
    @Option(help: "Its gateway (IPA_GATEWAY); none: \"IPA_GATEWAY not configured\".") var gateway: IPv4Address?
    @Option(help: "Its serial number.") var serial: String
    @Option(help: "Its model, as in replies.") var product = "SPA504G"
    @Option(help: "The recovery program's version, as in replies.") var softwareVersion = "7.4.4rec"
    @Option(help: "The hardware version, as in replies.") var hardwareVersion = "1.0.2"
    @Option(help: "The byte in the fields the loader leaves uninitialised.") var uninitialised: UInt8 = 0
    @Flag(help: "Run DHCP (option 60 TI-dhcp 0.1) each time the recovery program starts.") var dhcp = false
    @Option(help: "Recovery URL: tftp://ADDRESS/path or http://ADDRESS[:port]/path.") var recoveryURL: String?
    @Option(help: "Last Upgrade URL, tried after the Recovery URL.") var lastUpgradeURL: String?
    @Option(help: "Seconds of the first listening window (then doubled).") var firstWindow: Double = 5
    @Option(help: "TFTP timeout per try, seconds.") var tftpTimeout: Double = 2
    @Option(help: "TFTP transmissions of a request or ACK.") var tftpTries = 5
    @Option(help: "Seconds to wait for DHCP after each DISCOVER.") var dhcpWait: Double = 5
    @Option(help: "Milliseconds the phone takes per DATA block before its ACK.") var ackDelayMs: Double = 0
    @Option(help: "Where the download's RRQ goes: group (7.6.2f) or sender (an older variant).") var rrqTo = RecoveryPhone.RRQDestination.group
    @Flag(help: "Also take a datagram carrying a .bin name as text as an upgrade order (an older variant).") var textUpgrade = false
    @Option(help: "Seconds of silence while the flash is written.") var writeSeconds: Double = 30
    @Option(help: "After the write: normal (new firmware) or recovery (back in recovery).") var afterWrite = RecoveryPhone.AfterWrite.normalFirmware
    @Option(help: "Where the normal firmware sends its profile RRQ and SIP REGISTER.") var provisioningServer = IPv4Address(198, 51, 100, 10)
    @Option(help: "Stop after this many seconds.") var maxSeconds: Double = 600

    func run() throws {
        var c = RecoveryPhone.Configuration(interface: interface, address: address, serial: serial)
        c.prefixLength = prefixLength
        c.gateway = gateway
        c.product = product
        c.softwareVersion = softwareVersion
        c.hardwareVersion = hardwareVersion
        c.uninitialised = uninitialised
        c.dhcp = dhcp
        c.recoveryURL = recoveryURL
        c.lastUpgradeURL = lastUpgradeURL
        c.firstWindow = firstWindow
        c.tftpTimeout = tftpTimeout
        c.tftpTries = tftpTries
        c.dhcpWait = dhcpWait
        c.ackDelay = ackDelayMs / 1000
        c.rrqDestination = rrqTo
        c.textUpgrade = textUpgrade
        c.writeSeconds = writeSeconds
        c.afterWrite = afterWrite
        c.provisioningServer = provisioningServer
        c.maxSeconds = maxSeconds
        try RecoveryPhone(c).run()
    }
}

struct UtilityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "utility",
        abstract: "The recovery utility: find the phone, order the upgrade, serve the image by TFTP.",
        discussion: "Exit status: 0 image sent, 2 no phone replied, 3 no TFTP request, 4 a transfer failed.")

    @Option(help: "The PC's IPv4 address on the phone's link.") var address: IPv4Address
    @Option(name: .customLong("to"), help: "Where requests and the upgrade go (repeatable).") var targets: [IPv4Address] = [SOSRecovery.group]
    @Option(help: "The serial asked for.") var serial = SOSRecovery.wildcardSerial
    @Option(help: "Requests sent before giving up.") var requests = 10
    @Option(help: "Seconds between requests.") var requestInterval: Double = 1
    @Option(help: "Request length in bytes (the phone takes 160 only).") var requestLength = SOSLayout.orderLength
    @Option(help: "Request opcode (the phone takes 0).") var requestOpcode: UInt8 = 0
    @Option(help: "Source port of requests and upgrade (the phone takes 4811 only).") var sourcePort = SOSRecovery.utilityPort
    @Flag(help: "Do not receive multicast: the phone's replies never arrive.") var deaf = false
    @Option(help: "The firmware image to serve.") var image: String
    @Option(help: "The file name in the upgrade order.") var fileName = "/spa71f6.bin"
    @Option(help: "The port field of the upgrade order.") var upgradePort: UInt16 = 69
    @Option(help: "recm (opcode 2) or text (an older variant).") var upgradeFormat = RecoveryUtility.UpgradeFormat.recm
    @Flag(help: "Run no TFTP server: nothing listens on port 69.") var noTFTPServer = false
    @Option(help: "Answer TFTP requests with this ERROR, CODE:MESSAGE.") var tftpError: String?
    @Option(help: "Send nothing after this DATA block (a hung server).") var stallAfterBlock: Int?
    @Option(help: "Milliseconds between an ACK and the next DATA.") var blockDelayMs: Double = 0
    @Option(help: "Seconds to wait for the TFTP request.") var rrqWait: Double = 15
    @Option(help: "Seconds without progress before a hung transfer counts as failed.") var stallGiveUp: Double = 12
    @Option(help: "After the transfer, keep sending requests this many seconds.") var watchSeconds: Double = 0
    @Option(help: "Seconds between those requests.") var watchInterval: Double = 2

    func validate() throws {
        if let tftpError, tftpError.split(separator: ":", maxSplits: 1).first.flatMap({ UInt16($0) }) == nil {
            throw ValidationError("--tftp-error needs CODE:MESSAGE, e.g. 1:File not found")
        }
    }

    func run() throws {
        guard let bytes = FileManager.default.contents(atPath: image) else {
            throw ValidationError("cannot read \(image)")
        }
        var c = RecoveryUtility.Configuration(fileName: fileName)
        c.targets = targets
        c.serial = serial
        c.requests = requests
        c.requestInterval = requestInterval
        c.requestLength = requestLength
        c.requestOpcode = requestOpcode
        c.upgradePort = upgradePort
        c.upgradeFormat = upgradeFormat
        c.rrqWait = rrqWait
        c.stallGiveUp = stallGiveUp
        c.watchSeconds = watchSeconds
        c.watchInterval = watchInterval
        if !noTFTPServer {
            var t = RecoveryTFTPServer.Configuration(image: Array(bytes), fileName: fileName)
            t.blockDelay = blockDelayMs / 1000
            t.stallAfterBlock = stallAfterBlock
            if let tftpError {
                let parts = tftpError.split(separator: ":", maxSplits: 1)
                t.error = (UInt16(parts[0]) ?? 0, parts.count > 1 ? String(parts[1]) : "")
            }
            c.tftp = t
        }
        let sockets = UtilityDriver.Sockets(address: address, sourcePort: sourcePort, deaf: deaf)
        let driver = try UtilityDriver(c, sockets: sockets)
        let to = targets.map { "\($0)" }.joined(separator: " and ")
        driver.console.say("looking for phones: requests to \(to):4810 from port \(sourcePort), serial \(serial), \(requestLength) bytes"
                           + (deaf ? " (multicast not received)" : "") + (noTFTPServer ? " (no TFTP server)" : ""))
        let status = driver.run()
        throw ExitCode(status.rawValue)
    }
}

struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Write a test firmware image (the KOSMOS format, sealed as the vendor's tool seals it).")

    @Option(help: "The file to write.") var out: String
    @Option(help: "The version in the header.") var version = "7.4.9c"
    @Option(help: "Sectors as ID followed by s (stored, 64 KiB) or z (zlib), comma-separated.") var sectors = "0z,32s,33z,34z"
    @Option(help: "Added to every sector's content seed, for another image of the same shape.") var seed = 0
    @Option(help: "none, sector-data (flip a byte in the last sector's data), header-digest, or truncate (cut the last 100 bytes).")
    var damage = "none"

    func run() throws {
        var specs: [SectorSpec] = []
        for item in sectors.split(separator: ",") {
            guard let kind = item.last, kind == "s" || kind == "z", let id = UInt16(item.dropLast()) else {
                throw ValidationError("bad sector \(item): use e.g. 32s or 33z")
            }
            specs.append(SectorSpec(id: id, stored: kind == "s", content: SectorSpec.content(seed: Int(id) + 1000 * seed)))
        }
        var builder = FirmwareImageBuilder(sectors: specs)
        builder.version = version
        var image = builder.build()
        switch damage {
        case "none": break
        case "sector-data":
            guard let last = image.data.last else { break }
            image.flip(at: last.offset + last.length / 2)
        case "header-digest": image.flip(at: FirmwareImageLayout.digestOffset)
        case "truncate": image.bytes.removeLast(min(100, image.bytes.count))
        default: throw ValidationError("unknown damage \(damage)")
        }
        guard FileManager.default.createFile(atPath: out, contents: Data(image.bytes)) else {
            throw ValidationError("cannot write \(out)")
        }
        let v = FirmwareVerification(image.bytes)
        let verdict: String = switch v.verdict {
        case .accepted: "the loader accepts it"
        case .rejected(let check): "the loader rejects it: \(check.loaderMessage ?? check.title)"
        case .incomplete(let check): "incomplete: \(check.title)"
        }
        print("\(out): \(image.bytes.count) bytes, version \(v.version ?? "?"), sha256 \(v.sha256); \(verdict)")
    }
}
