#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMappedFile

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
/// A regular file is not read but mapped (`MappedFile`): the buffer is
/// then the mapping, every record is read where it lies, and the pages
/// behind the cursor are given back as it moves. Only if the file grew
/// past what was mapped does the buffer become a read buffer for the rest.
///
/// Bytes handed out (`unread`) stay valid until the next `request` or `skip`,
/// which may move them.
struct ReadBuffer: ~Copyable {
    private var base: UnsafeMutableRawPointer
    /// The mapping `base` points into, while reading a mapped file.
    private var mapping: MappedFile?
    /// Its guard's slot, -1 when reading: what the per-record path reads
    /// (a plain value; reading the class reference retained it).
    private var guardSlot: Int32 = -1
    /// Where the mapping's last page starts: a record that ends in it is
    /// checked against the file's size (no page after it would fault).
    private var lastPage = Int.max
    /// Where the cursor was when pages were last given back.
    private var releasedAt = 0
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

    /// A regular file is mapped (`ByteInput.mapRest`); anything else gets
    /// a buffer of `capacity` bytes.
    init(input: any ByteInput, name: String, capacity: Int, maximumCapacity: Int) {
        precondition(capacity > 0 && capacity <= maximumCapacity)
        var input = input
        if let mapped = input.mapRest() {
            self.mapping = mapped
            self.guardSlot = mapped.guardSlot
            self.lastPage = mapped.bytes.count - Int(sysconf(Int32(_SC_PAGESIZE)))
            self.base = UnsafeMutableRawPointer(mutating: mapped.bytes.baseAddress!)
            self.capacity = mapped.bytes.count
            self.end = mapped.bytes.count
        } else {
            self.base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
            self.capacity = capacity
        }
        self.input = input
        self.name = name
        self.maximumCapacity = maximumCapacity
    }

    deinit {
        if mapping == nil { base.deallocate() }
    }

    /// Whether the input is mapped (for tests).
    var isMapped: Bool { mapping != nil }

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
        if end &- start >= count {
            if guardSlot >= 0 { try touch(count) }
            return true
        }
        return try refill(toHold: count)
    }

    /// Reads the mapped pages of the next `count` bytes before they are
    /// handed out, so that a file cut meanwhile is reported here rather
    /// than read as zeros; and gives back the pages behind the cursor.
    @inline(__always)
    private mutating func touch(_ count: Int) throws(CaptureError) {
        // SIZE_MAX (no fault) comes to Swift as -1.
        if sosdump_mapping_touch(guardSlot, base + start, count) >= 0 || (start &+ count > lastPage && mapping?.isCut == true) {
            throw error(.readFailed("the file was cut short while it was read"), at: baseOffset + Int64(start))
        }
        if start &- releasedAt >= MappedFile.releaseStep {
            mapping?.release(before: start)
            releasedAt = start
        }
    }

    /// Leaves the mapping (its end reached, the file read on from there):
    /// the unread tail goes into an allocated buffer, which the rest of
    /// the file is read into. The tail is checked as a record is first.
    private mutating func leaveMapping(toHold count: Int) throws(CaptureError) {
        guard mapping != nil else { return }
        if end > start { try touch(end - start) }
        var newCapacity = CaptureReader.initialBufferCapacity
        while newCapacity < count { newCapacity *= 2 }
        newCapacity = Swift.min(newCapacity, maximumCapacity)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base + start, byteCount: end - start)
        base = newBase
        capacity = newCapacity
        mapping = nil
        guardSlot = -1
        lastPage = .max
        baseOffset += Int64(start)
        end -= start
        start = 0
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
            try leaveMapping(toHold: 0)
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
        try leaveMapping(toHold: count)
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
