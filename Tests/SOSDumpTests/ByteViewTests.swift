import Testing
@testable import SOSDump

@Suite struct ByteViewTests {
    @Test func readsBothByteOrders() {
        ByteView.with([0x12, 0x34, 0x56, 0x78, 0x9a]) { v in
            #expect(v.uint16(at: 0) == 0x1234)
            #expect(v.uint16(at: 0, .little) == 0x3412)
            #expect(v.uint32(at: 1) == 0x3456_789a)
            #expect(v.uint32(at: 1, .little) == 0x9a78_5634)
            #expect(v.uint32(at: 2) == nil)
            #expect(v.uint8(at: 5) == nil)
            #expect(v.uint8(at: -1) == nil)
        }
    }

    @Test func tellsTruncatedFromMalformed() {
        // 4 bytes captured of a 10-byte region.
        ByteView.with([1, 2, 3, 4], wireCount: 10) { v in
            #expect(v.isTruncated)
            #expect(v.shortfall(4) == nil)
            #expect(v.shortfall(8) == .truncated)
            #expect(v.shortfall(11) == .malformed)
            let rest = v.dropFirst(2)!
            #expect(rest.count == 2 && rest.wireCount == 8)
            let declared = v.prefix(wireLength: 3)!
            #expect(declared.count == 3 && declared.wireCount == 3 && !declared.isTruncated)
            #expect(v.slice(at: 2, length: 3) == nil)
            #expect(Array(v.slice(at: 1, length: 2)!) == [2, 3])
        }
    }

    @Test func theCollectionReadsOnlyItsOwnBytes() {
        ByteView.with([1, 2, 3, 4, 5]) { v in
            let tail = v.dropFirst(2)!
            #expect(Array(tail) == [3, 4, 5])
            var seen: [UInt8] = []
            for b in tail { seen.append(b) }
            #expect(seen == [3, 4, 5])
            #expect(tail.withContiguousStorageIfAvailable { Array($0) } == [3, 4, 5])
            #expect(tail.firstIndex(of: 4) == 1 && tail[2] == 5)
            #expect(String(decoding: v.slice(at: 0, length: 0)!, as: UTF8.self).isEmpty)
        }
    }

    /// The subscript's precondition holds in release builds too, where
    /// `UnsafeRawBufferPointer` would read past the end unchecked.
    @Test func theSubscriptTrapsPastTheEnd() async {
        await #expect(processExitsWith: .failure) {
            ByteView.with([1, 2, 3]) { v in _ = v[3] }
        }
        await #expect(processExitsWith: .failure) {
            ByteView.with([1, 2, 3]) { v in _ = v[-1] }
        }
    }
}
