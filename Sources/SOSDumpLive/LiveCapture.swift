import CPcap
import Foundation
import SOSDump
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A live capture on one interface through libpcap, handing out frames as
/// the offline reader does: `CapturedFrame`s numbered from 1, whose bytes
/// are valid until the next call to `next()`.
///
///     let capture = try LiveCapture(.init(interface: "eth0"))
///     while true {
///         switch try capture.next() {
///         case .frame(let frame): ...   // decode it like a frame read from a file
///         case .idle: ...               // nothing for readTimeout: refresh a display
///         case .stopped: return         // breakLoop() (a signal)
///         }
///     }
///
/// Opened in immediate mode (each packet is handed over as it arrives, not
/// when a kernel block fills: a live view must not lag), with nanosecond
/// timestamps where the system has them, a kernel ring of `bufferSize`
/// bytes, and a read timeout so that the caller wakes up regularly even
/// when nothing arrives. Every failure is a `LiveCaptureError` that says
/// what to do, never a crash.
public final class LiveCapture {
    public struct Options: Sendable {
        /// An interface name, or `any` (every interface, Linux cooked headers).
        public var interface: String
        /// Bytes kept of each frame (tcpdump's `-s`); nil for
        /// `LiveCapture.defaultSnapLength(for:)`.
        public var snapLength: Int?
        /// Promiscuous mode (tcpdump's default; `-p` turns it off).
        public var promiscuous = true
        /// Hand each packet over at once (on Linux: TPACKET_V2 frames
        /// instead of V3 blocks that wait to fill or time out).
        public var immediate = true
        /// The kernel ring's size in bytes (tcpdump's `-B`, there in KiB).
        public var bufferSize = LiveCapture.defaultBufferSize
        /// The BPF filter; nil for `CaptureFilter.defaultExpression(for:)`.
        public var filter: String?
        /// How long `next()` waits before returning `.idle`.
        public var readTimeoutMilliseconds: Int32 = 100

        public init(interface: String) { self.interface = interface }
    }

    /// What `next()` found.
    public enum Read {
        /// A frame; its bytes are valid until the next call.
        case frame(CapturedFrame)
        /// Nothing arrived within the read timeout.
        case idle
        /// `breakLoop()` was called (from a signal handler, say).
        case stopped
    }

    /// tcpdump's default snap length (and its `-s 0`): whole frames of any size.
    public static let maximumSnapLength = 262_144

    /// The snap length when none is given: whole frames of the interface's
    /// MTU plus 64 bytes (link header, two VLAN tags), at least
    /// `compactSnapLength`; for `any`, of the largest MTU but the
    /// loopback's (the loopback's when it is alone). Not tcpdump's 262144: in immediate mode libpcap gives
    /// every frame a slot of the ring as long as the longest frame it may
    /// have to hold — the snap length, or 64 KiB on an interface with
    /// offloads (GRO) — so 262144 leaves a 32 MiB ring 512 slots, 2.5 ms at
    /// 200,000 frames a second (scripts/live-benchmark measures the drops).
    /// A frame longer than the snap length still counts, and says it was cut.
    public static func defaultSnapLength(for interface: String) -> Int {
        func mtu(_ name: String) -> Int? {
            guard let text = try? String(contentsOfFile: "/sys/class/net/\(name)/mtu", encoding: .utf8) else { return nil }
            return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let largest: Int?
        if interface == "any" {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
            largest = names.filter { $0 != "lo" }.compactMap(mtu).max() ?? names.compactMap(mtu).max()
        } else {
            largest = mtu(interface)
        }
        guard let largest else { return maximumSnapLength }
        return min(maximumSnapLength, max(compactSnapLength, largest + 64))
    }

    /// 1980: the largest snap length whose ring slot, with the headers
    /// libpcap puts before each frame, is 2048 bytes, two to a 4 KiB page.
    /// Measured with libpcap 1.10 on Linux: a 32 MiB ring then maps exactly
    /// 32 MiB and holds 16,384 frames (80 ms at 200,000 a second); at 2048
    /// the slots no longer pair up and the same ring maps 63 MiB for 15,000.
    public static let compactSnapLength = 1980
    /// 32 MiB: at 200,000 small frames a second in immediate mode (about
    /// 2 KiB of ring per frame on a 1500-byte MTU), room for some 80 ms
    /// during which the reader may be descheduled. libpcap's default of
    /// 2 MiB is about 5 ms.
    public static let defaultBufferSize = 32 << 20

    public let interface: String
    public let linkType: LinkType
    /// The snap length libpcap applied.
    public let snapLength: Int
    /// The filter in force.
    public let filter: String
    /// Digits of the timestamps' fraction: 9, or 6 where the system has no
    /// nanosecond timestamps.
    public let timestampDigits: UInt8
    /// What libpcap warned about while opening (promiscuous mode not
    /// supported, …).
    public let warnings: [String]
    /// Frames handed out so far.
    public private(set) var framesRead = 0

    private var handle: OpaquePointer?
    /// libpcap's descriptor, polled while the ring is empty.
    private let selectableDescriptor: Int32
    private let readTimeoutMilliseconds: Int32
    private let stopRequested = Atomic<Bool>(false)

    /// Opens and starts the capture, filter applied.
    public init(_ options: Options) throws(LiveCaptureError) {
        let name = options.interface
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        // An unknown name is said plainly, with the list, before libpcap is
        // asked (without privileges libpcap would only say "permission denied").
        let lookUp = NetworkInterface.lookUp(name)
        guard lookUp.exists else { throw .noSuchInterface(name: name, available: lookUp.available) }

        guard let handle = pcap_create(name, &errorBuffer) else {
            throw .openFailed(interface: name, operation: "pcap_create", detail: Libpcap.text(errorBuffer))
        }
        var opened = false
        defer { if !opened { pcap_close(handle) } }

        let snapLength = options.snapLength.map { $0 > 0 ? $0 : Self.maximumSnapLength } ?? Self.defaultSnapLength(for: name)
        try Self.set(handle, name, "pcap_set_snaplen", pcap_set_snaplen(handle, Int32(clamping: snapLength)))
        try Self.set(handle, name, "pcap_set_promisc", pcap_set_promisc(handle, options.promiscuous ? 1 : 0))
        try Self.set(handle, name, "pcap_set_immediate_mode", pcap_set_immediate_mode(handle, options.immediate ? 1 : 0))
        try Self.set(handle, name, "pcap_set_timeout", pcap_set_timeout(handle, options.readTimeoutMilliseconds))
        try Self.set(handle, name, "pcap_set_buffer_size", pcap_set_buffer_size(handle, Int32(clamping: options.bufferSize)))
        let nanoseconds = pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO)) == 0

