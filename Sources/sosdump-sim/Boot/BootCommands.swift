import ArgumentParser
import Foundation
import SOSDump
import SOSDumpSimulation

// The 79xx side of the simulator: the phone, the switch's CDP, a minimal
// SCCP call manager, and the files a TFTP server serves to the phone.

extension CallManager.Mode: ExpressibleByArgument {}

struct BootPhoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phone79xx",
        abstract: "A Cisco 79xx phone booting: CDP, DHCP, TFTP (trust list, configuration, load), SCCP registration.",
        discussion: "Needs root (a packet socket for CDP and DHCP; it sets its interface's address from DHCP with ip(8)).")

    @Option(help: "The phone's interface.") var interface: String
    @Option(help: "Its model (7945, 7965, 7941, ...).") var model = "7945"
    @Option(help: "Its SCCP device type (435 for a 7945).") var deviceType: UInt32 = 435
    @Option(help: "The load it runs; \"none\" after a factory reset.") var load = "SCCP45.8-3-3S"
    @Flag(help: "It holds a trust list from another call manager (asks for SEP<MAC>.cnf.xml.sgn).") var trustList = false
    @Option(help: "A load it refuses whatever its version (repeatable).") var refuse: [String] = []
    @Option(help: "An alternate TFTP server set on the phone (DHCP's is ignored).") var alternateTFTP: IPv4Address?
    @Option(help: "The call manager (default: the TFTP server).") var callManager: IPv4Address?
    @Option(help: "Seconds between two TFTP requests.") var requestGap: Double = 0.3
    @Option(help: "Seconds to write a load and restart.") var writeSeconds: Double = 2
    @Option(help: "Seconds from a failure to the next boot.") var restartSeconds: Double = 2
    @Option(help: "DISCOVERs per boot.") var dhcpTries = 3
    @Option(help: "Seconds to wait for each DHCP answer.") var dhcpWait: Double = 3
    @Option(help: "Seconds to wait for the call manager's answer.") var registerWait: Double = 12
    @Option(help: "Milliseconds the phone takes per DATA block before its ACK.") var ackDelayMs: Double = 0
    @Option(help: "Boots before it stops.") var maxBoots = 4
    @Option(help: "Stop after this many seconds.") var maxSeconds: Double = 300
    @Flag(help: "Send no CDP.") var noCDP = false

    func run() throws {
        var c = BootPhone.Configuration(interface: interface)
        c.model = model
        c.deviceType = deviceType
        c.runningLoad = load == "none" ? nil : load
        c.trustList = trustList
        c.refuses = refuse
        c.alternateTFTP = alternateTFTP
        c.callManager = callManager
        c.requestGap = requestGap
        c.writeSeconds = writeSeconds
        c.restartSeconds = restartSeconds
        c.dhcpTries = dhcpTries
        c.dhcpWait = dhcpWait
        c.registerWait = registerWait
        c.ackDelay = ackDelayMs / 1000
        c.maxBoots = maxBoots
        c.maxSeconds = maxSeconds
        c.cdp = !noCDP
        try BootPhone(c).run()
    }
}

struct CallManagerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callmanager",
        abstract: "A minimal SCCP call manager on TCP 2000: RegisterAck, RegisterReject, or silence.")

    @Option(help: "The address to listen on.") var address: IPv4Address
    @Option(help: "ack, reject or silent.") var mode = CallManager.Mode.ack
    @Option(help: "The RegisterReject text.") var rejectText = "No Authority: SEP"
    @Option(help: "Stop after this many seconds.") var maxSeconds: Double = 300

    func run() throws {
        try CallManager(address: address, mode: mode, rejectText: rejectText, maxSeconds: maxSeconds).run()
    }
}

struct SwitchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switch",
        abstract: "A Cisco access switch's CDP on a phone's port, offering the voice VLAN.")

    @Option(help: "The switch port's interface.") var interface: String
    @Option(help: "The voice VLAN it offers.") var voiceVLAN: UInt16 = 100
    @Option(help: "Seconds between announcements.") var interval: Double = 5
    @Option(help: "Stop after this many seconds.") var maxSeconds: Double = 300

    func run() throws {
        try SwitchCDP(interface: interface, voiceVLAN: voiceVLAN, interval: interval, maxSeconds: maxSeconds).run()
    }
}

struct BootFilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Write a TFTP root for 79xx phones: XMLDefault.cnf.xml, SEP<MAC>.cnf.xml, a load's .loads and parts.")

    @Option(help: "The folder to write into.") var out: String
    @Option(help: "The load the configurations name (none: no load named).") var load = "SCCP45.9-4-2SR3-1S"
    @Option(help: "The release line of the .loads.") var release = "9-4-2SR3-1"
    @Option(help: "The call manager the configurations name.") var callManager: IPv4Address
    @Option(help: "Write SEP<MAC>.cnf.xml for this MAC (repeatable).") var device: [String] = []
    @Flag(help: "Write no XMLDefault.cnf.xml.") var noDefault = false
    @Flag(help: "Write no .loads (the load is not on the server).") var noLoads = false
    @Option(help: "Leave out this part (repeatable).") var omitPart: [String] = []
    @Option(help: "Write this part under another name, OLD=NEW (repeatable: a case mismatch).") var renamePart: [String] = []
    @Option(help: "Also write the .loads and parts of this load (repeatable).") var alsoLoad: [String] = []
    @Option(help: "Bytes of each part.") var partSize = 40_000
    @Option(help: "The device type and model of XMLDefault's entry, TYPE:MODEL (repeatable).") var entry: [String] = ["435:7945", "436:7965"]

    func run() throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        func write(_ name: String, _ bytes: [UInt8]) throws {
            guard fm.createFile(atPath: out + "/" + name, contents: Data(bytes)) else { throw ValidationError("cannot write \(out)/\(name)") }
            print("\(name) \(bytes.count) bytes")
        }
        let named = load == "none" ? nil : load
        if !noDefault, let named {
            let entries = try entry.map { e -> (deviceType: UInt32, model: String, load: String) in
                let p = e.split(separator: ":")
                guard p.count == 2, let t = UInt32(p[0]) else { throw ValidationError("bad entry \(e): use TYPE:MODEL") }
                return (t, String(p[1]), named)
            }
            try write("XMLDefault.cnf.xml", BootFileBuilder.defaultConfig(loads: entries, callManagers: [callManager]))
        } else if !noDefault {
            try write("XMLDefault.cnf.xml", BootFileBuilder.defaultConfig(loads: [], callManagers: [callManager]))
        }
        for mac in device {
            try write("SEP\(mac.uppercased()).cnf.xml", BootFileBuilder.deviceConfig(load: named, callManagers: [callManager]))
        }
        var renames: [String: String] = [:]
        for r in renamePart {
            let p = r.split(separator: "=", maxSplits: 1)
            guard p.count == 2 else { throw ValidationError("bad rename \(r): use OLD=NEW") }
            renames[String(p[0])] = String(p[1])
        }
        for l in (named.map { [$0] } ?? []) + alsoLoad where !(noLoads && l == named) {
            let parts = BootFileBuilder.partNames(load: l)
            let rel = l.split(separator: ".", maxSplits: 1).last.map(String.init) ?? l
            try write("\(l).loads", BootFileBuilder.loads(name: "\(l).loads", release: l == named ? release : rel, parts: parts))
            for p in parts where !omitPart.contains(p) {
                try write(renames[p] ?? p, BootFileBuilder.part(name: p, size: partSize))
            }
        }
    }
}
