// SHIM: replaced by bootdecode's parsers on merge (not committed).
import Foundation

public enum BootFiles {
    public static func configuredLoad(_ bytes: [UInt8], file: String, deviceType: UInt32?) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let tag = deviceType.map { "<loadInformation\($0)" }
        for opening in [tag, "<loadInformation>"].compactMap({ $0 }) {
            guard let r = text.range(of: opening), let gt = text[r.upperBound...].firstIndex(of: ">") else { continue }
            let rest = text[text.index(after: gt)...]
            guard let lt = rest.firstIndex(of: "<") else { continue }
            let load = rest[..<lt].trimmingCharacters(in: .whitespaces)
            if !load.isEmpty { return load }
        }
        return nil
    }

    public static func loadParts(_ bytes: [UInt8]) -> [String]? {
        guard bytes.count > 10, bytes[5] == 2 else { return nil }
        let headerLength = Int(bytes[8]) << 8 | Int(bytes[9])
        guard headerLength <= bytes.count else { return nil }
        let text = String(decoding: bytes[headerLength...], as: UTF8.self)
        return text.split(whereSeparator: { $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.contains("=") }
    }

    static func numbers(_ load: String) -> [Int]? {
        guard let dot = load.firstIndex(of: ".") else { return nil }
        let rel = load[load.index(after: dot)...]
        let parts = rel.split(separator: "-").prefix(3)
        guard parts.count == 3 else { return nil }
        let nums = parts.map { Int($0.prefix { $0.isNumber }) ?? 0 }
        return nums
    }

    public static func stepBetween(running: String, target: String) -> String? {
        guard let r = numbers(running), let t = numbers(target) else { return nil }
        if r.lexicographicallyPrecedes([8, 3, 3]), [8, 5, 2].lexicographicallyPrecedes(t) { return "8.5(2)" }
        return nil
    }

    public static func release(of load: String) -> String? {
        guard let n = numbers(load) else { return nil }
        return "\(n[0]).\(n[1])(\(n[2]))"
    }
}
