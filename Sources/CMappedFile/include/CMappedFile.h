#ifndef SOSDUMP_CMAPPEDFILE_H
#define SOSDUMP_CMAPPEDFILE_H

#include <stddef.h>
#include <stdint.h>

/// Guards a read-only mapping of a file against the file shrinking while
/// it is read: a read past the file's new end raises SIGBUS, which would
/// kill the process. Once a mapping is guarded, the handler puts a page of
/// zeros where the read failed and records the offset; the reader asks
/// `sosdump_mapping_touch` before it hands out a record, and reports the
/// file as cut there instead of reading the zeros.
///
/// Returns the guard's slot (at least 0), or -1 when none is free or the
/// handler cannot be installed (then the file is read, not mapped).
int sosdump_mapping_guard(const void *start, size_t length);

/// Reads one byte of every page of [bytes, bytes + length) inside the
/// mapping of `slot`, and one of the page after, so that a page the file
/// no longer has faults now; returns the lowest offset in the mapping
/// where a read faulted, or SIZE_MAX when none has.
size_t sosdump_mapping_touch(int slot, const void *bytes, size_t length);

/// Ends the guard of `slot` (before the mapping is unmapped).
void sosdump_mapping_unguard(int slot);

#endif
