// The SIGBUS guard of read-only capture mappings (CMappedFile.h).
//
// A signal handler may only call async-signal-safe functions: it reads
// the slots with atomic loads, calls mmap(2) and sigaction(2) (both safe),
// and writes one atomic. Slots are claimed and released by the readers
// with atomic compare-and-swap, so readers on several threads (`check`
// reads captures in parallel) share the one handler.

#define _GNU_SOURCE
#include "CMappedFile.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { slotCount = 256 };

struct slot {
    _Atomic(uintptr_t) start;   // 0: free
    _Atomic(size_t) length;
    _Atomic(size_t) fault;      // lowest faulting offset, SIZE_MAX: none
};

static struct slot slots[slotCount];
static struct sigaction previous;
static pthread_once_t installOnce = PTHREAD_ONCE_INIT;
static int installed = 0;
static size_t pageSize = 4096;
static const size_t prefetchDistance = 8192;

static void onBusError(int signal, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    for (int i = 0; i < slotCount; i++) {
        uintptr_t start = atomic_load(&slots[i].start);
        size_t length = atomic_load(&slots[i].length);
        if (start == 0 || address < start || address - start >= length) continue;
        uintptr_t page = address & ~((uintptr_t)pageSize - 1);
        // Zeros where the file was: the read that faulted goes on, and the
        // reader, told of the fault, reads none of them.
        void *zeros = mmap((void *)page, pageSize, PROT_READ,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (zeros == MAP_FAILED) break;
        size_t offset = page > start ? page - start : 0;
        size_t seen = atomic_load(&slots[i].fault);
        while (offset < seen && !atomic_compare_exchange_weak(&slots[i].fault, &seen, offset)) {}
        return;
    }
    // Not a guarded mapping: what would have happened without the guard.
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) { previous.sa_sigaction(signal, info, context); return; }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(signal);
        return;
    }
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigaction(SIGBUS, &fallback, NULL);  // the fault repeats on return, and ends the process
}

static void install(void) {
    long size = sysconf(_SC_PAGESIZE);
    if (size > 0) pageSize = (size_t)size;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = onBusError;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    installed = sigaction(SIGBUS, &action, &previous) == 0;
}

int sosdump_mapping_guard(const void *start, size_t length) {
    if (start == NULL || length == 0) return -1;
    pthread_once(&installOnce, install);
    if (!installed) return -1;
    for (int i = 0; i < slotCount; i++) {
        // Claimed with a placeholder start and no length (the handler
        // matches no address in it), then filled in.
        uintptr_t expected = 0;
        if (!atomic_compare_exchange_strong(&slots[i].start, &expected, (uintptr_t)1)) continue;
        atomic_store(&slots[i].fault, SIZE_MAX);
        atomic_store(&slots[i].length, length);
        atomic_store(&slots[i].start, (uintptr_t)start);
        return i;
    }
    return -1;
}

size_t sosdump_mapping_touch(int slot, const void *bytes, size_t length) {
    if (length > 0) {
        const volatile unsigned char *p = bytes;
        size_t page = pageSize;
        size_t first = (uintptr_t)p & (page - 1);
        for (size_t at = 0; at < length; at += at == 0 && first ? page - first : page) (void)p[at];
        (void)p[length - 1];
        // And a byte of the page after the record's last: a file cut inside
        // that last page reads as zeros up to the page's end, with no fault;
        // the next page, gone, faults. (Within the mapping's last page the
        // reader asks the file's size instead.)
        uintptr_t next = (uintptr_t)(p + length - 1) + pageSize;
        uintptr_t end = atomic_load(&slots[slot].start) + atomic_load(&slots[slot].length);
        if (next < end) (void)*(const volatile unsigned char *)next;
        // The hardware's prefetcher stops at page boundaries: ask for the
        // bytes a little ahead of this record's, as many as it has.
        for (size_t at = 0; at < length; at += 64) __builtin_prefetch((const void *)(p + prefetchDistance + at));
    }
    return atomic_load(&slots[slot].fault);
}

void sosdump_mapping_unguard(int slot) {
    if (slot < 0 || slot >= slotCount) return;
    atomic_store(&slots[slot].length, 0);
    atomic_store(&slots[slot].start, 0);
}
