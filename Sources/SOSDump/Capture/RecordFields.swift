/// The fixed-size fields of a pcap record header or a pcapng block, read in
/// the file's byte order.
///
/// As smoltcp's packet views: the length is checked once, before the view is
/// made (the reader requests the record's bytes from its buffer), and after
/// that the accessors cannot fail. They still check, with a `precondition`
/// that traps rather than read out of bounds, but without the branches of
/// optional reads, which keeps the per-frame path small.
struct RecordFields {
    private let bytes: UnsafeRawBufferPointer
    private let order: ByteOrder

    /// The first `length` bytes of `bytes`, which the caller has made sure
    /// are there (`ReadBuffer.request`).
    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer, length: Int, order: ByteOrder) {
        precondition(length >= 0 && length <= bytes.count, "record shorter than requested")
        self.bytes = UnsafeRawBufferPointer(rebasing: bytes[..<length])
        self.order = order
    }

    /// Bytes covered.
    @inline(__always) var count: Int { bytes.count }

    @inline(__always)
    func uint16(at offset: Int) -> UInt16 {
        precondition(offset >= 0 && offset <= bytes.count &- 2, "field past the checked length")
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return order == .big ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
    }

    @inline(__always)
    func uint32(at offset: Int) -> UInt32 {
        precondition(offset >= 0 && offset <= bytes.count &- 4, "field past the checked length")
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return order == .big ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    /// The bytes from `offset` for `length`, as a frame's view with `wireCount`.
    @inline(__always)
    func view(at offset: Int, length: Int, wireCount: Int) -> ByteView {
        precondition(offset >= 0 && length >= 0 && length <= bytes.count &- offset, "data past the checked length")
        return ByteView(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset &+ length)]), wireCount: wireCount)
    }
}
