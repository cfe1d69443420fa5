import ArgumentParser
import SOSDump
import SOSDumpLive

@main
struct SOSDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sosdump",
        abstract: "Explain, from a packet capture, why a Cisco IP phone's firmware recovery failed.",
        discussion: """
            Start with `sosdump analyze CAPTURE`: it says, per phone, how the recovery ended and \
            what to do next.

            Exit status: 0 when the whole capture was read; 1 when reading stopped at damage \
            (everything before it was reported, and a warning says where); 2 when the input \
            could not be read at all; 64 for a usage error; 73 when `extract` could not write \
            a file. `analyze`: 0 when every capture was analysed, whatever the verdict, a damaged \
            one included (analysed up to the damage); 2 when one could not be read. `check`: 0 \
            when every capture matches its expectation, 1 when one does not. `verify` and \
            `catalog import`: 0 when the phone's loader accepts the image; 1 (verify) when nothing \
            failed but not every check could be made (a partial image); 2 when a file cannot be \
            read; 3 when the loader would reject the image. `live`: 0 when the run ended by -c, \
            --duration or a signal; 1 when reading stopped; 2 when capture could not start (no such \
            interface, no privileges); 64 for a usage error or a filter that does not compile; 73 \
            when the -w file cannot be written. `recover`: 0 when the phone came back with normal \
            firmware; 1 when it did not, or the run was stopped; 2 when it could not start; 3 when \
            the loader would reject the image; 4 when the file holds none.
            """,
        version: "sosdump 0.1.0 (\(Libpcap.version))",
        subcommands: [AnalyzeCommand.self, CheckCommand.self, PacketsCommand.self, TransfersCommand.self, ExtractCommand.self, VerifyCommand.self,
                      CatalogCommand.self, LiveCommand.self, RecoverCommand.self, ShareCommand.self]
    )

    /// tcpdump's `-c1` is `-c 1` (`splittingJoinedShortOptions`).
    static func main() {
        main(splittingJoinedShortOptions(Array(CommandLine.arguments.dropFirst())))
    }
}
