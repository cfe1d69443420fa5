/// Where an open TFTP transfer stands: what a live view shows of it and
/// what the live events carry while it runs. Counts and frames only — no
/// bytes of the file — so taking one is cheap and holds nothing back.
/// Made by `TFTPTransferTracker.activeProgress`; the whole record comes
/// when the transfer ends (`TFTPTransfer`).
public struct TFTPTransferProgress: Sendable, Equatable {
    public var number: Int
    public var direction: TFTPTransfer.Direction
    public var fileName: String
    public var client: TransportEndpoint
    /// Where the request went: a server's port 69, or a multicast group.
    public var requestDestination: TransportEndpoint
    /// The address and port that answered, once one did.
    public var server: TransportEndpoint?
    public var request: TFTPTransfer.FrameMark
    public var firstReply: TFTPTransfer.FrameMark?
    public var lastFrame: TFTPTransfer.FrameMark
    /// The frame that brought the newest block (nil: none yet).
    public var lastNewBlock: TFTPTransfer.FrameMark?
    /// Distinct blocks and bytes of DATA captured.
    public var blocks: Int
    public var bytes: Int
    public var highestBlock: Int
    public var blockSize: Int
    /// The tsize announced (server's OACK for a read, client's WRQ for a write).
    public var announcedSize: Int?
    /// The file's size, once its final block arrived.
    public var size: Int?
    public var retransmittedData: Int
    public var repeatedAcks: Int
    /// An ERROR packet was sent.
    public var failed: Bool
    /// Completed or failed: only retransmissions can follow.
    public var isDone: Bool
    /// The size in the header of the SPA firmware image being carried
    /// (read from the first 128 bytes, when they are the image magic).
    public var imageSize: Int?

    /// The size the transfer is heading for, best known first: the final
    /// block's, the announced tsize, the image header's.
    public var expectedSize: Int? {
        if let size { return size }
        if let announcedSize, announcedSize > 0 { return announcedSize }
        return imageSize
    }

    /// Bytes per second from the first reply to the last frame.
    public var bytesPerSecond: Double? {
        guard let start = firstReply?.time, bytes > 0 else { return nil }
        let seconds = lastFrame.time.seconds(since: start)
        return seconds > 0 ? Double(bytes) / seconds : nil
    }

    /// The image size in a firmware image header at the start of `bytes`,
    /// when the header has the SPA image magic.
    static func imageSize(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { raw in
            guard let header = FirmwareImageHeader(ByteView(raw)), header.hasMagic, header.totalLength > 0 else { return nil }
            return Int(header.totalLength)
        }
    }
}
