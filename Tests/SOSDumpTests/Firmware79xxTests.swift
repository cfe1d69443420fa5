import Testing
@testable import SOSDump

/// The files a 79xx phone fetches, built here in their formats (never the
/// vendor's files): load ids and their order, the upgrade path, signed
/// headers whole and broken, `.loads` bodies, and configuration XML.
@Suite struct Firmware79xxTests {
    // MARK: Load ids

    @Test func loadIDsAreRead() throws {
        let a = try #require(PhoneLoadID("SCCP45.9-4-2SR3-1S"))
        #expect(a.kind == .versioned(protocol: .sccp, family: "45", release: LoadRelease(major: 9, minor: 4, maintenance: 2, serviceRelease: 3), build: "1S"))
        #expect(a.release?.description == "9.4(2)SR3" && a.phoneProtocol == .sccp)
        let b = try #require(PhoneLoadID("SCCP45.8-3-3S.loads"))
        #expect(b.name == "SCCP45.8-3-3S" && b.kind == .versioned(protocol: .sccp, family: "45", release: LoadRelease(major: 8, minor: 3, maintenance: 3), build: "S"))
        #expect(PhoneLoadID("SIP41.8-5-2S")?.kind == .versioned(protocol: .sip, family: "41", release: LoadRelease(major: 8, minor: 5, maintenance: 2), build: "S"))
        #expect(PhoneLoadID("SCCP70.9-4-2-1S")?.release == LoadRelease(major: 9, minor: 4, maintenance: 2))
        #expect(PhoneLoadID("term45.default.loads")?.kind == .termDefault(model: "45"))
        #expect(PhoneLoadID("term65.default")?.release == nil)
        #expect(PhoneLoadID("P00308010200")?.kind == .legacy(protocol: .sccp, release: LoadRelease(major: 8, minor: 1, maintenance: 2)))
        #expect(PhoneLoadID("P0S3-08-12-00.loads")?.kind == .legacy(protocol: .sip, release: LoadRelease(major: 8, minor: 12, maintenance: 0)))
        for bad in ["", ".loads", "SCCP.9-4-2", "SCCP45", "SCCP45.9-4", "SCCP45.x-4-2", "SCCP45.9-4-2SRx", "termAB.default", "P003", "P0X3-08-01-00",
                    "XMLDefault.cnf.xml", "jar45sccp.9-4-2ES26.sbn"] {
            #expect(PhoneLoadID(bad) == nil, "\(bad)")
        }
    }

    @Test func releasesAreOrdered() throws {
        let order = ["8.3(2)", "8.3(3)", "8.5(2)", "8.5(2)SR1", "8.5(2)SR2", "9.3(1)", "9.4(2)", "9.4(2)SR3", "9.4(2)SR4"].map { LoadRelease($0)! }
        #expect(order == order.sorted() && Set(order).count == order.count)
        #expect(LoadRelease("9.4.2") == LoadRelease(major: 9, minor: 4, maintenance: 2))
        #expect(LoadRelease("9-4-2SR3") == LoadRelease(major: 9, minor: 4, maintenance: 2, serviceRelease: 3))
        #expect(LoadRelease("9.4") == nil && LoadRelease("9.4(2)SRx") == nil)
        // The build suffix does not change the release.
        #expect(PhoneLoadID("SCCP45.9-4-2SR3-1S")?.release == PhoneLoadID("SCCP45.9-4-2SR3-3S")?.release)
    }

