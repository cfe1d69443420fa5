#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The capture reader's one buffer over its input: a window of the input,
/// read in large chunks, with a cursor at the next unread record.
///
/// When a record needs more bytes than are buffered after the cursor, the
/// unread tail moves to the front and the rest of the buffer is filled from
/// the input. The buffer grows (doubling) only for a record longer than it,
/// and never past `maximumCapacity`, which the decoders check every length
/// against first: memory stays constant whatever the file's size, and a
/// length field that lies cannot make it grow.
///
/// Bytes handed out (`unread`) stay valid until the next `request` or `skip`,
/// which may move them.
struct ReadBuffer: ~Copyable {
    private var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Index in the buffer of the next unread byte.
    private var start = 0
    /// Index in the buffer just past the last byte read from the input.
    private var end = 0
    /// Offset in the input of the buffer's first byte.
    private var baseOffset: Int64 = 0
    private(set) var inputEnded = false
    private var input: any ByteInput
    let maximumCapacity: Int
    /// What errors call the input.
    let name: String
    /// Chooses the wording of errors, once the format is known.
    var format: CaptureFormat?

    init(input: any ByteInput, name: String, capacity: Int, maximumCapacity: Int) {
        precondition(capacity > 0 && capacity <= maximumCapacity)
        self.base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        self.capacity = capacity
        self.input = input
        self.name = name
        self.maximumCapacity = maximumCapacity
    }

    deinit {
        base.deallocate()
    }

    /// Bytes buffered after the cursor.
    @inline(__always) var available: Int { end &- start }

    /// Offset in the input of the cursor: the bytes consumed so far.
    @inline(__always) var offset: Int64 { baseOffset &+ Int64(start) }

    /// The buffered bytes after the cursor.
    @inline(__always)
    var unread: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + start, count: end &- start) }

    /// Makes at least `count` bytes available after the cursor, reading the
    /// input as needed; false when the input ends first (`available` then has
    /// what is left). `count` must not exceed `maximumCapacity`.
    @inline(__always)
    mutating func request(_ count: Int) throws(CaptureError) -> Bool {
        if end &- start >= count { return true }
        return try refill(toHold: count)
    }

    /// Moves the cursor past `count` buffered bytes.
    @inline(__always)
    mutating func consume(_ count: Int) {
        assert(count >= 0 && count <= available)
        start &+= count
    }

    /// Moves the cursor `count` bytes on, reading and dropping what is not
    /// buffered, without holding more than the buffer. Returns how many
    /// bytes it passed: `count`, or fewer when the input ended first.
    mutating func skip(_ count: Int64) throws(CaptureError) -> Int64 {
        var skipped: Int64 = 0
        while true {
            let step = Int(Swift.min(Int64(available), count - skipped))
            start += step
            skipped += Int64(step)
            if skipped == count || inputEnded { return skipped }
            // Everything buffered is passed: start over at the front.
            baseOffset += Int64(end)
            start = 0
            end = 0
            try fill()
        }
    }

    /// An error at `offset` in this input. Out of line: it is never on the
    /// per-frame path, and keeps that path small enough to inline.
    @inline(never)
    func error(_ kind: CaptureError.Kind, at offset: Int64) -> CaptureError {
        CaptureError(file: name, offset: offset, kind: kind, format: format)
    }

    /// The bytes from `offset` (at or before the cursor, still buffered or
    /// not) to the end of what has been read: after `request` failed, what a
    /// record starting at `offset` has before the end of the input.
    func bytesRead(since offset: Int64) -> Int64 {
        baseOffset + Int64(end) - offset
    }

    @inline(never)
    private mutating func refill(toHold count: Int) throws(CaptureError) -> Bool {
        precondition(count <= maximumCapacity, "record length not checked against the maximum")
        if count > capacity {
            grow(toHold: count)
        } else if start > 0 {
            // Move the unread tail to the front so the read can fill the rest.
            memmove(base, base + start, end - start)
            baseOffset += Int64(start)
            end -= start
            start = 0
        }
        while end - start < count && !inputEnded {
            try fill()
        }
        return end - start >= count
    }

    private mutating func grow(toHold count: Int) {
        var newCapacity = capacity
        while newCapacity < count { newCapacity *= 2 }
        newCapacity = Swift.min(newCapacity, maximumCapacity)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base + start, byteCount: end - start)
        base.deallocate()
        base = newBase
        capacity = newCapacity
        baseOffset += Int64(start)
        end -= start
        start = 0
    }

    /// One read from the input into the free space after `end`.
    private mutating func fill() throws(CaptureError) {
        let room = UnsafeMutableRawBufferPointer(start: base + end, count: capacity - end)
        assert(room.count > 0)
        let count: Int
        do {
            count = try input.read(into: room)
        } catch {
            throw self.error(error.kind, at: baseOffset + Int64(end))
        }
        if count <= 0 {
            inputEnded = true
        } else {
            end += Swift.min(count, room.count)
        }
    }
}
