/// What the boot diagnosis concludes: per 79xx phone (`BootPhoneVerdict`,
/// with its cycles) and for the capture (`BootAnalysis`), as typed values
/// (`BootFacts.swift` has the codes, facts and evidence). Made by
/// `BootDiagnosis`; worded by `Report/BootWording.swift`; docs/verdicts.md
/// explains each code to a technician.

/// Who a 79xx phone is, from everything it sent.
public struct BootPhoneIdentity: Sendable, Equatable {
    public var mac: MACAddress
    /// Its last known IPv4 address.
    public var address: IPv4Address?
    /// `7945`, from CDP's platform, option 60, the SCCP device type.
    public var model: String?
    /// `SEP001122334455`, from CDP or the SCCP register.
    public var deviceName: String?
    /// The SCCP device type (435 for a 7945).
    public var deviceType: UInt32?
    /// Option 60 as sent (`Cisco Systems, Inc. IP Phone CP-7945G`).
    public var vendorClass: String?

    public init(mac: MACAddress) { self.mac = mac }

    /// The MAC as a phone names its files: upper-case hex, no separators.
    public static func hex(_ mac: MACAddress) -> String {
        let digits = Array("0123456789ABCDEF")
        return String((0..<12).reversed().map { digits[Int((mac.rawValue >> (UInt64($0) * 4)) & 0xF)] })
    }

    /// `SEP<MAC>`, the name the phone goes by.
    public var sepName: String { "SEP" + Self.hex(mac) }
}

/// One boot of a phone: from its start to the next start (or the capture's end).
public struct BootCycle: Sendable, Equatable {
    /// 1 for the phone's first cycle in the capture.
    public var number: Int
    public var start: BootMark
    public var startedBy: BootCycleStart
    /// The load the phone runs (CDP's software version), when it said, and the CDP frame that said it.
    public var runningLoad: String?
    public var runningLoadFrame: BootMark?
    public var dhcp: BootDHCPOutcome = .notSeen
    /// The TFTP server DHCP gave, and how.
    public var tftp: TFTPServerChoice?
    /// The frame of the DHCP reply that gave `tftp`.
    public var tftpFrame: BootMark?
    /// Every file asked for, in order (a repeated request is one entry).
    public var files: [BootFileRequest] = []
    /// The load the configuration names (`SCCP45.9-4-2SR3-1S`), and the file that named it.
    public var configLoad: String?
    public var configFile: String?
    /// The parts the `.loads` lists, and which `.loads` it was.
    public var loadsFile: String?
    public var loadParts: [String]?
    public var registration: BootRegistration = .none
    /// The last frame of this cycle sosdump followed.
    public var last: BootMark
    /// Files not kept because the cycle held its limit.
    public var filesNotKept = 0

    public init(number: Int, start: BootMark, startedBy: BootCycleStart) {
        self.number = number
        self.start = start
        self.startedBy = startedBy
        last = start
    }

    /// The files of a kind, in order.
    public func files(_ kind: BootFileKind) -> [BootFileRequest] { files.filter { $0.kind == kind } }

    /// Whether the whole of a file of this kind arrived.
    public func got(_ kind: BootFileKind) -> Bool {
        files.contains { f in
            if f.kind == kind, case .transferred = f.outcome { return true }
            return false
        }
    }

    /// The phone has gone beyond its DHCP: it asked for a file or registered.
    public var wentBeyondDHCP: Bool {
        if !files.isEmpty { return true }
        if case .none = registration { return false }
        return true
    }
}

/// The story of one phone and what sosdump concludes from it.
public struct BootPhoneVerdict: Sendable {
    public var family: PhoneFamily { .cisco79xx }
    public var identity: BootPhoneIdentity
    public var verdict: BootFinding
    public var code: BootVerdictCode { verdict.code }
    /// Every finding, the verdict's first, then the rest most serious first.
    public var findings: [BootFinding]
    /// The cycles kept (the first and the latest when there were too many).
    public var cycles: [BootCycle]
    /// Every cycle seen, kept or not.
    public var cycleCount: Int
    public var notes: [BootPhoneNote]
}

/// What a whole capture says about 79xx phones.
public struct BootAnalysis: Sendable {
    public var phones: [BootPhoneVerdict]
    /// With no phone: what the capture shows instead (NO_PHONE_TRAFFIC).
    public var noPhone: BootFinding?
    /// Frames that look like a 79xx setup: the switch's CDP, DHCP replies with option 150 or 66.
    public var setupSigns: Int
    public var thresholds: BootThresholds
    public var notices: [BootNotice]

    /// The most serious phone's code; NO_PHONE_TRAFFIC without a phone.
    public var code: BootVerdictCode { phones.map(\.code).min() ?? .noPhoneTraffic }
}

/// The timing thresholds of the boot model, each a command-line option.
public struct BootThresholds: Sendable, Equatable {
    /// Cycles that make a loop when nothing else explains them.
    public var loopCycles: Int = 3
    /// Seconds without progress after which a cycle has failed rather
    /// than been cut by the capture's end.
    public var noProgress: Double = 60
    /// Seconds a registration may go unanswered.
    public var registration: Double = 10

    public init(loopCycles: Int = 3, noProgress: Double = 60, registration: Double = 10) {
        self.loopCycles = loopCycles
        self.noProgress = noProgress
        self.registration = registration
    }
}
