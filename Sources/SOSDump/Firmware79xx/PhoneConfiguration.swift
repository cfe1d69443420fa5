import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A 79xx phone's configuration file, as the phone fetches it by TFTP:
/// `SEP<MAC>.cnf.xml` (its own) or `XMLDefault.cnf.xml` (any phone's),
/// read with Foundation's XML parser (libxml2 on Linux) rather than by
/// hand. What sosdump needs from it:
///
/// ```
///  <device>                                          SEP<MAC>.cnf.xml
///    <deviceProtocol>SCCP</deviceProtocol>
///    <devicePool><callManagerGroup><members>
///      <member priority="0"><callManager>
///        <ports><ethernetPhonePort>2000</ethernetPhonePort><sipPort>5060</sipPort></ports>
///        <processNodeName>10.0.0.1</processNodeName>
///      </callManager></member>
///    </members></callManagerGroup></devicePool>
///    <loadInformation>SCCP45.9-4-2SR3-1S</loadInformation>
///  </device>
///
///  <Default>                                         XMLDefault.cnf.xml
///    <callManagerGroup>...same members...</callManagerGroup>
///    <loadInformation435 model="Cisco 7945">SCCP45.9-4-2SR3-1S</loadInformation435>
///    <loadInformation436 model="Cisco 7965">SCCP45.9-4-2SR3-1S</loadInformation436>
///  </Default>
/// ```
///
/// The number after `loadInformation` is the device type the phone sends
/// in its SCCP Register (435 = 7945). Element names are matched as
/// written; the phones' parser is case-sensitive too.
public struct PhoneConfiguration: Sendable, Equatable {
    /// `<device>` (a phone's own) or `<Default>`; other roots are kept by name.
    public var root: String
    /// `<loadInformation>`: the load a phone's own file names.
    public var load: String?
    /// `<loadInformationNNN model="…">`: the load per device type.
    public var loadsByDeviceType: [DeviceTypeLoad]
    /// `<deviceProtocol>`: SCCP or SIP.
    public var deviceProtocol: String?
    /// The call managers, in member order.
    public var callManagers: [CallManager]

    public struct DeviceTypeLoad: Sendable, Equatable {
        public var deviceType: Int
        /// The `model` attribute (`Cisco 7945`).
        public var model: String?
        public var load: String
    }

    public struct CallManager: Sendable, Equatable {
        public var priority: Int?
        /// `<processNodeName>`: a name or a dotted address.
        public var processNodeName: String?
        /// `<ethernetPhonePort>`: SCCP's port (2000).
        public var sccpPort: Int?
        public var sipPort: Int?
        public var securedSipPort: Int?
    }

    /// The load a phone of `deviceType` is given: its own file's
    /// `<loadInformation>`, else the default's entry for its type.
    public func load(forDeviceType deviceType: Int?) -> String? {
        if let load, !load.isEmpty { return load }
        guard let deviceType else { return nil }
        return loadsByDeviceType.first { $0.deviceType == deviceType }?.load
    }

    /// Parses the XML; throws ``PhoneConfigurationError`` with the parser's
    /// line and column when it is not well-formed.
    public static func parse(_ bytes: [UInt8]) throws(PhoneConfigurationError) -> PhoneConfiguration {
        let reader = ConfigurationReader()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse(), let root = reader.root else {
            let code = parser.parserError.map { ($0 as NSError).code }
            throw PhoneConfigurationError(line: parser.lineNumber, column: parser.columnNumber, reason: Self.reason(code))
        }
        // swift-corelibs-foundation's parser accepts a document that ends
        // inside an element; the phone's does not.
        guard reader.depth == 0 else {
            throw PhoneConfigurationError(line: parser.lineNumber, column: parser.columnNumber, reason: Self.reason(77))
        }
        return PhoneConfiguration(root: root, load: reader.load, loadsByDeviceType: reader.loads,
                                  deviceProtocol: reader.deviceProtocol, callManagers: reader.managers)
    }
}

