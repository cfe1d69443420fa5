import Foundation

/// A TFTP transfer as `sosdump transfers` shows it: the JSON object, and the
/// source of the text table's row and detail lines. Built from a
/// `TFTPTransfer`; strings and numbers only, so the JSON stays stable.
public struct TransferRecord: Codable, Equatable, Sendable {
    public var number: Int
    public var direction: String
    public var file: String
    public var mode: String
    public var client: String
    /// Where the request was sent (a server's port 69, or a multicast group).
    public var requestTo: String
    /// The address and port that answered; nil when nothing did.
    public var server: String?
    public var requestFrame: Int
    public var requestTime: String
    public var requests: Int
    public var firstReplyFrame: Int?
    public var lastFrame: Int
    public var lastTime: String
    public var requestedOptions: [Option]
    public var acceptedOptions: [Option]?
    public var blockSize: Int
    public var windowSize: Int
    /// The tsize announced by the server (read) or the client (write).
    public var announcedSize: Int?
    public var blocks: Int
    /// Bytes of DATA captured (each block counted once).
    public var bytes: Int
    /// The file's size, known once its final block was seen.
    public var size: Int?
    public var complete: Bool
    public var outcome: String
    public var seconds: Double
    public var bytesPerSecond: Double?
    public var sha256: String?
    public var sha1: String?
    public var md5: String?
    public var dataPackets: Int
    public var ackPackets: Int
    public var retransmittedData: Occurrences?
    public var repeatedAcks: Occurrences?
    public var outOfOrderBlocks: Occurrences?
    public var sorcerersApprenticeFrame: Int?
    public var blocksPeerMissed: Int?
    public var foreignPackets: Occurrences?
    public var finalBlockAcknowledged: Bool
    /// The highest block the receiver acknowledged (absent: none): its
    /// ACKs prove blocks 1 up to it arrived.
    public var acknowledgedThrough: Int?
    /// The capture holds none of the DATA; only the ACKs show the transfer.
    public var dataNotCaptured: Bool?
    /// Complete by the receiver's ACKs alone (the final DATA is not in the capture).
    public var completedByAcknowledgment: Bool?
    /// DATA with a failing UDP checksum: not delivered, not taken into the file.
    public var corruptedData: Occurrences?
    /// Packets captured twice (two interfaces, merged files) and counted once.
    public var duplicateFrames: Int?
    public var sizeMismatch: Bool?
    public var gaps: [Gap]?
    public var error: ErrorPacket?
    public var unreachable: Unreachable?
    public var stall: Stall?
    public var anomalies: [String]?
    /// The firmware checks, when the transfer carried an image.
    public var image: Image?

    /// A firmware image's verification: the record `sosdump analyze` gives a phone's image too.
    public typealias Image = ImageRecord

    public struct Option: Codable, Equatable, Sendable {
        public var name: String
        public var value: String
    }

    public struct Occurrences: Codable, Equatable, Sendable {
        public var count: Int
        public var firstFrame: Int
    }

    /// A run of blocks the capture lacks (also a download's `trace.gaps` in the analysis).
    public struct Gap: Codable, Equatable, Sendable {
        public var firstBlock: Int
        public var lastBlock: Int
        public var offset: Int
        public var length: Int
        public var acknowledged: Bool
        public var cutBySnapLength: Bool

        init(_ g: TFTPTransfer.Gap) {
            self.init(firstBlock: g.blocks.lowerBound, lastBlock: g.blocks.upperBound, offset: g.bytes.lowerBound, length: g.bytes.count,
                      acknowledged: g.acknowledged, cutBySnapLength: g.cutBySnapLength)
        }

        public init(firstBlock: Int, lastBlock: Int, offset: Int, length: Int, acknowledged: Bool, cutBySnapLength: Bool) {
            self.firstBlock = firstBlock
            self.lastBlock = lastBlock
            self.offset = offset
            self.length = length
            self.acknowledged = acknowledged
            self.cutBySnapLength = cutBySnapLength
        }
    }

    public struct ErrorPacket: Codable, Equatable, Sendable {
        public var code: UInt16
        public var name: String
        public var message: String
        public var sentBy: String
        public var frame: Int
    }

