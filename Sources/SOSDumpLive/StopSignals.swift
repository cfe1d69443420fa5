import CPcap
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM end a live capture cleanly: the handler
/// notes the signal and calls `pcap_breakloop` (safe in a signal handler),
/// so the capture's `next()` returns `.stopped` and the command writes its
/// summary and closes its file. The handler is reset by its first signal
/// (SA_RESETHAND): a second Ctrl-C ends the process at once.
public enum StopSignals {
    /// Installs the handlers and makes them break `capture`.
    public static func install(breaking capture: LiveCapture, signals: [Int32] = [SIGINT, SIGTERM]) {
        receivedSignal.store(0, ordering: .relaxed)
        registeredHandle.store(Int(bitPattern: capture.rawHandle), ordering: .releasing)
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = stopSignalHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(bitPattern: UInt32(SA_RESETHAND))
            sigaction(signal, &action, nil)
        }
        // A parent may have started us with these signals blocked (a
        // blocked mask is inherited across fork and exec): unblock them,
        // or Ctrl-C would never arrive.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The signal that asked to stop, if one did.
    public static var received: Int32? {
        let signal = receivedSignal.load(ordering: .relaxed)
        return signal == 0 ? nil : signal
    }

    /// Asks the registered capture to stop, as a signal would (for callers
    /// that stop for their own reasons, from another thread).
    public static func requestStop(signal: Int32) {
        stopSignalHandler(signal)
    }

    /// Forgets `capture`'s handle before it is closed.
    static func forget(_ capture: LiveCapture) {
        guard let handle = capture.rawHandle else { return }
        _ = registeredHandle.compareExchange(expected: Int(bitPattern: handle), desired: 0, ordering: .acquiringAndReleasing)
    }
}

private let receivedSignal = Atomic<Int32>(0)
/// The capture's `pcap_t *` as an integer (0: none): pointers are not `Sendable`.
private let registeredHandle = Atomic<Int>(0)

/// Async-signal-safe: two atomic operations and `pcap_breakloop`, which
/// sets a flag and writes to an eventfd.
private func stopSignalHandler(_ signal: Int32) {
    receivedSignal.store(signal, ordering: .relaxed)
    if let handle = OpaquePointer(bitPattern: registeredHandle.load(ordering: .acquiring)) { pcap_breakloop(handle) }
}
