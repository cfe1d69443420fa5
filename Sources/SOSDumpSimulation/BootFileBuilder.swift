import SOSDump

// Writes the files a Cisco 79xx phone fetches by TFTP, in their formats,
// for the tests and the simulator (sosdump-sim files): no vendor file is
// ever committed. The signed files and `.loads` come from the encoders of
// `Firmware79xx/` (`SignedFileHeader.encode`, `LoadsFile.encode`); the
// configurations are written here, shaped as the vendor's:
//
// - `SEP<MAC>.cnf.xml`: `<device>` with `<loadInformation>LOAD</loadInformation>`
//   and the call managers; `XMLDefault.cnf.xml`: `<Default>` with one
//   `<loadInformationNNN model="Cisco 7945">LOAD</loadInformationNNN>` per device type.

public enum BootFileBuilder {
    /// A `.loads` file (`LoadsFile.encode`): the signed header, then the
    /// release line, `#HARDWARE_COMP_1` and the part names, CRLF-ended.
    public static func loads(name: String, release: String, parts: [String], crlf: Bool = true, trailingSpaces: Bool = false) -> [UInt8] {
        LoadsFile.encode(fileName: name, release: release, parts: parts, lineEnding: crlf ? "\r\n" : "\n", trailingSpaces: trailingSpaces)
    }

    /// A load part: the signed header (`SignedFileHeader.encode`) and `size` bytes of content.
    public static func part(name: String, size: Int) -> [UInt8] {
        var content: [UInt8] = []
        content.reserveCapacity(size)
        var n = 0
        while content.count < size {
            content += Array("\(name) block \(n) of the test load; ".utf8)
            n += 1
        }
        return SignedFileHeader.encode(fileName: name) + content.prefix(size)
    }

    /// `SEP<MAC>.cnf.xml`: one device, its load and its call managers (SCCP port 2000).
    public static func deviceConfig(load: String?, callManagers: [IPv4Address], protocolName: String = "SCCP") -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<device>\n  <deviceProtocol>\(protocolName)</deviceProtocol>\n"
        xml += "  <devicePool>\n    <callManagerGroup>\n      <members>\n"
        for (i, cm) in callManagers.enumerated() {
            xml += "        <member priority=\"\(i)\">\n          <callManager>\n            <ports>\n"
            xml += "              <ethernetPhonePort>2000</ethernetPhonePort>\n              <sipPort>5060</sipPort>\n"
            xml += "            </ports>\n            <processNodeName>\(cm)</processNodeName>\n          </callManager>\n        </member>\n"
        }
        xml += "      </members>\n    </callManagerGroup>\n  </devicePool>\n"
        if let load { xml += "  <loadInformation>\(load)</loadInformation>\n" }
        xml += "</device>\n"
        return Array(xml.utf8)
    }

    /// `XMLDefault.cnf.xml`: the call managers, and a load per device type.
    public static func defaultConfig(loads: [(deviceType: UInt32, model: String, load: String)], callManagers: [IPv4Address]) -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Default>\n  <callManagerGroup>\n    <members>\n"
        for (i, cm) in callManagers.enumerated() {
            xml += "      <member priority=\"\(i)\">\n        <callManager>\n          <ports>\n"
            xml += "            <ethernetPhonePort>2000</ethernetPhonePort>\n          </ports>\n"
            xml += "          <processNodeName>\(cm)</processNodeName>\n        </callManager>\n      </member>\n"
        }
        xml += "    </members>\n  </callManagerGroup>\n"
        for l in loads { xml += "  <loadInformation\(l.deviceType) model=\"Cisco \(l.model)\">\(l.load)</loadInformation\(l.deviceType)>\n" }
        xml += "</Default>\n"
        return Array(xml.utf8)
    }

    /// The parts of a 7945-family load, named as real ones are (`jar45sccp.9-4-2ES.sbn`, …).
    public static func partNames(load: String) -> [String] {
        // SCCP45.9-4-2SR3-1S → family 45, release 9-4-2SR3-1S.
        let family = load.drop { !$0.isNumber }.prefix { $0.isNumber }
        let release = load.split(separator: ".", maxSplits: 1).last.map(String.init) ?? load
        let protocolName = load.lowercased().hasPrefix("sip") ? "sip" : "sccp"
        return ["apps\(family).\(release).sbn", "cnu\(family).\(release).sbn", "cvm\(family)\(protocolName).\(release).sbn",
                "dsp\(family).\(release).sbn", "jar\(family)\(protocolName).\(release).sbn"]
    }
}
