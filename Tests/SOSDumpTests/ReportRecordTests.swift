import Foundation
import Testing
@testable import SOSDump

/// The records' encoding: a missing value is written as `null` and read
/// back as nil, as docs/analysis-json.md promises.
@Suite struct ReportRecordTests {
    struct Sample: Codable, Equatable {
        @Nullable var name: String?
        @Nullable var size: Int?
        var count: Int
    }

    @Test func aMissingValueIsWrittenAsNull() throws {
        #expect(ReportJSON.text(Sample(name: nil, size: 7, count: 1)) == #"{"count":1,"name":null,"size":7}"#)
        #expect(ReportJSON.text(Sample(name: "a", size: nil, count: 2)) == #"{"count":2,"name":"a","size":null}"#)
    }

    @Test func nullAndAbsentReadBackAsNil() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode(Sample.self, from: Data(#"{"count":1,"name":null,"size":7}"#.utf8)) == Sample(name: nil, size: 7, count: 1))
        #expect(try decoder.decode(Sample.self, from: Data(#"{"count":1}"#.utf8)) == Sample(name: nil, size: nil, count: 1))
        #expect(throws: DecodingError.self) { try decoder.decode(Sample.self, from: Data(#"{"count":1,"name":3}"#.utf8)) }
    }

    /// A live event's phone and the analysis's phone share their findings' record.
    @Test func aPhoneRecordRoundTrips() throws {
        var s = SOSScene()
        s.exchange()
        s.normalFirmware(SOSScene.phone1, after: 30)
        let report = AnalysisReport(file: "x.pcap", analysis: s.analyze())
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let back = try decoder.decode(AnalysisReport.self, from: Data(report.json.utf8))
        // The same JSON again: every key read back, none lost (the text form's times are not encoded).
        #expect(back.json == report.json && back.verdict == "RECOVERED")
        #expect(back.phones.first?.family == "sos")
        // The text renderer needs nothing but the records: the report read back renders the same.
        #expect(AnalysisText().lines(back) == AnalysisText().lines(report))
        #expect(AnalysisHTML().document([back]) == AnalysisHTML().document([report]))
        #expect(AnalysisText().lines(report).contains { $0.contains("UTC (") })
    }
}
