import ArgumentParser
import SOSDump
import SOSDumpLive

@main
struct SOSDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sosdump",
        abstract: "Explain, from a packet capture, why a Cisco IP phone's firmware recovery failed.",
        version: "sosdump 0.1.0 (\(Libpcap.version))",
        subcommands: []
    )
}
