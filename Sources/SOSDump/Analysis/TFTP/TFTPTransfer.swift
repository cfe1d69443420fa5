/// One TFTP transfer as the capture shows it: the request, who answered,
/// what was negotiated, every block, what went wrong, and the file rebuilt
/// from the DATA packets. Made by `TFTPTransferTracker`.
public struct TFTPTransfer: Sendable {
    public enum Direction: String, Sendable, Codable {
        /// RRQ: the server sends the file.
        case read
        /// WRQ: the client sends the file.
        case write
    }

    public enum Side: String, Sendable, Codable {
        case client, server
    }

    /// How the transfer ended.
    public enum Outcome: String, Sendable, Codable {
        /// The final (short) block was sent and either acknowledged or
        /// every block before it was captured, or the receiver's ACKs show
        /// it reached its end (`completedByAcknowledgment`): the transfer
        /// reached its end.
        /// Whether the capture holds every byte is `file.isComplete`.
        case complete
        /// An ERROR packet ended it.
        case error
        /// The client asked for options (tsize), read the OACK, and ended
        /// with ERROR 8: a size probe, not a failure.
        case optionProbe = "option-probe"
        /// Nothing answered the request but an ICMP unreachable (nothing
        /// listens on port 69). An unreachable later in a transfer (the
        /// server went away) leaves it `stalled`, with `unreachable` set.
        case unreachable
        /// No reply to the request.
        case unanswered
        /// It began but did not finish: see `stall`.
        case stalled
    }

    /// A frame of the capture, by number and time.
    public struct FrameMark: Sendable, Equatable {
        public var frame: Int
        public var time: CaptureTimestamp
    }

    /// How many times something happened, and the first time.
    public struct Occurrences: Sendable, Equatable {
        public var count = 0
        public var first: FrameMark?

        mutating func record(_ mark: FrameMark) {
            if count == 0 { first = mark }
            count += 1
        }
    }

    /// The ERROR packet that ended the transfer.
    public struct ErrorPacket: Sendable, Equatable {
        public var code: TFTPErrorCode
        public var message: String
        public var sentBy: Side
        public var at: FrameMark
    }

    /// An ICMP or ICMPv6 unreachable drawn by one of the transfer's packets.
    public struct Unreachable: Sendable, Equatable {
        /// Who sent the ICMP message.
        public var reporter: IPAddress
        /// The quoted datagram's destination: what could not be reached.
        public var unreachable: TransportEndpoint
        /// The summary of the ICMP message, as `packets` prints it.
        public var message: String
        /// Which side's packet drew it.
        public var drawnBy: Side
        public var at: FrameMark
    }

    /// Where progress stopped in a transfer that did not finish.
    public struct Stall: Sendable, Equatable {
        /// The last new block (0: none arrived).
        public var block: Int
        /// The frame that brought it (the request when no block came).
        public var at: FrameMark
        /// The side that owed the next packet and never sent it: after
        /// DATA, the receiver owed an ACK; after an ACK or the request, the
        /// sender owed DATA.
        public var quietSide: Side
        /// The transfer's last frame, which may be a retry after the stall.
        public var lastFrame: FrameMark
        /// Seconds from the last frame to the end of the capture: small
        /// values mean the capture may simply have ended too soon.
        public var silenceBeforeCaptureEnd: Double
        /// The frame of a new request from the same client address and port
        /// that ended this transfer, if one did.
        public var supersededBy: FrameMark?
    }

    /// A run of blocks the capture lacks.
    public struct Gap: Sendable, Equatable {
        public var blocks: ClosedRange<Int>
        /// Byte offsets in the file.
        public var bytes: Range<Int>
        /// The receiver acknowledged these blocks: they got through, and only
        /// the capture missed them. Otherwise nothing shows they arrived.
        public var acknowledged: Bool
        /// Seen, but cut by the capture's snap length.
        public var cutBySnapLength: Bool
    }