    @Test func theUpgradePath() throws {
        func step(_ a: String, _ b: String) -> UpgradeStep? { UpgradeStep.needed(from: PhoneLoadID(a)!, to: PhoneLoadID(b)!) }
        // Seed 004: 8.3(3) may go on; 8.3(2) may not jump past 8.5(2).
        #expect(step("SCCP45.8-3-3S", "SCCP45.9-4-2SR3-1S") == nil)
        let needed = try #require(step("SCCP45.8-3-2S", "SCCP45.9-4-2SR3-1S"))
        #expect(needed.rule == .signingKeyChange && needed.running.description == "8.3(2)" && needed.target.description == "9.4(2)SR3")
        #expect(needed.through.lowerBound.description == "8.3(3)" && needed.through.upperBound.description == "8.5(2)")
        #expect(step("SCCP45.8-3-2S", "SCCP45.8-5-2S") == nil)  // a step inside the range is the step itself
        #expect(step("SCCP45.8-2-1S", "SCCP45.8-5-2SR1-1S") != nil)
        // 7940/7960: 8.1(2) needs 8.1(1) first.
        #expect(step("P00307020300", "P00308010200")?.rule == .legacyFileAuthentication)
        #expect(step("P00308010100", "P00308010200") == nil)
        // Unknown releases say nothing.
        #expect(step("term45.default", "SCCP45.9-4-2SR3-1S") == nil)
    }

    // MARK: Signed headers

    @Test func aSignedHeaderIsRead() throws {
        let header = SignedFileHeader.encode(fileName: "apps45.9-4-2ES26.sbn", extra: [(3, [0, 0x10]), (15, [0, 0, 0, 1])])
        let file = header + Array(repeating: 0xA5, count: 100)
        let f = file.withUnsafeBytes { PhoneFile.read(ByteView($0), fetchedName: "apps45.9-4-2ES26.sbn") }
        #expect(f.kind == .loadPart && !f.isMalformed && f.contentOffset == header.count && f.length == file.count)
        let h = try #require(f.header)
        #expect(h.fileName == "apps45.9-4-2ES26.sbn" && h.signerName == "CN=cmterm-sim;OU=sosdump" && h.version == [1, 0])
        #expect(h.headerLength == header.count && h.isWellFormed)
        #expect(h.fields.map(\.tag) == [1, 2, 4, 3, 15, 12, 14])
        #expect(h.fields.first { $0.tag == 12 }?.value.count == 128)
    }

    @Test func kindsByEmbeddedNameThenFetchedName() {
        func read(_ bytes: [UInt8], _ name: String) -> PhoneFile { bytes.withUnsafeBytes { PhoneFile.read(ByteView($0), fetchedName: name) } }
        #expect(read(SignedFileHeader.encode(fileName: "ITLFile.tlv") + [1, 2], "ITLFile.tlv").kind == .trustList)
        #expect(read(SignedFileHeader.encode(fileName: "SEP001122334455.cnf.xml.sgn") + Array("<device/>".utf8), "SEP001122334455.cnf.xml.sgn").kind == .signedConfiguration)
        #expect(read(Array("<device/>".utf8), "SEP001122334455.cnf.xml").kind == .configuration)
        // A case mismatch between the name fetched and the one inside.
        let renamed = read(SignedFileHeader.encode(fileName: "apps45.sbn"), "/Apps45.sbn")
        #expect(renamed.problems == [.nameMismatch(embedded: "apps45.sbn", fetched: "Apps45.sbn")] && renamed.fetchedName == "Apps45.sbn")
        // Named as signed, but not: an HTML error page served in its place.
        #expect(read(Array("<html>not found</html>".utf8), "dsp45.sbn").problems == [.notSigned])
        #expect(read([], "ITLFile.tlv").problems.isEmpty)
    }

    @Test func everyCutOfASignedFileIsMalformedOrShort() {
        let file = SignedFileHeader.encode(fileName: "cnu45.sbn") + [1, 2, 3]
        let headerLength = file.count - 3
        for n in 0..<file.count {
            let cut = Array(file.prefix(n))
            let f = cut.withUnsafeBytes { PhoneFile.read(ByteView($0), fetchedName: "cnu45.sbn") }
            if n < 10 {
                #expect(f.header == nil && f.problems == [.notSigned], "cut at \(n)")
            } else if n < headerLength {
                #expect(f.header?.problems.first == .headerLengthBeyondFile(declared: headerLength, fileLength: n), "cut at \(n)")
                #expect(f.isMalformed, "cut at \(n)")
            } else {
                #expect(!f.isMalformed && f.header?.fileName == "cnu45.sbn", "cut at \(n)")
            }
        }
    }