        var warnings: [String] = []
        let status = pcap_activate(handle)
        if status < 0 {
            throw Self.activationError(status, handle: handle, interface: name, promiscuous: options.promiscuous)
        } else if status > 0 {
            let detail = Libpcap.lastError(handle)
            warnings.append(detail.isEmpty ? String(cString: pcap_statustostr(status)) : detail)
        }

        let linkType = LinkType(dlt: pcap_datalink(handle))
        let filter = options.filter ?? CaptureFilter.defaultExpression(for: linkType)
        var network: bpf_u_int32 = 0
        var netmask: bpf_u_int32 = 0
        if pcap_lookupnet(name, &network, &netmask, &errorBuffer) != 0 { netmask = PCAP_NETMASK_UNKNOWN }
        var program = bpf_program()
        guard pcap_compile(handle, &program, filter, 1, netmask) == 0 else {
            throw .badFilter(expression: filter, detail: Libpcap.lastError(handle))
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else {
            throw .openFailed(interface: name, operation: "pcap_setfilter", detail: Libpcap.lastError(handle))
        }
        guard pcap_setnonblock(handle, 1, &errorBuffer) == 0 else {
            throw .openFailed(interface: name, operation: "pcap_setnonblock", detail: Libpcap.text(errorBuffer))
        }
        let descriptor = pcap_get_selectable_fd(handle)
        guard descriptor >= 0 else {
            throw .openFailed(interface: name, operation: "pcap_get_selectable_fd", detail: "no descriptor to wait on")
        }

        self.interface = name
        self.linkType = linkType
        self.snapLength = Int(pcap_snapshot(handle))
        self.filter = filter
        self.timestampDigits = nanoseconds && pcap_get_tstamp_precision(handle) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? 9 : 6
        self.warnings = warnings
        self.selectableDescriptor = descriptor
        self.readTimeoutMilliseconds = max(1, options.readTimeoutMilliseconds)
        self.handle = handle
        opened = true
    }

    deinit { close() }

    /// The interface as a capture file describes it (for the pcapng writer).
    public var captureInterface: CaptureInterface {
        CaptureInterface(linkType: linkType, snapLength: UInt32(clamping: snapLength), name: interface)
    }

    /// The next frame, `.idle` after the read timeout, or `.stopped` after
    /// `breakLoop()` or a stop signal. The frame's bytes are valid until
    /// the next call.
    ///
    /// The handle is in non-blocking mode and the waiting is done here, with
    /// `poll(2)` on libpcap's descriptor: on Linux libpcap's own blocking
    /// read keeps polling through its timeout in immediate mode and never
    /// returns empty-handed, which would leave `--duration` and the status
    /// display waiting for a frame. A frame already in the ring costs no
    /// system call.
    /// With `waiting` false, `.idle` comes at once when nothing is in the
    /// ring (a caller that polls `descriptor` with its own sockets).
    public func next(waiting: Bool = true) throws(LiveCaptureError) -> Read {
        guard let handle else { return .stopped }
        var waited = !waiting
        while true {
            if stopRequested.load(ordering: .relaxed) || StopSignals.received != nil { return .stopped }
            var header: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            let status = pcap_next_ex(handle, &header, &data)
            switch status {
            case 1:
                guard let header, let data else { return .idle }
                return .frame(frame(header.pointee, data))
            case 0:
                if waited { return .idle }
                var descriptor = pollfd(fd: selectableDescriptor, events: Int16(POLLIN), revents: 0)
                // EINTR (a signal) and a timeout both end the wait; the loop
                // then looks at the stop flags and the ring once more.
                _ = poll(&descriptor, 1, readTimeoutMilliseconds)
                waited = true
            case PCAP_ERROR_BREAK:
                return .stopped
            default:
                throw .readFailed(interface: interface, detail: Libpcap.lastError(handle))
            }
        }
    }

