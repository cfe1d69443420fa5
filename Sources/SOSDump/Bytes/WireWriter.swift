/// Bytes written in network (or a chosen) byte order: what the encoders of
/// CDP, LLDP, SCCP and the 79xx file formats build their output with, for
/// the simulator and the tests. The counterpart of ``ByteView`` for writing;
/// nothing on the decoding path uses it.
public struct WireWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public var count: Int { bytes.count }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    public mutating func u16(_ value: UInt16, _ order: ByteOrder = .big) {
        let v = order == .big ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: v) { bytes += $0 }
    }

    public mutating func u32(_ value: UInt32, _ order: ByteOrder = .big) {
        let v = order == .big ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: v) { bytes += $0 }
    }

    public mutating func append(_ raw: some Sequence<UInt8>) { bytes += raw }

    /// `text` as UTF-8 in a field of exactly `length` bytes: cut to fit,
    /// then NUL-padded (so a text of `length` bytes or more has no NUL).
    public mutating func text(_ text: String, field length: Int) {
        let t = Array(text.utf8.prefix(length))
        bytes += t
        bytes += [UInt8](repeating: 0, count: length - t.count)
    }

    /// Overwrites the big-endian 16-bit value at `offset` (a length or
    /// checksum known only after what follows was written).
    public mutating func set(_ value: UInt16, at offset: Int, _ order: ByteOrder = .big) {
        let v = order == .big ? value : value.byteSwapped
        bytes[offset] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: v)
    }

    public mutating func set(_ value: UInt32, at offset: Int, _ order: ByteOrder = .big) {
        for i in 0..<4 {
            let shift = order == .big ? 24 - 8 * i : 8 * i
            bytes[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(shift))
        }
    }
}
