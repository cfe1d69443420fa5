import Testing
@testable import SOSDump

@Suite struct MACIndexTests {
    /// The filter in front never hides an address that was inserted, and
    /// an address never inserted is not found, with the filter full or not.
    @Test func findsEveryAddressInsertedAndNoOther() {
        var index = MACIndex()
        #expect(index[MACAddress(rawValue: 0x0002_FD5A_0001)] == nil)
        let macs = (0..<10_000).map { MACAddress(rawValue: 0x0002_FD00_0000 &+ UInt64($0) &* 0x1_0001) }
        for (i, mac) in macs.enumerated() { index.insert(mac, i) }
        #expect(index.count == macs.count)
        for (i, mac) in macs.enumerated() { #expect(index[mac] == i) }
        let others = (0..<1000).map { MACAddress(rawValue: 0x00AA_0000_0000 + UInt64($0)) }
        #expect(others.allSatisfy { index[$0] == nil })
        index.insert(macs[0], 42)
        #expect(index[macs[0]] == 42)
    }
}
