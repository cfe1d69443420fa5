#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a pcapng file (draft-ietf-opsawg-pcapng, "PCAP Now Generic
/// (pcapng) Capture File Format"), the blocks `Pcapng.swift` reads:
///
/// - one Section Header Block (little-endian, version 1.0, section length
///   unknown, `shb_userappl` naming the writer);
/// - one Interface Description Block per interface, with `if_name` and
///   `if_tsresol` 9 (nanoseconds; or another number of decimal digits, for a
///   copy that keeps its source's resolution), `if_description` and `if_fcslen` when known;
/// - one Enhanced Packet Block per frame (captured bytes, original length,
///   the timestamp in nanoseconds);
/// - optionally, at the end, an Interface Statistics Block per interface
///   with the capture's counters (`isb_ifrecv`, `isb_ifdrop`, `isb_osdrop`).
///
/// Frames are gathered in a buffer and written with `write(2)` when it
/// holds `flushThreshold` bytes, on `flush()` and on `close()`; a live
/// capture flushes whenever it is idle, so the file can be read while it
/// grows. pcapng rather than pcap because a file may hold interfaces of
/// different link types and names (what `-i any` and several interfaces
/// need), and it keeps nanoseconds and the drop counters.
public final class PcapngWriter {
    /// What errors call the output (its path).
    public let name: String
    /// Frames written so far.
    public private(set) var framesWritten = 0
    /// Bytes handed to the file so far (written or buffered).
    public private(set) var bytesWritten: Int64 = 0

    /// Bytes gathered before a `write(2)`.
    public static let flushThreshold = 256 << 10
    /// `if_tsresol` of an interface unless told otherwise: 10^-9 s.
    public static let timestampResolution: UInt8 = 9

    private var fd: Int32
    private var buffer: [UInt8] = []
    /// Bytes in the file: whole blocks, written by flushes that succeeded.
    private var fileLength: Int64 = 0
    private var interfaces = 0
    /// Each interface's `if_tsresol` (decimal digits).
    private var digitsOfInterface: [UInt8] = []

