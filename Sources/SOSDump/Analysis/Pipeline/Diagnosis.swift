/// A diagnosis: what sosdump knows about one family of phones, as a plug-in
/// of the one walk over a capture (`CaptureAnalysis`).
///
/// A diagnosis is fed every decoded frame in capture order, with what that
/// frame did to the TFTP transfers (the tracker is shared: a request is
/// decoded once, by the tracker), and every transfer the tracker ends, its
/// file still held. It keeps bounded state per phone (a story), decides
/// which phones are its family's, and concludes per phone with its own
/// verdict codes, as typed values; the wording is the report layer's.
/// `SOSDiagnosis` (SPA phones in S.O.S. recovery) is one; docs/architecture.md
/// says how another plugs in.
public protocol Diagnosis {
    /// What it concludes about a whole capture.
    associatedtype Conclusion

    /// The family of phones it follows.
    static var family: PhoneFamily { get }

    /// One decoded frame, and what it did to the transfers (nil: nothing).
    /// Called for every frame: a diagnosis lets most go after a look at a
    /// few fields, allocating nothing.
    mutating func observe(_ d: borrowing Dissection, tftp: TFTPEvent?, span: CaptureSpan)

    /// A transfer the tracker ended, with its file (let go after the call).
    mutating func transferEnded(_ ended: EndedTransfer)

    /// Whether the phone with this MAC address is one it follows.
    func follows(_ mac: MACAddress) -> Bool

    /// The phones it followed, their addresses and identifiers (what
    /// `sosdump share` keeps and scrubs).
    var followed: FollowedTraffic { get }

    /// Whether a frame is a message of its family's own protocol, whoever
    /// sent it (the S.O.S. messages: a utility's request to an address no
    /// phone had is part of the diagnosis too). Kept by `sosdump share`.
    static func isOwnProtocol(_ d: borrowing Dissection) -> Bool

    /// Concludes when the capture ends.
    mutating func finish(span: CaptureSpan) -> Conclusion
}

/// The families of phones sosdump diagnoses: one `Diagnosis` each.
public enum PhoneFamily: String, Sendable, Codable, CaseIterable {
    /// Cisco SPA30x/SPA50x in S.O.S. recovery mode (`SOSDiagnosis`).
    case sos
}

/// How much of a capture has been walked: frames and the first and last times.
public struct CaptureSpan: Sendable, Equatable {
    public var frames = 0
    public var firstTime: CaptureTimestamp?
    public var lastTime: CaptureTimestamp?
    /// The damage that stopped reading, if it did: the rest of the file was not read.
    public var damage: CaptureDamage?

    public init() {}

    @inlinable
    public mutating func count(_ time: CaptureTimestamp) {
        frames += 1
        if firstTime == nil { firstTime = time }
        lastTime = time
    }
}

/// A transfer the tracker ended, with its file, and its image check when
/// one was already made (once, for everyone who needs it).
public struct EndedTransfer: Sendable {
    public var transfer: TFTPTransfer
    /// Set when `examined`: the loader's checks of the file, nil when it is no image.
    public var image: ImageCheck?
    public var examined: Bool

    public init(transfer: TFTPTransfer, image: ImageCheck? = nil, examined: Bool = false) {
        self.transfer = transfer
        self.image = image
        self.examined = examined
    }

    /// The image check, made now if it was not made yet.
    public func image(catalog: FirmwareCatalog) -> ImageCheck? {
        examined ? image : TransferredImage.examine(transfer, catalog: catalog)
    }
}

/// Damage in a capture file that stopped reading: where, and the last
/// frame read before it. What came after was not seen, so a verdict about
/// an exchange still open there says so (CAPTURE_DAMAGED).
public struct CaptureDamage: Sendable, Equatable {
    /// The reader's error: the file, the byte offset and what is wrong.
    public var error: CaptureError
    /// The last frame read (0: none).
    public var lastFrame: Int

    public init(error: CaptureError, lastFrame: Int) {
        self.error = error
        self.lastFrame = lastFrame
    }
}
