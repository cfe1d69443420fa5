import Foundation

/// What `sosdump packets` prints: a capture read frame by frame, each frame
/// decoded and rendered as one line of text or one JSON object.
///
/// The command and the golden tests both use this, so the expected outputs
/// in `captures/` are exactly what users see.
public final class PacketListing {
    public enum Format: String, Sendable, CaseIterable {
        case text
        case json
    }

    public let reader: CaptureReader
    public let format: Format
    public let decoder: FrameDecoder
    private let encoder: JSONEncoder
    /// SCCP is read from TCP streams put back in order, across frames.
    private var sccp = SCCPStreamTracker()
    /// A read filter: frames it refuses are skipped (not decoded).
    public var filter: ((CapturedFrame) -> Bool)?
    /// Added to every frame number: a capture read after others goes on
    /// numbering where they ended.
    public var numberOffset = 0

    public init(reader: CaptureReader, format: Format, decoder: FrameDecoder = FrameDecoder()) {
        self.reader = reader
        self.format = format
        self.decoder = decoder
        encoder = ReportJSON.encoder()
    }

    /// The next frame's record; nil at the end of the capture. Throws the
    /// reader's error where the capture is damaged, after every frame
    /// before the damage has been returned.
    public func nextRecord() throws(CaptureError) -> PacketRecord? {
        guard var frame = try reader.next() else { return nil }
        if let filter {
            while !filter(frame) {
                guard let next = try reader.next() else { return nil }
                frame = next
            }
        }
        frame.number += numberOffset
        let interfaces = reader.interfaces
        let interface = interfaces.indices.contains(frame.interfaceIndex) ? interfaces[frame.interfaceIndex] : nil
        let d = decoder.decode(frame)
        return PacketRecord(d, interface: interface, sccp: sccp.observe(d))
    }

    /// The next frame's line, in the listing's format.
    public func nextLine() throws(CaptureError) -> String? {
        guard let record = try nextRecord() else { return nil }
        switch format {
        case .text:
            return record.textLine
        case .json:
            // Encoding plain strings and numbers cannot fail.
            guard let data = try? encoder.encode(record) else { return "{}" }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// The line that ends a listing stopped by damage (printed to standard error).
    public static func damageLine(_ error: CaptureError, framesRead: Int) -> String {
        "warning: \(error); stopped after frame \(framesRead)"
    }
}
