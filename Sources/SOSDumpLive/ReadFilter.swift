import CPcap
import SOSDump

/// A read filter for capture files, as tcpdump's expression after `-r
/// FILE` (pcap-filter(7)): compiled by libpcap (`pcap_compile` for the
/// frame's link type, without a device) and run on each frame's captured
/// bytes (`pcap_offline_filter`), the same BPF program tcpdump would run.
/// A file may hold interfaces of several link types (pcapng): the
/// expression is compiled once per link type met.
public final class ReadFilter {
    public let expression: String
    /// The programs compiled, by link type; a link type libpcap cannot
    /// compile the expression for is remembered with its error.
    private var programs: [LinkType: Result<UnsafeMutablePointer<bpf_program>, LiveCaptureError>] = [:]

    /// Compiles `expression` for Ethernet now, so that a typo is reported
    /// before any file is read (other link types are compiled when met).
    public init(_ expression: String) throws(LiveCaptureError) {
        self.expression = expression
        if case .failure(let error) = program(for: .ethernet) { throw error }
    }

    deinit {
        for case .success(let p) in programs.values {
            pcap_freecode(p)
            p.deallocate()
        }
    }

    /// Whether `frame` passes: libpcap's verdict on its captured bytes.
    /// Throws when the expression does not compile for the frame's link type.
    public func matches(_ frame: CapturedFrame) throws(LiveCaptureError) -> Bool {
        let program: UnsafeMutablePointer<bpf_program>
        switch self.program(for: frame.linkType) {
        case .success(let p): program = p
        case .failure(let error): throw error
        }
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(frame.timestamp.seconds)
        header.ts.tv_usec = Int(frame.timestamp.nanoseconds / 1000)
        header.caplen = UInt32(clamping: frame.capturedLength)
        header.len = UInt32(clamping: frame.originalLength)
        guard let base = frame.bytes.rawBytes.baseAddress else { return pcap_offline_filter(program, &header, [0]) != 0 }
        return pcap_offline_filter(program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }

    private func program(for linkType: LinkType) -> Result<UnsafeMutablePointer<bpf_program>, LiveCaptureError> {
        if let known = programs[linkType] { return known }
        let result: Result<UnsafeMutablePointer<bpf_program>, LiveCaptureError>
        if let handle = pcap_open_dead(linkType.dlt, 262_144) {
            defer { pcap_close(handle) }
            let p = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1)
            p.initialize(to: bpf_program())
            if pcap_compile(handle, p, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 {
                result = .success(p)
            } else {
                result = .failure(.badFilter(expression: expression, detail: "\(Libpcap.lastError(handle)) (link type \(linkType))"))
                p.deallocate()
            }
        } else {
            result = .failure(.badFilter(expression: expression, detail: "libpcap cannot compile for link type \(linkType)"))
        }
        programs[linkType] = result
        return result
    }
}
