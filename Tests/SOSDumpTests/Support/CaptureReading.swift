import Testing
@testable import SOSDump

/// A delivered frame, copied out of the reader's buffer.
struct FrameSummary: Equatable, CustomStringConvertible {
    var number: Int
    var interfaceIndex: Int
    var linkType: LinkType
    var seconds: Int64
    var nanoseconds: UInt32
    var fractionDigits: UInt8
    var data: [UInt8]
    var originalLength: Int
    var fileOffset: Int64

    init(_ frame: CapturedFrame) {
        number = frame.number
        interfaceIndex = frame.interfaceIndex
        linkType = frame.linkType
        seconds = frame.timestamp.seconds
        nanoseconds = frame.timestamp.nanoseconds
        fractionDigits = frame.timestamp.fractionDigits
        data = Array(frame.bytes)
        originalLength = frame.originalLength
        fileOffset = frame.fileOffset
    }

    var description: String {
        "#\(number) @\(fileOffset) if\(interfaceIndex) \(linkType) \(seconds).\(nanoseconds)/\(fractionDigits) \(data.count)/\(originalLength)"
    }
}

/// Everything a reader made of some bytes: the frames up to the end or the
/// error, whether it came from `init` or `next()`.
struct ReadResult {
    var frames: [FrameSummary] = []
    var error: CaptureError?
    var format: CaptureFormat?
    var interfaces: [CaptureInterface] = []
    var warnings: [CaptureWarning] = []
    var suppressedWarnings = 0
    var bytesConsumed: Int64 = 0
    var bufferCapacity = 0
    /// What `next()` said after the end or the error: must be nil.
    var afterEnd: FrameSummary?
}

/// Reads `bytes` to the end, as `maximumReadLength`-byte reads if given,
/// through a buffer starting at `bufferCapacity`.
func readAll(
    _ bytes: [UInt8], name: String = "test.cap", maximumReadLength: Int? = nil,
    bufferCapacity: Int = CaptureReader.initialBufferCapacity
) -> ReadResult {
    readAll(MemoryInput(bytes, maximumReadLength: maximumReadLength), name: name, bufferCapacity: bufferCapacity)
}

func readAll(_ input: some ByteInput, name: String, bufferCapacity: Int = CaptureReader.initialBufferCapacity) -> ReadResult {
    var result = ReadResult()
    let reader: CaptureReader
    do {
        reader = try CaptureReader(input: input, name: name, bufferCapacity: bufferCapacity)
    } catch {
        result.error = error
        return result
    }
    result.format = reader.format
    do {
        while let frame = try reader.next() {
            result.frames.append(FrameSummary(frame))
        }
    } catch {
        result.error = error
    }
    result.afterEnd = (try? reader.next()).flatMap { $0.map(FrameSummary.init) }
    result.interfaces = reader.interfaces
    result.warnings = reader.warnings
    result.suppressedWarnings = reader.suppressedWarnings
    result.bytesConsumed = reader.bytesConsumed
    result.bufferCapacity = reader.bufferCapacity
    return result
}

/// Cuts `bytes` at every length and checks what the reader makes of each
/// prefix: the frames wholly before the cut, then a clean end when the cut
/// falls between records, else an error at the start of the record cut.
/// Reads each prefix whole, a byte at a time, and through a tiny buffer.
func checkEveryPrefix(_ bytes: [UInt8], records: [RecordSpan], sourceLocation: SourceLocation = #_sourceLocation) {
    let whole = readAll(bytes)
    #expect(whole.error == nil, sourceLocation: sourceLocation)
    #expect(whole.frames.count == records.filter(\.isFrame).count, sourceLocation: sourceLocation)
    #expect(records.last?.end == bytes.count, sourceLocation: sourceLocation)

    for cut in 0...bytes.count {
        let prefix = Array(bytes[..<cut])
        let framesBefore = records.filter { $0.isFrame && $0.end <= cut }.count
        let expectedFrames = Array(whole.frames.prefix(framesBefore))
        let boundary = cut > 0 && records.contains { $0.end == cut }
        let cutRecord = records.first { $0.offset < cut && cut < $0.end }

        for (label, result) in [
            ("whole", readAll(prefix)),
            ("byte by byte", readAll(prefix, maximumReadLength: 1)),
            ("tiny buffer", readAll(prefix, maximumReadLength: 7, bufferCapacity: 8)),
        ] {
            #expect(result.frames == expectedFrames, "cut at \(cut), \(label)", sourceLocation: sourceLocation)
            #expect(result.afterEnd == nil, "cut at \(cut), \(label)", sourceLocation: sourceLocation)
            if boundary {
                #expect(result.error == nil, "cut at \(cut), \(label): \(String(describing: result.error))", sourceLocation: sourceLocation)
            } else {
                // An empty file, or a cut inside a record.
                let expectedOffset = Int64(cutRecord?.offset ?? 0)
                #expect(result.error?.offset == expectedOffset, "cut at \(cut), \(label): \(String(describing: result.error))", sourceLocation: sourceLocation)
            }
        }
    }
}

/// A small deterministic generator (SplitMix64), so corruption tests
/// repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Corrupts `bytes` many times over (random bytes, random 32-bit values
/// where lengths live) and reads each result: the reader must neither crash
/// nor hang, must deliver frames whose bytes lie inside the input, and any
/// error must point inside it.
func checkCorruptions(of bytes: [UInt8], seed: UInt64, rounds: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    var random = SplitMix64(seed: seed)
    for round in 0..<rounds {
        var damaged = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = Int.random(in: 0..<(damaged.count - 3), using: &random)
            if Bool.random(using: &random) {
                damaged[at] = UInt8.random(in: 0...255, using: &random)
            } else {
                let value = [0, 1, 0xFFFF_FFFF, 0xFFFF_FFFC, 0x8000_0000, UInt32.random(in: 0...4096, using: &random)]
                    .randomElement(using: &random) ?? 0
                for k in 0..<4 { damaged[at + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
            }
        }
        for result in [readAll(damaged), readAll(damaged, maximumReadLength: 5, bufferCapacity: 16)] {
            let inside = result.frames.allSatisfy { $0.fileOffset >= 0 && Int($0.fileOffset) + $0.data.count <= damaged.count }
            #expect(inside, "round \(round)", sourceLocation: sourceLocation)
            if let offset = result.error?.offset {
                #expect(offset >= 0 && offset <= Int64(damaged.count), "round \(round): \(String(describing: result.error))", sourceLocation: sourceLocation)
            }
            #expect(result.afterEnd == nil, "round \(round)", sourceLocation: sourceLocation)
        }
    }
}
