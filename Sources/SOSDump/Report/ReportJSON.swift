import Foundation

/// The one JSON style of every report: snake_case keys, sorted, slashes
/// left alone; one line unless `pretty`. `JSONWriter` writes the pretty
/// form by hand for `TransferRecord`, byte for byte the same.
enum ReportJSON {
    static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// `value` as JSON text. The report models hold strings, numbers and
    /// booleans only, so encoding cannot fail; `{}` stands for the impossible.
    static func text(_ value: some Encodable, pretty: Bool = false) -> String {
        guard let data = try? encoder(pretty: pretty).encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
