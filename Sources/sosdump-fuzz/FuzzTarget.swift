/// libFuzzer entry point: capture readers and decoders, firmware
/// verification, catalog files, bundle import, the pcapng writer's round
/// trip, and the text renderers behind each (`FuzzEntry`). The environment
/// variable `SOSDUMP_FUZZ_ENTRY` (capture, frame, firmware, catalog, bundle,
/// writer) sends every input to one entry; without it the input's first
/// bytes choose.
///
/// Built only by `scripts/fuzz`, with `-sanitize=fuzzer,address` and
/// `-DFUZZING`. SwiftPM links an executable's entry point as
/// `<module>_main`, so in that build the entry point hands control to
/// libFuzzer's driver (`LLVMFuzzerRunDriver`). In an ordinary build the
/// entry point replays the files named on the command line instead, so the
/// target always compiles and can reproduce a crash without libFuzzer.
import SOSDump
#if canImport(Glibc)
import Glibc
#endif

let fuzzEntry: FuzzEntry.Entry? = getenv("SOSDUMP_FUZZ_ENTRY").flatMap { FuzzEntry.Entry(rawValue: String(cString: $0)) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    FuzzEntry.run(Array(UnsafeBufferPointer(start: data, count: size)), entry: fuzzEntry)
    return 0
}

#if FUZZING
typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzCallback
) -> CInt

@main
enum Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
    }
}
#else
@main
enum Replay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let file = fopen(path, "rb") else {
                print("cannot read \(path)")
                continue
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = fread(&chunk, 1, chunk.count, file)
                if n <= 0 { break }
                bytes += chunk[..<n]
            }
            fclose(file)
            FuzzEntry.run(bytes, entry: fuzzEntry)
            print("ok \(path)")
        }
    }
}
#endif
