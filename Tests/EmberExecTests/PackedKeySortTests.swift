import XCTest

@testable import EmberExec

/// The radix-bucketed sort of packed keys gives exactly `sort()`'s order: keys that vary
/// only in their low bits, only in the second word, with many duplicates (the row index
/// decides), all equal, and below the radix threshold.
final class PackedKeySortTests: XCTestCase {
    func testMatchesComparisonSort() {
        var state: UInt64 = 0x1234_5678
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        let n = 20_000
        let cases: [(String, (Int) -> (UInt64, UInt64))] = [
            ("random", { _ in (next(), next()) }),
            ("few distinct, low bits", { _ in (next() % 37, 0) }),
            ("second word only", { _ in (42, next() % 5000) }),
            ("duplicates over both words", { _ in (next() % 3 << 60, next() % 4) }),
            ("all equal", { _ in (7, 9) }),
            ("high bits only", { _ in ((next() % 8) << 61, 0) }),
        ]
        for (name, make) in cases {
            for count in [n, PackedKeySort.radixMinimum - 1, 1, 0] {
                var keys: [PackedKey2] = (0..<count).map { i in
                    var k = PackedKey2(idx: UInt32(i))
                    let (a, b) = make(i)
                    k.or(0, a)
                    k.or(1, b)
                    return k
                }
                var want = keys
                want.sort()
                PackedKeySort.sort(&keys)
                XCTAssertEqual(keys.map(\.idx), want.map(\.idx), "\(name), \(count) keys")
            }
            var three: [PackedKey3] = (0..<n).map { i in
                var k = PackedKey3(idx: UInt32(i))
                let (a, b) = make(i)
                k.or(0, a % 3)
                k.or(1, b)
                k.or(2, next() % 100)
                return k
            }
            var want3 = three
            want3.sort()
            PackedKeySort.sort(&three)
            XCTAssertEqual(three.map(\.idx), want3.map(\.idx), "\(name), three words")
        }
    }
}
