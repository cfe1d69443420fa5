import SOSDump

// Writes the files a Cisco 79xx phone fetches by TFTP, in their formats,
// for the tests and the simulator (sosdump-sim files): no vendor file is
// ever committed. The formats, as public files show them:
//
// - `.loads`, `.sbn`, `.sgn`: a signed header of tag-length-value fields
//   (tag 1 byte, length 2 bytes big-endian): tag 1 header version, tag 2
//   the header's total length (the content starts there), tag 4 the
//   signer's name, tag 14 the file's own name (NUL-terminated), tag 12 the
//   signature; then the content. A `.loads` content is text: `#` comments
//   (one names the release), a `#HARDWARE_COMP_1` line, one part name a line.
// - `SEP<MAC>.cnf.xml`: `<device>` with `<loadInformation>LOAD</loadInformation>`
//   and the call managers; `XMLDefault.cnf.xml`: `<Default>` with one
//   `<loadInformationNNN model="Cisco 7945">LOAD</loadInformationNNN>` per device type.

public enum BootFileBuilder {
    /// The signed header and `content` after it. The signature is filler
    /// bytes (nothing checks it: sosdump reads, never verifies).
    public static func signed(name: String, content: [UInt8], signer: String = "CN=cmterm-sosdump-test") -> [UInt8] {
        func field(_ tag: UInt8, _ value: [UInt8]) -> [UInt8] { [tag, UInt8(value.count >> 8), UInt8(value.count & 0xFF)] + value }
        let signature = [UInt8](repeating: 0x5A, count: 128)
        let rest = field(4, Array(signer.utf8)) + field(14, Array(name.utf8) + [0]) + field(12, signature)
        // Tag 1 (version 1.0) and tag 2 (the total length, 2 bytes) come first; the total includes them.
        let headerLength = 3 + 2 + 3 + 2 + rest.count
        let header = field(1, [1, 0]) + field(2, [UInt8(headerLength >> 8), UInt8(headerLength & 0xFF)]) + rest
        return header + content
    }

    /// A `.loads` file: the signed header, then the text listing `parts`.
    /// `crlf` ends lines as Windows-made files do; `trailingSpaces` pads
    /// part names as some real files have them.
    public static func loads(name: String, release: String, parts: [String], crlf: Bool = true, trailingSpaces: Bool = false) -> [UInt8] {
        let end = crlf ? "\r\n" : "\n"
        var text = "# Cisco IP Phone load\(end)# RELEASE load version \(release)\(end)#HARDWARE_COMP_1 15\(end)"
        for p in parts { text += p + (trailingSpaces ? "  " : "") + end }
        return signed(name: name, content: Array(text.utf8))
    }

    /// A load part: the signed header and `size` bytes of content.
    public static func part(name: String, size: Int) -> [UInt8] {
        var content: [UInt8] = []
        content.reserveCapacity(size)
        var n = 0
        while content.count < size {
            content += Array("\(name) block \(n) of the test load; ".utf8)
            n += 1
        }
        return signed(name: name, content: Array(content.prefix(size)))
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