    @Test func headersThatLie() throws {
        // Tag 2 shorter than the fields it holds.
        let short = SignedFileHeader.encode(fileName: "a.sbn", headerLength: 30)
        let h = try #require(short.withUnsafeBytes { SignedFileHeader.read(ByteView($0)) })
        #expect(h.problems.first == .fieldBeyondHeader(offset: 10, tag: 4) && !h.isWellFormed)
        let tiny = SignedFileHeader.encode(fileName: "a.sbn", headerLength: 4)
        #expect(tiny.withUnsafeBytes { SignedFileHeader.read(ByteView($0)) }?.problems.contains(.headerLengthTooSmall(declared: 4)) == true)
        // No name.
        var w = WireWriter()
        w.append([1, 0, 2, 1, 0, 2, 0, 2, 0, 10])
        #expect(w.bytes.withUnsafeBytes { SignedFileHeader.read(ByteView($0)) }?.problems == [.noFileName])
    }

    // MARK: .loads

    @Test func aLoadsFileWithCRLFAndTrailingSpaces() throws {
        let parts = ["jar45sccp.9-4-2ES26.sbn", "cnu45.9-4-2ES26.sbn", "apps45.9-4-2ES26.sbn", "dsp45.9-4-2ES26.sbn", "cvm45sccp.9-4-2ES26.sbn"]
        let bytes = LoadsFile.encode(fileName: "SCCP45.9-4-2SR3-1S.loads", release: "9-4-2SR3-1", parts: parts, trailingSpaces: true)
        let f = try #require(bytes.withUnsafeBytes { LoadsFile.read(ByteView($0)) })
        #expect(f.header?.fileName == "SCCP45.9-4-2SR3-1S.loads")
        #expect(f.releaseComment == "9-4-2SR3-1" && f.parts == parts)
        #expect(f.hardwareCompatibility.map(\.index) == [1] && f.hardwareCompatibility.map(\.value) == ["15"])
        #expect(f.lineEndings.crlf == 7 && f.lineEndings.lf == 0 && f.linesWithTrailingSpaces == 5 && f.unreadableLines.isEmpty)
    }

    @Test func aLegacyLoadsFileWithoutHeaderAndWithLF() throws {
        let bytes = LoadsFile.encode(fileName: "P00308010200.loads", release: nil, hardware: [],
                                     parts: ["P00308010200.bin", "P00308010200.sb2"], settings: [("LA_VERSION", "3.0.1")], lineEnding: "\n", signed: false)
        let f = try #require(bytes.withUnsafeBytes { LoadsFile.read(ByteView($0)) })
        #expect(f.header == nil && f.parts == ["P00308010200.bin", "P00308010200.sb2"])
        #expect(f.settings.map(\.name) == ["LA_VERSION"] && f.settings.map(\.value) == ["3.0.1"])
        #expect(f.lineEndings.lf == 3 && f.lineEndings.crlf == 0)
        // The last line without an ending, and a line of binary.
        let odd = Array("a.sbn\r\n\u{1}\u{2}x\nlast.sbn".utf8)
        let g = try #require(odd.withUnsafeBytes { LoadsFile.read(ByteView($0)) })
        #expect(g.parts == ["a.sbn", "\u{1}\u{2}x", "last.sbn"] && g.unreadableLines == [2] && g.lineEndings.crlf == 1 && g.lineEndings.lf == 1)
    }

    @Test func aLoadsFileWithABrokenHeaderIsNotRead() {
        let bytes = SignedFileHeader.encode(fileName: "x.loads", headerLength: 500) + Array("a.sbn\r\n".utf8)
        #expect(bytes.withUnsafeBytes { LoadsFile.read(ByteView($0)) } == nil)
        // Every cut of a good one reads or says no, never crashes.
        let good = LoadsFile.encode(fileName: "SCCP45.9-4-2SR3-1S.loads", release: "9-4-2SR3-1", parts: ["a.sbn", "b.sbn"])
        let headerLength = SignedFileHeader.encode(fileName: "SCCP45.9-4-2SR3-1S.loads").count
        for n in 0...good.count {
            let f = Array(good.prefix(n)).withUnsafeBytes { LoadsFile.read(ByteView($0)) }
            // Under 10 bytes there is no header to see: text. Inside the header: not read.
            #expect((f != nil) == (n < 10 || n >= headerLength), "cut at \(n)")
        }
    }

