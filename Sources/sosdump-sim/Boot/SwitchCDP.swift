#if canImport(Glibc)
import Glibc
#endif
import SOSDump
import SOSDumpLive

/// The switch's side of CDP: what a Cisco access switch sends on a phone's
/// port once a minute (here every `interval` seconds, and at once when a
/// phone's query arrives): its name, port, capabilities and the voice VLAN
/// in a VoIP VLAN reply.
final class SwitchCDP {
    let interface: String
    let voiceVLAN: UInt16
    let interval: Double
    let maxSeconds: Double
    let console = Console(speaker: "switch")

    init(interface: String, voiceVLAN: UInt16, interval: Double, maxSeconds: Double) {
        self.interface = interface
        self.voiceVLAN = voiceVLAN
        self.interval = interval
        self.maxSeconds = maxSeconds
    }

    func run() throws {
        let mac = try interfaceMAC(interface)
        // ETH_P_802_2 (4): the 802.3 frames CDP rides in.
        let socket = try PacketSocket(interface: interface, ethertype: 0x0004)
        let pdu = CDP.encode([.deviceID("access-switch"), .portID("GigabitEthernet0/1"), .capabilities([.switch, .igmp]),
                              .softwareVersion("Cisco IOS Software, C3560 Software (C3560-IPSERVICESK9-M), Version 15.0(2)SE11"),
                              .platform("cisco WS-C3560-8PC"), .nativeVLAN(1), .voiceVLANReply(voiceVLAN), .duplex(full: true)])
        let frame = CDP.frame(source: mac, pdu: pdu)
        let end = now() + maxSeconds
        var next = now()
        console.say("CDP on \(interface), voice VLAN \(voiceVLAN)")
        while now() < end {
            if now() >= next {
                try socket.send(frame)
                next = now() + interval
            }
            for _ in readable([socket.fd], until: min(next, end)) {
                while let f = socket.receive() {
                    // A phone's CDP (to 01:00:0c:cc:cc:cc) asks for the voice VLAN: answer now.
                    if f.count > 14, Array(f.prefix(6)) == CDP.multicast.octets {
                        try socket.send(frame)
                        console.say("answers a CDP query")
                    }
                }
            }
        }
    }
}
