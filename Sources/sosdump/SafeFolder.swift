import Foundation
import SOSDump

/// The folder `sosdump extract` writes into, written so that a capture (or
/// whoever else can write in the folder) cannot turn it against its user.
///
/// - Every file is written to a new file created exclusively in the folder
///   (`O_CREAT | O_EXCL | O_NOFOLLOW`, a hidden temporary name), then
///   given its name: `linkat` (which fails if the name exists) without
///   `replacing`, `renameat` with it. A file is never opened by its final
///   name, so a symbolic link, a hard link to a file elsewhere, a FIFO (which
///   would block an `open` for writing) or a device there is never written
///   through.
/// - With `replacing`, an existing name is replaced only when it is a
///   regular file with one link; anything else is refused.
/// - A write that fails (a full disk, `ulimit -f`) removes its temporary
///   file; a group of files (a `.partial` and its `.gaps`) is named in
///   order only once every one of them was written.
/// - Names are looked up relative to the folder's descriptor (`*at`), so
///   the folder cannot be swapped under the writer between files.
final class SafeFolder {
    let path: String
    let replacing: Bool
    private let fd: Int32

    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }

    /// A file to create: its name in the folder, its length (bytes past
    /// what `fill` writes are holes), and what writes its bytes.
    struct NewFile {
        var name: String
        var length: Int
        var fill: (Int32) -> Bool
    }

    init(path: String, replacing: Bool) throws(Failure) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw Failure(path: path, reason: FirmwareCatalog.reason(error))
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        self.path = path
        self.replacing = replacing
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes `files`, then names them in order; on any failure nothing
    /// new is left under a name (files named before a later one failed
    /// are removed again) and the error says which file and why.
    func write(_ files: [NewFile]) throws(Failure) {
        for file in files { try checkTarget(file.name) }
        var staged: [(temporary: String, file: NewFile)] = []
        defer { for s in staged { unlinkat(fd, s.temporary, 0) } }
        for file in files {
            let temporary = try create(for: file.name)
            staged.append((temporary, file))
            try fill(temporary, file)
        }
        var named: [String] = []
        for s in staged {
            do {
                try name(s.temporary, as: s.file.name)
            } catch {
                for n in named { unlinkat(fd, n, 0) }
                throw error
            }
            named.append(s.file.name)
        }
        staged = []
    }

    /// Refuses a name that exists (without `replacing`), or that is not a
    /// regular file with one link.
    private func checkTarget(_ name: String) throws(Failure) {
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw failure(name, errno)
        }
        guard replacing else { throw Failure(path: full(name), reason: "it exists (use --force to replace it)") }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG else {
            let what = switch kind {
            case S_IFLNK: "a symbolic link"
            case S_IFIFO: "a FIFO"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFDIR: "a directory"
            default: "not a regular file"
            }
            throw Failure(path: full(name), reason: "it is \(what): not replaced")
        }
        guard st.st_nlink == 1 else {
            throw Failure(path: full(name), reason: "it has \(st.st_nlink) links (another name shares its bytes): not replaced")
        }
    }

    private var counter = 0

    /// A new, empty file with a hidden temporary name; its name.
    private func create(for name: String) throws(Failure) -> String {
        for _ in 0..<16 {
            counter += 1
            let temporary = ".sosdump-\(getpid())-\(counter)-\(UInt32.random(in: 0...UInt32.max)).tmp"
            let created = openat(fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if created >= 0 {
                close(created)
                return temporary
            }
            if errno != EEXIST { throw failure(name, errno) }
        }
        throw Failure(path: full(name), reason: "no free temporary name")
    }

    private func fill(_ temporary: String, _ file: NewFile) throws(Failure) {
        let out = openat(fd, temporary, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard out >= 0 else { throw failure(file.name, errno) }
        var ok = file.fill(out) && ftruncate(out, off_t(file.length)) == 0
        var error = errno
        if close(out) != 0, ok {
            ok = false
            error = errno
        }
        guard ok else { throw failure(file.name, error) }
    }

    private func name(_ temporary: String, as name: String) throws(Failure) {
        if replacing {
            guard renameat(fd, temporary, fd, name) == 0 else { throw failure(name, errno) }
        } else {
            // linkat refuses a name that exists, even one made since the check.
            guard linkat(fd, temporary, fd, name, 0) == 0 else {
                let error = errno
                if error == EEXIST { throw Failure(path: full(name), reason: "it exists (use --force to replace it)") }
                throw failure(name, error)
            }
            unlinkat(fd, temporary, 0)
        }
    }

    private func full(_ name: String) -> String { path + "/" + name }

    private func failure(_ name: String, _ error: Int32) -> Failure {
        Failure(path: full(name), reason: String(cString: strerror(error)))
    }
}