    /// Creates (or truncates) the file at `path` and writes the section
    /// header. `application` goes into `shb_userappl`, `comment` into the
    /// section's `opt_comment` (what the file is: `sosdump share` says what
    /// it kept and replaced).
    public init(path: String, application: String? = nil, comment: String? = nil) throws(CaptureWriteError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CaptureWriteError(file: path, reason: systemErrorMessage(errno)) }
        self.fd = fd
        self.name = path
        buffer.reserveCapacity(Self.flushThreshold + (64 << 10))
        appendSectionHeader(application: application, comment: comment)
        try flush()
    }

    deinit {
        if fd >= 0 {
            try? flush()
            _ = Glibc.close(fd)
        }
    }

    // MARK: Blocks

    /// Describes an interface; frames name it by the index returned (0, 1, …).
    /// Its times are written with `timestampDigits` decimal digits of a
    /// second (`if_tsresol`): 9 (nanoseconds) unless a copy of another
    /// capture keeps that capture's resolution (6 for a pcap's microseconds).
    @discardableResult
    public func addInterface(_ interface: CaptureInterface, timestampDigits: UInt8 = PcapngWriter.timestampResolution) throws(CaptureWriteError) -> Int {
        let digits = min(timestampDigits, 9)
        var options: [UInt8] = []
        if let name = interface.name { Self.appendOption(PcapngOptionCode.interfaceName, Array(name.utf8), to: &options) }
        if let description = interface.description {
            Self.appendOption(PcapngOptionCode.interfaceDescription, Array(description.utf8), to: &options)
        }
        Self.appendOption(PcapngOptionCode.timestampResolution, [digits], to: &options)
        if let fcs = interface.fcsLength { Self.appendOption(PcapngOptionCode.fcsLength, [UInt8(clamping: fcs * 8)], to: &options) }
        Self.appendOption(PcapngOptionCode.endOfOptions, [], to: &options)

        let length = 20 + options.count
        appendBlockStart(.interfaceDescription, length: length)
        append16(UInt16(truncatingIfNeeded: interface.linkType.rawValue))
        append16(0)  // reserved
        append32(interface.snapLength)
        buffer.append(contentsOf: options)
        append32(UInt32(length))
        bytesWritten += Int64(length)
        interfaces += 1
        digitsOfInterface.append(digits)
        try flushIfFull()
        return interfaces - 1
    }

    /// Writes `frame` as an Enhanced Packet Block of interface `interface`
    /// (an index `addInterface` returned): its captured bytes, its original
    /// length and its time.
    public func write(_ frame: CapturedFrame, interface: Int) throws(CaptureWriteError) {
        precondition(interface >= 0 && interface < interfaces, "PcapngWriter: interface \(interface) was not added")
        let captured = frame.bytes.count
        let padded = (captured + 3) & ~3
        let length = 32 + padded
        appendBlockStart(.enhancedPacket, length: length)
        append32(UInt32(interface))
        appendTimestamp(frame.timestamp, digits: digitsOfInterface[interface])
        append32(UInt32(clamping: captured))
        append32(UInt32(clamping: frame.bytes.wireCount))
        buffer.append(contentsOf: frame.bytes.rawBytes)
        for _ in captured..<padded { buffer.append(0) }
        append32(UInt32(length))
        bytesWritten += Int64(length)
        framesWritten += 1
        try flushIfFull()
    }

    /// An Interface Statistics Block: the counters of interface
    /// `interface` at `time`, for a capture that began at `start`.
    /// `received` goes into `isb_ifrecv` (libpcap's ps_recv, as dumpcap
    /// writes it), `droppedByInterface` into `isb_ifdrop` and
    /// `droppedByOS` (the kernel's drops) into `isb_osdrop`.
    public func writeStatistics(interface: Int, time: CaptureTimestamp, start: CaptureTimestamp,
                                received: UInt64, droppedByInterface: UInt64, droppedByOS: UInt64) throws(CaptureWriteError) {
        precondition(interface >= 0 && interface < interfaces, "PcapngWriter: interface \(interface) was not added")
        var options: [UInt8] = []
        Self.appendOption(PcapngStatisticsCode.startTime, Self.timestampWords(start), to: &options)
        Self.appendOption(PcapngStatisticsCode.endTime, Self.timestampWords(time), to: &options)
        Self.appendOption(PcapngStatisticsCode.interfaceReceived, Self.littleEndian(received), to: &options)
        Self.appendOption(PcapngStatisticsCode.interfaceDropped, Self.littleEndian(droppedByInterface), to: &options)
        Self.appendOption(PcapngStatisticsCode.osDropped, Self.littleEndian(droppedByOS), to: &options)
        Self.appendOption(PcapngOptionCode.endOfOptions, [], to: &options)
        let length = 24 + options.count
        appendBlockStart(.interfaceStatistics, length: length)
        append32(UInt32(interface))
        appendTimestamp(time)
        buffer.append(contentsOf: options)
        append32(UInt32(length))
        bytesWritten += Int64(length)
        try flushIfFull()
    }

    /// An Interface Statistics Block with no counters: only its time, the
    /// capture's recorded end (a copy of a capture whose last frames were
    /// left out still ends when the capture ended).
    public func writeEnd(interface: Int, time: CaptureTimestamp) throws(CaptureWriteError) {
        precondition(interface >= 0 && interface < interfaces, "PcapngWriter: interface \(interface) was not added")
        var options: [UInt8] = []
        Self.appendOption(PcapngStatisticsCode.endTime, Self.timestampWords(time), to: &options)
        Self.appendOption(PcapngOptionCode.endOfOptions, [], to: &options)
        let length = 24 + options.count
        appendBlockStart(.interfaceStatistics, length: length)
        append32(UInt32(interface))
        appendTimestamp(time, digits: digitsOfInterface[interface])
        buffer.append(contentsOf: options)
        append32(UInt32(length))
        bytesWritten += Int64(length)
        try flushIfFull()
    }

    /// The start of an Enhanced Packet Block and nothing more, as a capture
    /// cut off in the middle of a record ends: every reader stops there
    /// and says the file is damaged. For a copy of a damaged capture
    /// (`sosdump share`), so that it ends in damage where the original did.
    /// The writer takes nothing after it.
    public func writeTruncation() throws(CaptureWriteError) {
        appendBlockStart(.enhancedPacket, length: 64)
        bytesWritten += 8
        try flush()
    }

    // MARK: Output

    /// Hands every buffered byte to the file. The buffer holds whole
    /// blocks; when a write fails part way (a full disk, `ulimit -f`), the
    /// file is cut back to where this flush began, so it ends with a whole
    /// block and reads as a capture, never with a torn one.
    public func flush() throws(CaptureWriteError) {
        guard !buffer.isEmpty, fd >= 0 else { return }
        let failure: Int32? = buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, base + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        let flushed = buffer.count
        buffer.removeAll(keepingCapacity: true)
        if let failure {
            // Only a regular file can be cut back (a pipe or a terminal keeps what it took).
            if ftruncate(fd, off_t(fileLength)) == 0 { _ = lseek(fd, off_t(fileLength), SEEK_SET) }
            throw CaptureWriteError(file: name, reason: systemErrorMessage(failure))
        }
        fileLength += Int64(flushed)
    }

    /// Flushes and closes the file; the writer takes nothing more.
    public func close() throws(CaptureWriteError) {
        guard fd >= 0 else { return }
        defer {
            _ = Glibc.close(fd)
            fd = -1
        }
        try flush()
    }

    @inline(__always)
    private func flushIfFull() throws(CaptureWriteError) {
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    // MARK: Encoding (little-endian, the section's byte order)

    private func appendSectionHeader(application: String?, comment: String?) {
        var options: [UInt8] = []
        if let comment { Self.appendOption(PcapngSectionCode.comment, Array(comment.utf8), to: &options) }
        if let application { Self.appendOption(PcapngSectionCode.userApplication, Array(application.utf8), to: &options) }
        Self.appendOption(PcapngOptionCode.endOfOptions, [], to: &options)
        let length = 28 + options.count
        appendBlockStart(.sectionHeader, length: length)
        append32(PcapngByteOrderMagic.value)
        append16(1)  // major
        append16(0)  // minor
        append32(0xFFFF_FFFF)  // section length: unknown (-1)
        append32(0xFFFF_FFFF)
        buffer.append(contentsOf: options)
        append32(UInt32(length))
        bytesWritten += Int64(length)
    }

    @inline(__always)
    private func appendBlockStart(_ type: PcapngBlockType, length: Int) {
        append32(type.rawValue)
        append32(UInt32(length))
    }

    /// Nanoseconds since the epoch as the two 32-bit halves; before the
    /// epoch is written as the epoch.
    @inline(__always)
    private func appendTimestamp(_ time: CaptureTimestamp, digits: UInt8 = PcapngWriter.timestampResolution) {
        var units = Self.units(time)
        if digits < 9 {
            let scale = UInt64(Self.powersOfTen[Int(9 - digits)])
            units = UInt64(max(time.seconds, 0)) &* (1_000_000_000 / scale) &+ UInt64(time.nanoseconds) / scale
        }
        append32(UInt32(truncatingIfNeeded: units >> 32))
        append32(UInt32(truncatingIfNeeded: units))
    }

    private static let powersOfTen: [UInt32] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

    private static func units(_ time: CaptureTimestamp) -> UInt64 {
        guard time.seconds >= 0 else { return 0 }
        return UInt64(time.seconds) &* 1_000_000_000 &+ UInt64(time.nanoseconds)
    }

    private static func timestampWords(_ time: CaptureTimestamp) -> [UInt8] {
        let units = units(time)
        return littleEndian(UInt32(truncatingIfNeeded: units >> 32)) + littleEndian(UInt32(truncatingIfNeeded: units))
    }

    @inline(__always)
    private func append16(_ value: UInt16) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    @inline(__always)
    private func append32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// An option: code, length, value, zeros to a multiple of 4.
    private static func appendOption(_ code: UInt16, _ value: [UInt8], to options: inout [UInt8]) {
        options += littleEndian(code)
        options += littleEndian(UInt16(clamping: value.count))
        options += value.prefix(Int(UInt16.max))
        while options.count % 4 != 0 { options.append(0) }
    }
}

/// Section Header Block option codes the writer uses.
enum PcapngSectionCode {
    static let comment: UInt16 = 1          // opt_comment, UTF-8 (any block)
    static let userApplication: UInt16 = 4  // shb_userappl, UTF-8
}

/// Interface Statistics Block option codes.
enum PcapngStatisticsCode {
    static let startTime: UInt16 = 2          // isb_starttime, timestamp
    static let endTime: UInt16 = 3            // isb_endtime, timestamp
    static let interfaceReceived: UInt16 = 4  // isb_ifrecv, u64
    static let interfaceDropped: UInt16 = 5   // isb_ifdrop, u64
    static let osDropped: UInt16 = 7          // isb_osdrop, u64
}

/// A capture file could not be written: the path and the system's reason.
public struct CaptureWriteError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): cannot write: \(reason)" }
}
