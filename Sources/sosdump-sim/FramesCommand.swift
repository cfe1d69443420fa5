import ArgumentParser
import Foundation
import SOSDump

/// `sosdump-sim frames`: the IP-phone protocols' messages built by the
/// library's encoders (the layouts the decoders read), for
/// scripts/make-voip-captures to send over real interfaces and sockets:
/// CDP and LLDP frames in a pcapng file for tcpreplay, SCCP messages and
/// SIP datagrams as files for a TCP or UDP peer to send.
struct FramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "Write CDP and LLDP frames (pcapng) and SCCP and SIP messages (files) built by sosdump's encoders.")

    @Option(help: "The folder to write into.") var out: String
    @Option(help: "The phone's MAC address, 12 hex digits.") var phoneMAC = "00AABBCCDDEE"
    @Option(help: "The switch's MAC address, 12 hex digits.") var switchMAC = "0011223344AA"
    @Option(help: "The phone's IPv4 address.") var phone = IPv4Address(192, 0, 2, 10)
    @Option(help: "The call manager's (and registrar's) IPv4 address.") var manager = IPv4Address(192, 0, 2, 1)
    @Option(help: "The voice VLAN the switch gives.") var voiceVLAN: UInt16 = 100
    @Option(help: "The load the phone runs.") var load = "SCCP45.8-3-3S"

    func run() throws {
        guard let phoneRaw = UInt64(phoneMAC, radix: 16), let switchRaw = UInt64(switchMAC, radix: 16) else {
            throw ValidationError("a MAC address is 12 hex digits")
        }
        let phoneMAC = MACAddress(rawValue: phoneRaw), switchMAC = MACAddress(rawValue: switchRaw)
        let deviceName = "SEP" + self.phoneMAC.uppercased()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

        // The link layer: what the phone and its switch say at link up.
        let phoneCDP = CDP.encode([.deviceID(deviceName), .addresses([phone]), .portID("Port 1"), .capabilities([.host, .phone]),
                                   .softwareVersion(load), .platform("Cisco IP Phone 7945"), .voiceVLANQuery(),
                                   .power(milliwatts: 6300), .duplex(full: true)])
        let switchCDP = CDP.encode([.deviceID("sw1.example"), .addresses([manager]), .portID("GigabitEthernet1/0/7"),
                                    .capabilities([.router, .switch, .igmp]), .softwareVersion("Cisco IOS Software, C2960 Software\nVersion 15.0(2)SE11"),
                                    .platform("cisco WS-C2960-24PC-L"), .nativeVLAN(1), .voiceVLANReply(voiceVLAN), .duplex(full: true)])
        // An odd length ending in a byte with its top bit set: Cisco's sign-extended checksum.
        let oddCDP = CDP.encode([.deviceID(deviceName), .platform("Cisco IP Phone 7945"), .portID("Port \u{e9}")])
        let switchLLDP = LLDP.encode([.chassisMAC(switchMAC), .portName("Gi1/0/7"), .timeToLive(120), .text(.systemName, "sw1.example"),
                                      .capabilities(system: [.bridge, .router], enabled: [.bridge]), .managementAddress(manager),
                                      .portVLAN(1), .medCapabilities(deviceClass: 4),
                                      .networkPolicy(LLDPNetworkPolicy(applicationType: LLDPNetworkPolicy.voice, vlan: voiceVLAN))])
        let phoneLLDP = LLDP.encode([.chassisMAC(phoneMAC), .portMAC(phoneMAC), .timeToLive(180), .text(.systemName, deviceName),
                                     .capabilities(system: [.bridge, .telephone], enabled: [.telephone]), .managementAddress(phone),
                                     .medCapabilities(deviceClass: 3),
                                     .networkPolicy(LLDPNetworkPolicy(applicationType: LLDPNetworkPolicy.voice, unknown: true, tagged: false, vlan: 0, priority: 0, dscp: 0)),
                                     .inventory(.hardwareRevision, "6"), .inventory(.firmwareRevision, load),
                                     .inventory(.softwareRevision, load), .inventory(.model, "CP-7945G")])
        let frames = [CDP.frame(source: phoneMAC, pdu: phoneCDP), CDP.frame(source: switchMAC, pdu: switchCDP),
                      CDP.frame(source: phoneMAC, pdu: oddCDP), LLDP.frame(source: switchMAC, pdu: switchLLDP),
                      LLDP.frame(source: phoneMAC, pdu: phoneLLDP)]
        let writer = try PcapngWriter(path: out + "/link-layer.pcapng", application: "sosdump-sim frames")
        let interface = try writer.addInterface(CaptureInterface(linkType: .ethernet, snapLength: 65535))
        for (i, frame) in frames.enumerated() {
            try frame.withUnsafeBytes { raw in
                try writer.write(CapturedFrame(number: i + 1, timestamp: CaptureTimestamp(seconds: Int64(1_764_900_000 + i), nanoseconds: 0),
                                               interfaceIndex: interface, linkType: .ethernet, bytes: ByteView(raw), fileOffset: 0),
                                 interface: interface)
            }
        }
        try writer.close()

        // SCCP: the phone's messages and the call manager's answers.
        let messages: [(String, [UInt8])] = [
            ("register", SCCPMessage.encode(.register(SCCPRegister(deviceName: deviceName, stationAddress: phone, deviceType: 435)))),
            ("register-ack", SCCPMessage.encode(.registerAck(keepAlive: 30, secondaryKeepAlive: 60))),
            ("register-reject", SCCPMessage.encode(.registerReject(text: "Device not in database"))),
            ("reset", SCCPMessage.encode(.reset(.reset))),
            ("keepalive", SCCPMessage.encode(.keepAlive)),
            ("keepalive-ack", SCCPMessage.encode(.keepAliveAck)),
            ("unregister", SCCPMessage.encode(.unregister)),
            ("version-req", SCCPMessage.encode(id: SCCPMessageID(rawValue: 0x000F), data: [])),
        ]
        for (name, bytes) in messages { try Data(bytes).write(to: URL(fileURLWithPath: "\(out)/sccp-\(name).bin")) }

        // SIP: a SIP load's REGISTER and the registrar's 200.
        let register = SIPMessage.encodeRegister(user: "2001", registrar: manager.description, from: "4c1d9f2a", callID: "00aabbcc-0001@\(phone)",
                                                 cseq: 101, contact: "\(phone):5060", userAgent: "Cisco-CP7945G/9.4.2", via: "\(phone):5060")
        try Data(register).write(to: URL(fileURLWithPath: out + "/sip-register.bin"))
        try Data(SIPMessage.encodeResponse(status: 200, reason: "OK", to: register)).write(to: URL(fileURLWithPath: out + "/sip-200.bin"))
        print("frames: \(frames.count) link-layer frames, \(messages.count) SCCP messages, 2 SIP messages in \(out)")
    }
}