    // MARK: Configuration XML

    static let sep = PhoneConfiguration(root: "device", load: "SCCP45.9-4-2SR3-1S", loadsByDeviceType: [], deviceProtocol: "SCCP",
                                        callManagers: [.init(priority: 0, processNodeName: "10.0.0.1", sccpPort: 2000, sipPort: 5060, securedSipPort: 5061),
                                                       .init(priority: 1, processNodeName: "cucm2.example", sccpPort: 2000)])
    static let defaults = PhoneConfiguration(root: "Default", load: nil,
                                             loadsByDeviceType: [.init(deviceType: 435, model: "Cisco 7945", load: "SCCP45.8-5-2S"),
                                                                 .init(deviceType: 436, model: "Cisco 7965", load: "SCCP45.9-4-2SR3-1S")],
                                             deviceProtocol: nil, callManagers: [.init(priority: 0, processNodeName: "10.0.0.1", sccpPort: 2000)])

    @Test func configurationsReadBack() throws {
        for config in [Self.sep, Self.defaults] {
            let parsed = try PhoneConfiguration.parse(Array(config.xml().utf8))
            #expect(parsed == config)
        }
        #expect(Self.defaults.load(forDeviceType: 435) == "SCCP45.8-5-2S" && Self.defaults.load(forDeviceType: 7) == nil)
        #expect(Self.sep.load(forDeviceType: 435) == "SCCP45.9-4-2SR3-1S" && Self.defaults.load(forDeviceType: nil) == nil)
    }

    @Test func aVendorShapedDefaultFile() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Default>
              <callManagerGroup>
                <members>
                  <member priority="0">
                    <callManager>
                      <ports>
                        <ethernetPhonePort>2000</ethernetPhonePort>
                        <mgcpPorts><listen>2427</listen><keepAlive>2428</keepAlive></mgcpPorts>
                      </ports>
                      <processNodeName></processNodeName>
                    </callManager>
                  </member>
                </members>
              </callManagerGroup>
              <loadInformation30018 model="IP Phone 7961">SCCP41.9-4-2SR3-1S</loadInformation30018>
              <loadInformation435 model="Cisco 7945">  SCCP45.9-4-2SR3-1S
              </loadInformation435>
              <authenticationURL></authenticationURL>
            </Default>
            """
        let c = try PhoneConfiguration.parse(Array(xml.utf8))
        #expect(c.root == "Default" && c.load == nil)
        #expect(c.load(forDeviceType: 435) == "SCCP45.9-4-2SR3-1S" && c.load(forDeviceType: 30018) == "SCCP41.9-4-2SR3-1S")
        #expect(c.loadsByDeviceType.map(\.model) == ["IP Phone 7961", "Cisco 7945"])
        #expect(c.callManagers == [.init(priority: 0, processNodeName: "", sccpPort: 2000)])
    }

    @Test func brokenXMLSaysWhere() {
        do {
            _ = try PhoneConfiguration.parse(Array("<device>\n<loadInformation>SCCP45</loadInfo>\n</device>".utf8))
            Issue.record("parsed")
        } catch {
            // libxml2 notices the mismatch at the end tag, and reports where it stopped reading.
            #expect(error.line >= 2 && error.reason == "an end tag does not match its start tag", "\(error)")
        }
        #expect(throws: PhoneConfigurationError.self) { try PhoneConfiguration.parse([]) }
        #expect(throws: PhoneConfigurationError.self) { try PhoneConfiguration.parse(Array("<Default><loadInformation435>".utf8)) }
    }
}
