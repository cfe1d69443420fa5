/// libFuzzer entry point for the capture readers and the decoders.
///
/// Built only by `scripts/fuzz`, with `-sanitize=fuzzer,address` and
/// `-DFUZZING`: libFuzzer then supplies `main`. In an ordinary build the
/// `@main` below replays files given on the command line instead, so the
/// target always compiles.
import SOSDump

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzEntry.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if !FUZZING
import Foundation

@main
enum Replay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("cannot read \(path)")
                continue
            }
            FuzzEntry.run([UInt8](data))
            print("ok \(path)")
        }
    }
}
#endif