    /// 1, 2, 3 … in the order of the requests.
    public var number: Int
    public var direction: Direction
    public var fileName: String
    public var mode: String
    public var requestedOptions: [TFTPOption]
    /// The server's OACK, if it sent one.
    public var acceptedOptions: [TFTPOption]?
    public var client: TransportEndpoint
    /// Where the request went: the server's port 69, or a multicast group.
    public var requestDestination: TransportEndpoint
    /// The address and port (the TID) of the first reply; nil if none came.
    public var server: TransportEndpoint?
    public var request: FrameMark
    /// Requests sent before the first reply (1 when the first was answered).
    public var requestCount = 1
    public var firstReply: FrameMark?
    public var lastFrame: FrameMark
    public var blockSize = 512
    public var windowSize = 1
    /// The tsize the server (RRQ) or the client (WRQ) announced.
    public var announcedSize: Int?
    public var dataPackets = 0
    public var ackPackets = 0
    /// DATA for a block already seen.
    public var retransmittedData = Occurrences()
    /// ACKs for a block already acknowledged.
    public var repeatedAcks = Occurrences()
    /// How many times the receiver sent its last ACK again, in a row: a
    /// receiver that runs out of tries has given up (the S.O.S. phone
    /// sends its last ACK 5 times in all).
    public var lastAckRepeats = 0
    /// RFC 1350's Sorcerer's Apprentice bug: each repeated ACK answered by
    /// a repeated DATA, block after block (the first frame of the run).
    public var sorcerersApprentice: FrameMark?
    /// DATA for a block below the highest seen, not seen before.
    public var outOfOrderBlocks = Occurrences()
    /// Blocks whose DATA the capture shows but whose receiver then asked
    /// again for them (repeated its previous ACK): the peer never got them.
    public var blocksPeerMissed = 0
    /// DATA whose UDP checksum fails: the receiver's stack drops it, so it
    /// was not delivered and its block is not taken into the file.
    public var corruptedData = Occurrences()
    /// Packets captured twice (the same datagram within milliseconds: two
    /// interfaces, merged files), counted once.
    public var duplicateFrames = 0
    /// The highest block the receiver acknowledged: an ACK for block n
    /// proves blocks 1...n reached it, whether or not the capture holds
    /// their DATA.
    public var acknowledgedThrough = 0
    /// The transfer is complete by its receiver's ACKs alone: the capture
    /// lacks the final DATA, but the receiver acknowledged it and asked
    /// for nothing more (see `TFTPTransferTracker`).
    public var completedByAcknowledgment = false
    /// Packets to the client from a port other than the latched TID
    /// (ignored, as the client ignores them).
    public var foreignPackets = Occurrences()
    public var error: ErrorPacket?
    public var unreachable: Unreachable?
    public var stall: Stall?
    public var outcome: Outcome = .unanswered
    /// Things the packets did that break the protocol (the first 20).
    public var anomalies: [TFTPAnomaly] = []
    public var file: RebuiltFile
    /// The receiver acknowledged the final block.
    public var finalBlockAcknowledged = false
    /// Digests of the rebuilt file when it is complete.
    public var digests: FileDigests?
    /// The runs of blocks the capture lacks, up to the final (or highest) block.
    public var gaps: [Gap] = []
    /// Block numbers against time, bounded (for a chart).
    public var trace = TFTPBlockTrace()

    /// The side that sends DATA.
    public var sender: Side { direction == .read ? .server : .client }

    /// The file's size, once the final block was seen.
    public var fileSize: Int? { file.size }

    /// Bytes per second from the first reply to the last frame.
    public var throughput: Double? {
        guard let start = firstReply?.time, file.bytesCaptured > 0 else { return nil }
        let seconds = lastFrame.time.seconds(since: start)
        guard seconds > 0 else { return nil }
        return Double(file.bytesCaptured) / seconds
    }

    /// The receiver's ACKs are the only sign of the DATA: the capture holds
    /// none of it (filtered to one side, or to port 69), so the file cannot
    /// be rebuilt or checked.
    public var dataNotCaptured: Bool { acknowledgedThrough > 0 && file.blocksCaptured == 0 }

    /// The tsize announced and the size received differ.
    public var sizeMismatch: Bool {
        guard let announcedSize, announcedSize > 0, let size = file.size else { return false }
        return announcedSize != size
    }
}

/// A packet of a transfer that breaks the protocol.
public struct TFTPAnomaly: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case dataFromReceiver
        case ackFromSender
        case optionAcknowledgmentFromClient
        case requestInsideTransfer
        case optionAcknowledgmentAfterData
        /// DATA whose block number comes before block 1.
        case dataBeforeFirstBlock(wire: UInt16)
        /// Past `Limits.maxBlocks`: later blocks are not followed.
        case pastBlockLimit(Int)
        case resentWithOtherBytes(block: Int)
        case oversize(block: Int, length: Int, blockSize: Int)
        case pastFinalBlock(block: Int, finalBlock: Int)
        case ackBeforeStart(wire: UInt16)
        /// A block too far past the highest seen or acknowledged to be real: not followed.
        case implausibleBlock(block: Int, highest: Int)
        /// The tracker's memory budget was spent: later blocks are not followed.
        case memoryBudgetSpent
    }

    public var frame: Int
    public var kind: Kind
}
