/// The comments a capture file holds (pcapng `opt_comment`): the file's own,
/// from its section headers, and those on frames, gathered during the walk
/// (`CaptureAnalysis.observe` looks only at frames whose block has options).
/// A report shows a frame's comment on the timeline line of that frame, or
/// in its header. Bounded: `maxFrameComments`, the rest counted.
public struct CaptureComments: Sendable, Equatable {
    public struct OnFrame: Sendable, Equatable {
        public var frame: Int
        public var text: String
    }

    public static let maxFrameComments = 1000

    /// The file's own comments.
    public var capture: [String]
    /// Comments on frames, in frame order.
    public private(set) var frames: [OnFrame] = []
    /// Comments past `maxFrameComments`.
    public private(set) var notKept = 0

    public init(capture: [String] = []) { self.capture = capture }

    /// Keeps the comments of a frame.
    public mutating func observe(_ frame: borrowing CapturedFrame) {
        for text in frame.comments { add(frame: frame.number, text: text) }
    }

    mutating func add(frame: Int, text: String) {
        if frames.count < Self.maxFrameComments { frames.append(OnFrame(frame: frame, text: text)) } else { notKept += 1 }
    }

    /// The comments of each frame that has some.
    public func byFrame() -> [Int: [String]] {
        var result: [Int: [String]] = [:]
        for c in frames { result[c.frame, default: []].append(c.text) }
        return result
    }
}