extension PhoneConfiguration {
    /// The parser's error in words, from libxml2's error codes (which
    /// swift-corelibs-foundation passes on as they are).
    static func reason(_ code: Int?) -> String {
        switch code {
        case nil: "no root element"
        case 3?: "the file does not begin with an element"
        case 4?: "the file is empty"
        case 5?: "content after the root element"
        case 73?: "a tag is not closed with >"
        case 76?: "an end tag does not match its start tag"
        case 77?: "the file ends inside an element"
        case let c?: "libxml2 error \(c)"
        }
    }
}

/// Why a configuration did not parse: where the XML breaks.
public struct PhoneConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String
    public var description: String { "not well-formed XML at line \(line), column \(column): \(reason)" }
}

/// The parser's delegate: collects the few elements sosdump reads.
/// Speed is no concern (a configuration is a few kilobytes, once per boot).
private final class ConfigurationReader: NSObject, XMLParserDelegate {
    var root: String?
    var load: String?
    var loads: [PhoneConfiguration.DeviceTypeLoad] = []
    var deviceProtocol: String?
    var managers: [PhoneConfiguration.CallManager] = []

    private var path: [String] = []
    /// Elements open now.
    var depth: Int { path.count }
    private var text = ""
    private var model: String?
    private var manager: PhoneConfiguration.CallManager?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if root == nil { root = name }
        path.append(name)
        text = ""
        switch name {
        case "member": manager = PhoneConfiguration.CallManager(priority: attributes["priority"].flatMap { Int($0) })
        case _ where name.hasPrefix("loadInformation"): model = attributes["model"]
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch name {
        case "loadInformation": if load == nil { load = value }
        case "deviceProtocol": if path.count == 2 { deviceProtocol = value }
        case "processNodeName": manager?.processNodeName = value
        case "ethernetPhonePort": manager?.sccpPort = Int(value)
        case "sipPort": manager?.sipPort = Int(value)
        case "securedSipPort": manager?.securedSipPort = Int(value)
        case "member":
            if let m = manager, path.contains("callManagerGroup") { managers.append(m) }
            manager = nil
        default:
            if name.hasPrefix("loadInformation"), let type = Int(name.dropFirst("loadInformation".count)) {
                loads.append(.init(deviceType: type, model: model, load: value))
            }
        }
        path.removeLast()
        text = ""
    }
}

// MARK: - Encoder

extension PhoneConfiguration {
    /// The XML of this configuration, shaped as the vendor's files are:
    /// `<device>` for a phone's own file, `<Default>` for XMLDefault.
    public func xml() -> String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var members = ""
        for m in callManagers {
            members += "<member priority=\"\(m.priority ?? 0)\"><callManager><ports>"
            if let p = m.sccpPort { members += "<ethernetPhonePort>\(p)</ethernetPhonePort>" }
            if let p = m.sipPort { members += "<sipPort>\(p)</sipPort>" }
            if let p = m.securedSipPort { members += "<securedSipPort>\(p)</securedSipPort>" }
            members += "</ports>"
            if let n = m.processNodeName { members += "<processNodeName>\(escape(n))</processNodeName>" }
            members += "</callManager></member>"
        }
        let group = "<callManagerGroup><members>\(members)</members></callManagerGroup>"
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(root)>\n"
        if let p = deviceProtocol { out += "<deviceProtocol>\(escape(p))</deviceProtocol>\n" }
        out += root == "device" ? "<devicePool>\(group)</devicePool>\n" : "\(group)\n"
        if let load { out += "<loadInformation>\(escape(load))</loadInformation>\n" }
        for l in loadsByDeviceType {
            out += "<loadInformation\(l.deviceType)" + (l.model.map { " model=\"\(escape($0))\"" } ?? "") + ">\(escape(l.load))</loadInformation\(l.deviceType)>\n"
        }
        return out + "</\(root)>\n"
    }
}
