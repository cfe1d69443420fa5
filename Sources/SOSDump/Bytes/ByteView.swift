/// A borrowed, read-only window onto bytes that someone else owns: a capture
/// reader's buffer, a reassembly slot, a test's array.
///
/// Every read is bounds-checked and returns `nil` when the bytes are not
/// there; protocol code never indexes raw memory itself. A view is only as
/// long-lived as its owner's bytes: views handed out with a frame are valid
/// until the reader reads the next frame (as gopacket's `NoCopy`). Copy what
/// must outlive that (`Array(view)`).
///
/// Besides the bytes that were captured, a view knows how many bytes the same
/// region had on the wire (`wireCount`, never less than `count`). A read past
/// `count` but within `wireCount` is a snap-length truncation; a read past
/// `wireCount` means the packet itself is too short, that is, malformed.
/// ``shortfall(_:)`` tells which.
public struct ByteView {
    @usableFromInline let base: UnsafeRawBufferPointer

    /// Bytes this region had on the wire; at least `count`.
    public let wireCount: Int

    @inlinable @inline(__always)
    public init(_ base: UnsafeRawBufferPointer, wireCount: Int? = nil) {
        self.base = base
        self.wireCount = Swift.max(wireCount ?? base.count, base.count)
    }

    /// Bytes available to read.
    @inlinable public var count: Int { base.count }
    @inlinable public var isEmpty: Bool { base.isEmpty }

    /// True when the capture kept fewer bytes of this region than were sent.
    @inlinable public var isTruncated: Bool { wireCount > base.count }

    // MARK: Reading integers

    @inlinable @inline(__always)
    public func uint8(at offset: Int) -> UInt8? {
        guard offset >= 0, offset < base.count else { return nil }
        return base[offset]
    }

    @inlinable @inline(__always)
    public func uint16(at offset: Int, _ order: ByteOrder = .big) -> UInt16? {
        guard offset >= 0, offset <= base.count &- 2 else { return nil }
        let raw = base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return order == .big ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
    }

    @inlinable @inline(__always)
    public func uint32(at offset: Int, _ order: ByteOrder = .big) -> UInt32? {
        guard offset >= 0, offset <= base.count &- 4 else { return nil }
        let raw = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return order == .big ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    @inlinable @inline(__always)
    public func uint64(at offset: Int, _ order: ByteOrder = .big) -> UInt64? {
        guard offset >= 0, offset <= base.count &- 8 else { return nil }
        let raw = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return order == .big ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }

    // MARK: Narrowing

    /// The `length` bytes at `offset`, or `nil` when they are not all captured.
    @inlinable @inline(__always)
    public func slice(at offset: Int, length: Int) -> ByteView? {
        guard offset >= 0, length >= 0, offset <= base.count, length <= base.count &- offset else { return nil }
        return ByteView(UnsafeRawBufferPointer(rebasing: base[offset..<(offset + length)]), wireCount: length)
    }

    /// Everything from `offset` on, keeping what the wire had past the capture.
    /// `nil` when `offset` is past the captured bytes.
    @inlinable @inline(__always)
    public func dropFirst(_ offset: Int) -> ByteView? {
        guard offset >= 0, offset <= base.count else { return nil }
        return ByteView(UnsafeRawBufferPointer(rebasing: base[offset...]), wireCount: wireCount - offset)
    }

    /// The first `length` bytes on the wire, as a length field declares them:
    /// the captured part is cut to `length`, and the wire count becomes
    /// `length`. Used to narrow to a record's declared length (an IPv4 total
    /// length, a UDP length) before parsing inside it, so Ethernet padding
    /// never leaks into a payload. `nil` when `length` is negative.
    @inlinable @inline(__always)
    public func prefix(wireLength length: Int) -> ByteView? {
        guard length >= 0 else { return nil }
        let kept = Swift.min(length, base.count)
        return ByteView(UnsafeRawBufferPointer(rebasing: base[..<kept]), wireCount: length)
    }

    /// Whether `needed` bytes can be read from the start of this view, and if
    /// not, whether the capture cut them off or the packet never had them.
    @inlinable @inline(__always)
    public func shortfall(_ needed: Int) -> Shortfall? {
        if needed <= base.count { return nil }
        return needed <= wireCount ? .truncated : .malformed
    }

    /// The bytes, for code that must hash, copy or compare them.
    @inlinable public var rawBytes: UnsafeRawBufferPointer { base }

    /// Runs `body` over a view of `bytes`: for tests and small one-off decodes.
    @inlinable @inline(__always)
    public static func with<R>(_ bytes: [UInt8], wireCount: Int? = nil, _ body: (ByteView) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(ByteView($0, wireCount: wireCount)) }
    }
}

/// The bytes as a collection, for the standard algorithms (`firstIndex(of:)`,
/// `elementsEqual`, `Array(view)`, `String(decoding:as:)`), which never step
/// outside `indices`. Protocol code reads with `uint8(at:)` and the other
/// optional readers instead of the subscript.
extension ByteView: RandomAccessCollection {
    public typealias Index = Int
    public typealias Element = UInt8
    public typealias Iterator = UnsafeRawBufferPointer.Iterator
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { base.count }

    /// The byte at `position`, which must be in `0..<count`: past the end it
    /// traps, in release builds too, rather than read memory it does not own
    /// (`UnsafeRawBufferPointer` checks its index only in debug builds).
    @inlinable @inline(__always)
    public subscript(position: Int) -> UInt8 {
        // Speed: one unsigned comparison covers both a negative index and
        // one past the end.
        precondition(UInt(bitPattern: position) < UInt(bitPattern: base.count), "ByteView index \(position) out of range 0..<\(base.count)")
        return base[position]
    }

    /// Speed: `for b in view` walks the buffer's own iterator, bounded by its
    /// end pointer, so a loop pays no index check per byte.
    @inlinable @inline(__always)
    public func makeIterator() -> UnsafeRawBufferPointer.Iterator { base.makeIterator() }

    /// Speed: the bytes are contiguous, so `Array(view)`, `String(decoding:as:)`
    /// and their slices copy them in one go instead of a byte at a time
    /// through the checked subscript.
    @inlinable @inline(__always)
    public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        try base.withMemoryRebound(to: UInt8.self) { try body($0) }
    }
}

public enum ByteOrder: Sendable {
    case big
    case little
}

/// Why bytes a decoder needs are missing.
public enum Shortfall: Sendable, Equatable {
    /// The packet had them, but the capture kept fewer (snap length).
    case truncated
    /// The packet itself is shorter than its headers or length fields say.
    case malformed
}
