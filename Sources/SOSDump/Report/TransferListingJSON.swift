import Foundation

/// The JSON document `sosdump transfers --format json` prints.
public struct TransferListingJSON: Codable, Equatable, Sendable {
    public var capture: String
    public var transfers: [TransferRecord]
    /// Where reading stopped at damage, if it did.
    public var damage: String?

    public init(capture: String, transfers: [TransferRecord], damage: String?) {
        self.capture = capture
        self.transfers = transfers
        self.damage = damage
    }

    public func encoded() -> String { ReportJSON.text(self, pretty: true) }

    public static func decode(_ text: String) throws -> TransferListingJSON {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(TransferListingJSON.self, from: Data(text.utf8))
    }
}
