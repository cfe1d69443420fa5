import Testing
@testable import SOSDump

@Suite struct SPAVersionTests {
    func v(_ text: String) -> SPAVersion {
        guard let version = SPAVersion(text) else { fatalError("\(text) does not parse") }
        return version
    }

    @Test func theReleasesInTheVendorsOrder() {
        // domain.md's list, in order.
        let releases = ["7.4.4", "7.4.5", "7.4.6", "7.4.7", "7.4.8a", "7.4.9a", "7.4.9c", "7.5.1a", "7.5.2b", "7.5.3",
                        "7.5.4", "7.5.5", "7.5.5b", "7.5.6_XU", "7.5.6a", "7.5.7", "7.5.7s", "7.6.0", "7.6.1", "7.6.2",
                        "7.6.2SR1", "7.6.2SR2", "7.6.2SR3", "7.6.2SR4", "7.6.2SR5", "7.6.2SR6", "7.6.2SR7"]
        let parsed = releases.map(v)
        #expect(parsed.map(\.description) == releases)
        for (a, b) in zip(parsed, parsed.dropFirst()) {
            #expect(a < b, "\(a) < \(b)")
            #expect(!(b < a) && a != b)
        }
        #expect(parsed.shuffled().sorted() == parsed)
    }

    @Test func imageLettersAreServiceReleases() {
        #expect(v("7.6.2g") == v("7.6.2SR7"))
        #expect(v("7.6.2f") == v("7.6.2SR6"))
        #expect(v("7.6.2g").hashValue == v("7.6.2SR7").hashValue)
        #expect(v("7.6.2f") < v("7.6.2SR7"))
        #expect(v("7.6.2SR6") < v("7.6.2g"))
        #expect(v("7.6.2g").build == 7 && v("7.6.2SR7").build == 7 && v("7.6.2").build == 0)
        // Both: the letter, then the SRn.
        #expect(v("7.6.2b") < v("7.6.2bSR1") && v("7.6.2bSR1") < v("7.6.2c"))
    }

    @Test func spellings() {
        #expect(v("7.6.2.SR1") == v("7.6.2SR1"))
        #expect(v("7-6-2g") == v("7.6.2g"))
        #expect(v("7.6.2sr3").serviceRelease == 3)
        #expect(v("7.4.4rec").tag == "rec" && v("7.4.4rec") > v("7.4.4"))
        #expect(v("7.5.6_XU").tag == "_XU" && v("7.5.6_XU").letter == nil)
        #expect(v("7.5.7s").tag == "s" && v("7.5.7s").letter == nil)
        #expect(v("7.6") == v("7.6.0") && v("7.6.0.0") == v("7.6"))
        #expect(v(" 7.6.2g ").description == "7.6.2g")
        #expect(v("10.0.1") > v("9.9.9"))
    }

    @Test func notVersions() {
        for text in ["", "7", "abc", "7.6.2 g", "7.6.2-", "7.6.2SR", "7.6.2g!", "7..6", "SPA504G", "7.6.2SRx"] {
            #expect(SPAVersion(text) == nil, "\(text)")
        }
    }

    @Test func versionsInFileNames() {
        #expect(SPAVersion.inFileName("spa50x-30x-7-6-2g.bin")?.description == "7.6.2g")
        #expect(SPAVersion.inFileName("SPA30x_SPA50x_7.6.2SR7_FW.zip")?.description == "7.6.2SR7")
        #expect(SPAVersion.inFileName("SPA30x_SPA50x_7.6.2.SR1_FW.zip")?.description == "7.6.2SR1")
        #expect(SPAVersion.inFileName("SPA30x_SPA50x_7-5-2b_FW.zip")?.description == "7.5.2b")
        #expect(SPAVersion.inFileName("SPA30x_SPA50x_7.5.6_XU_FW.zip")?.description == "7.5.6_XU")
        #expect(SPAVersion.inFileName("/tmp/dl/spa50x-30x-7-4-8a.zip")?.description == "7.4.8a")
        #expect(SPAVersion.inFileName("spa50x-30x-7-6-2g-recovery.exe")?.description == "7.6.2g")
        #expect(SPAVersion.inFileName("firmware.bin") == nil)
    }
}