    public struct Unreachable: Codable, Equatable, Sendable {
        public var frame: Int
        public var reporter: String
        public var unreachable: String
        public var message: String
        public var drawnBy: String
    }

    public struct Stall: Codable, Equatable, Sendable {
        public var block: Int
        public var frame: Int
        public var time: String
        public var quietSide: String
        public var lastFrame: Int
        public var silenceBeforeCaptureEnd: Double
        public var supersededByFrame: Int?
    }

    public init(_ t: TFTPTransfer) {
        number = t.number
        direction = t.direction.rawValue
        file = t.fileName
        mode = t.mode
        client = t.client.description
        requestTo = t.requestDestination.description
        server = t.server?.description
        requestFrame = t.request.frame
        requestTime = t.request.time.rfc3339
        requests = t.requestCount
        firstReplyFrame = t.firstReply?.frame
        lastFrame = t.lastFrame.frame
        lastTime = t.lastFrame.time.rfc3339
        requestedOptions = t.requestedOptions.map { Option(name: $0.name, value: $0.value) }
        acceptedOptions = t.acceptedOptions?.map { Option(name: $0.name, value: $0.value) }
        blockSize = t.blockSize
        windowSize = t.windowSize
        announcedSize = t.announcedSize
        blocks = t.file.blocksCaptured
        bytes = t.file.bytesCaptured
        size = t.fileSize
        complete = t.file.isComplete
        outcome = t.outcome.rawValue
        seconds = Self.rounded(t.lastFrame.time.seconds(since: t.request.time))
        bytesPerSecond = t.throughput.map { $0.rounded() }
        sha256 = t.digests?.sha256
        sha1 = t.digests?.sha1
        md5 = t.digests?.md5
        dataPackets = t.dataPackets
        ackPackets = t.ackPackets
        retransmittedData = Self.occurrences(t.retransmittedData)
        repeatedAcks = Self.occurrences(t.repeatedAcks)
        outOfOrderBlocks = Self.occurrences(t.outOfOrderBlocks)
        sorcerersApprenticeFrame = t.sorcerersApprentice?.frame
        blocksPeerMissed = t.blocksPeerMissed > 0 ? t.blocksPeerMissed : nil
        foreignPackets = Self.occurrences(t.foreignPackets)
        finalBlockAcknowledged = t.finalBlockAcknowledged
        acknowledgedThrough = t.acknowledgedThrough > 0 ? t.acknowledgedThrough : nil
        dataNotCaptured = t.dataNotCaptured ? true : nil
        completedByAcknowledgment = t.completedByAcknowledgment ? true : nil
        corruptedData = Self.occurrences(t.corruptedData)
        duplicateFrames = t.duplicateFrames > 0 ? t.duplicateFrames : nil
        sizeMismatch = t.sizeMismatch ? true : nil
        gaps = t.gaps.isEmpty ? nil : t.gaps.map(Gap.init)
        error = t.error.map {
            ErrorPacket(code: $0.code.rawValue, name: $0.code.description, message: $0.message, sentBy: $0.sentBy.rawValue, frame: $0.at.frame)
        }
        unreachable = t.unreachable.map {
            Unreachable(frame: $0.at.frame, reporter: $0.reporter.description, unreachable: $0.unreachable.description,
                        message: $0.message, drawnBy: $0.drawnBy.rawValue)
        }
        stall = t.stall.map {
            Stall(block: $0.block, frame: $0.at.frame, time: $0.at.time.rfc3339, quietSide: $0.quietSide.rawValue,
                  lastFrame: $0.lastFrame.frame, silenceBeforeCaptureEnd: Self.rounded($0.silenceBeforeCaptureEnd),
                  supersededByFrame: $0.supersededBy?.frame)
        }
        anomalies = t.anomalies.isEmpty ? nil : t.anomalies.map(TFTPWording.anomaly)
    }

    private static func occurrences(_ o: TFTPTransfer.Occurrences) -> Occurrences? {
        guard let first = o.first else { return nil }
        return Occurrences(count: o.count, firstFrame: first.frame)
    }

    /// Seconds to the microsecond, so JSON does not print binary noise.
    private static func rounded(_ seconds: Double) -> Double { (seconds * 1e6).rounded() / 1e6 }
}
