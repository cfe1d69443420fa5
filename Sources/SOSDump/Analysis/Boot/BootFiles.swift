/// What the boot diagnosis (and the simulator's phone) read from the files
/// a 79xx phone fetches, through the file parsers of `Firmware79xx/`: the
/// load a configuration names for a device type, the parts a `.loads`
/// lists, the step the upgrade-path rule asks for, a load's release.
public enum BootFiles {
    /// The load `bytes` (a `SEP<MAC>.cnf.xml` or `XMLDefault.cnf.xml`) name
    /// for a phone of `deviceType`; nil when it names none or is not XML.
    public static func configuredLoad(_ bytes: [UInt8], deviceType: UInt32?) -> String? {
        guard let config = try? PhoneConfiguration.parse(bytes) else { return nil }
        return config.load(forDeviceType: deviceType.map(Int.init))
    }

    /// The parts a `.loads` file lists; nil when it does not read as one.
    public static func loadParts(_ bytes: [UInt8]) -> [String]? {
        bytes.withUnsafeBytes { LoadsFile.read(ByteView($0))?.parts }
    }

    /// The release to load first when a phone running `running` cannot go
    /// straight to `target` (`8.5(2)`, the newest that accepts both keys); nil when it can.
    public static func stepBetween(running: String, target: String) -> String? {
        guard let r = PhoneLoadID(running), let t = PhoneLoadID(target), let step = UpgradeStep.needed(from: r, to: t) else { return nil }
        return step.through.upperBound.description
    }

    /// `9.4(2)SR3` for `SCCP45.9-4-2SR3-1S`; nil for a name without a release.
    public static func release(of load: String) -> String? { PhoneLoadID(load)?.release?.description }
}
