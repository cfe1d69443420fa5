#if canImport(Glibc)
import Glibc
#endif
import CMappedFile

/// The rest of a regular capture file, mapped read-only, for the reader to
/// read in place: the kernel's copy of the file into a buffer — what `cat`
/// pays, and a quarter of `analyze` on the 1 GiB benchmark — is not paid
/// (with the prefetch in `sosdump_mapping_touch`: 0.323 s read, 0.251 s
/// mapped, docs/performance.md).
///
/// Two costs of a mapping are bounded here:
/// - A file cut short while it is read (another program truncating it)
///   would kill the process with SIGBUS on the next read of a lost page.
///   The mapping is guarded (CMappedFile): such a read finds zeros and the
///   fault is recorded, and the reader touches every page of a record
///   (`touch`) before handing it out, so it reports the cut instead.
/// - Pages read stay counted in the process's memory: the reader gives
///   back (`release`) what lies behind it as it goes, so memory stays that
///   of a window whatever the file's size.
public final class MappedFile {
    /// The bytes from the position the input had when mapped to the end
    /// of the file as it was then.
    let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer
    private let mappedLength: Int
    /// The guard's slot (`sosdump_mapping_touch` reads a record's pages through it).
    let guardSlot: Int32
    /// How far from the start of `bytes` pages were given back.
    private var released = 0

    /// Bytes read between two `release` calls that give pages back.
    static let releaseStep = 4 << 20

    /// Maps `descriptor` from `offset` to its end; nil when it is not a
    /// regular file, has nothing there, or cannot be mapped or guarded
    /// (then it is read as before).
    init?(descriptor: Int32, from offset: Int64) {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, offset >= 0, Int64(info.st_size) > offset,
              Int64(info.st_size) <= Int64(Int.max) else { return nil }
        let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
        let mapStart = offset / page * page
        let length = Int(Int64(info.st_size) - mapStart)
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, off_t(mapStart)),
              mapped != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        let slot = sosdump_mapping_guard(mapped, length)
        guard slot >= 0 else {
            munmap(mapped, length)
            return nil
        }
        // A hint only: read ahead, drop behind.
        _ = madvise(mapped, length, MADV_SEQUENTIAL)
        mapping = mapped
        mappedLength = length
        self.descriptor = descriptor
        fileEnd = Int64(info.st_size)
        guardSlot = slot
        let skip = Int(offset - mapStart)
        released = -skip
        bytes = UnsafeRawBufferPointer(start: mapped + skip, count: length - skip)
    }

    private let descriptor: Int32
    private let fileEnd: Int64

    /// Whether the file is now shorter than what was mapped.
    var isCut: Bool {
        var info = stat()
        return fstat(descriptor, &info) == 0 && Int64(info.st_size) < fileEnd
    }

    deinit {
        sosdump_mapping_unguard(guardSlot)
        munmap(mapping, mappedLength)
    }

    /// Gives back the pages wholly before `offset` (in `bytes`): they stay
    /// in the page cache, no longer counted in this process's memory.
    func release(before offset: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let skip = bytes.baseAddress! - UnsafeRawPointer(mapping)
        let end = (offset + skip) / page * page
        let from = max(0, released + skip)
        guard end > from else { return }
        _ = madvise(mapping + from, end - from, MADV_DONTNEED)
        released = end - skip
    }
}