    @inline(__always)
    private func frame(_ h: pcap_pkthdr, _ data: UnsafePointer<UInt8>) -> CapturedFrame {
        framesRead += 1
        let nanoseconds = timestampDigits == 9 ? Int(h.ts.tv_usec) : Int(h.ts.tv_usec) * 1000
        let timestamp = CaptureTimestamp(
            seconds: Int64(h.ts.tv_sec), nanoseconds: UInt32(clamping: max(0, min(nanoseconds, 999_999_999))),
            fractionDigits: timestampDigits)
        let bytes = ByteView(UnsafeRawBufferPointer(start: data, count: Int(h.caplen)), wireCount: Int(h.len))
        return CapturedFrame(number: framesRead, timestamp: timestamp, interfaceIndex: 0,
                             linkType: linkType, bytes: bytes, fileOffset: 0)
    }

    /// libpcap's descriptor, readable when frames wait (for `poll`
    /// beside other descriptors, with `next(waiting: false)`).
    public var descriptor: Int32 { selectableDescriptor }

    /// Sends one whole frame out of the interface (`pcap_inject`).
    public func inject(_ frame: [UInt8]) throws(LiveCaptureError) {
        guard let handle else { throw .readFailed(interface: interface, detail: "the capture is closed") }
        let sent = frame.withUnsafeBytes { pcap_inject(handle, $0.baseAddress, $0.count) }
        guard sent == frame.count else { throw .openFailed(interface: interface, operation: "pcap_inject", detail: Libpcap.lastError(handle)) }
    }

    /// libpcap's counters (`pcap_stats`) since the capture started.
    public func statistics() -> CaptureStatistics? {
        guard let handle else { return nil }
        var stats = pcap_stat()
        guard pcap_stats(handle, &stats) == 0 else { return nil }
        return CaptureStatistics(received: UInt64(stats.ps_recv), droppedByKernel: UInt64(stats.ps_drop),
                                 droppedByInterface: UInt64(stats.ps_ifdrop))
    }

    /// Makes a `next()` that is waiting (within its read timeout), or the
    /// next one, return `.stopped`. Safe from another thread.
    public func breakLoop() {
        stopRequested.store(true, ordering: .relaxed)
        if let handle { pcap_breakloop(handle) }
    }

    /// The handle, for `StopSignals` to break from a signal handler.
    var rawHandle: OpaquePointer? { handle }

    /// Ends the capture and frees libpcap's handle; `next()` then returns `.stopped`.
    public func close() {
        StopSignals.forget(self)
        if let handle { pcap_close(handle) }
        handle = nil
    }

    // MARK: Opening

    private static func set(_ handle: OpaquePointer, _ interface: String, _ call: String, _ status: Int32) throws(LiveCaptureError) {
        guard status != 0 else { return }
        throw .openFailed(interface: interface, operation: call, detail: String(cString: pcap_statustostr(status)))
    }

    private static func activationError(_ status: Int32, handle: OpaquePointer, interface: String, promiscuous: Bool) -> LiveCaptureError {
        var detail = Libpcap.lastError(handle)
        if detail.isEmpty { detail = String(cString: pcap_statustostr(status)) }
        switch status {
        case PCAP_ERROR_PERM_DENIED:
            return .noPrivileges(interface: interface, detail: detail, promiscuous: false)
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            return .noPrivileges(interface: interface, detail: detail, promiscuous: promiscuous)
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return .noSuchInterface(name: interface, available: (try? NetworkInterface.all()) ?? [])
        case PCAP_ERROR_IFACE_NOT_UP:
            return .interfaceDown(name: interface, detail: detail)
        default:
            // Some systems report a refused socket as a generic error.
            if detail.contains("Operation not permitted") || detail.contains("ermission denied") {
                return .noPrivileges(interface: interface, detail: detail, promiscuous: false)
            }
            return .openFailed(interface: interface, operation: "pcap_activate", detail: detail)
        }
    }
}

/// libpcap's counters for a live capture (`pcap_stats`; tcpdump prints the
/// same three at the end).
public struct CaptureStatistics: Equatable, Sendable {
    /// Packets that passed the filter (on Linux: whether or not the
    /// reader got them).
    public var received: UInt64
    /// Packets the kernel dropped because the ring was full: the reader
    /// did not keep up.
    public var droppedByKernel: UInt64
    /// Packets the interface (its driver) dropped, where it says.
    public var droppedByInterface: UInt64

    public init(received: UInt64, droppedByKernel: UInt64, droppedByInterface: UInt64) {
        self.received = received
        self.droppedByKernel = droppedByKernel
        self.droppedByInterface = droppedByInterface
    }
}
