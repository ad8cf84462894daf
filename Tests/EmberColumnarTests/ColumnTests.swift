import EmberColumnar
import EmberCore
import XCTest

final class ColumnTests: XCTestCase {
    func testBuilderAndValues() throws {
        let c = try Column.from([.long(1), .null, .long(3)], type: .long)
        XCTAssertEqual(c.count, 3)
        XCTAssertEqual(c.nullCount, 1)
        XCTAssertEqual(c.value(at: 0), .long(1))
        XCTAssertEqual(c.value(at: 1), .null)
        XCTAssertEqual(c.int64s, [1, 0, 3])
        let s = try Column.from([.string("a"), .string(""), .null, .string("héllo")], type: .string)
        guard case .bytes(let offsets, let data) = s.storage else { return XCTFail("not bytes") }
        XCTAssertEqual(offsets, [0, 1, 1, 1, 7])  // Arrow offsets: count + 1 entries
        XCTAssertEqual(data.count, 7)
        XCTAssertEqual(s.value(at: 3), .string("héllo"))
        XCTAssertThrowsError(try Column.from([.string("x")], type: .int))
    }

    func testTakeSliceConcat() throws {
        let s = try Column.from([.string("a"), .string("bb"), .null, .string("ccc")], type: .string)
        let t = s.take([3, -1, 0, 2])
        XCTAssertEqual((0..<4).map { t.value(at: $0) }, [.string("ccc"), .null, .string("a"), .null])
        XCTAssertEqual(s.slice(1..<3).value(at: 0), .string("bb"))
        let c = Column.concat([s, t], type: .string)
        XCTAssertEqual(c.count, 8)
        XCTAssertEqual(c.value(at: 4), .string("ccc"))
        XCTAssertEqual(c.value(at: 6), .string("a"))
        XCTAssertEqual(c.nullCount, 3)
        let nested = try Column.from([.array([.int(1), .int(2)]), .null, .array([])], type: .array(element: .int, containsNull: true))
        XCTAssertEqual(nested.take([2, 0]).value(at: 1), .array([.int(1), .int(2)]))
    }

    func testOrderedKeysSortLikeSpark() throws {
        let c = try Column.from([.double(2), .null, .double(-1), .double(.nan), .double(-0.0)], type: .double)
        let asc = RowKeys.ordered([c], count: 5, directions: [SortDirection(ascending: true, nullsFirst: true)])
        let order = (0..<5).sorted { asc.key($0).lexicographicallyPrecedes(asc.key($1)) }
        // NULLS FIRST, then -1, -0.0 (= 0), 2, NaN (largest, as Spark).
        XCTAssertEqual(order, [1, 2, 4, 0, 3])
        let desc = RowKeys.ordered([c], count: 5, directions: [SortDirection(ascending: false, nullsFirst: false)])
        let dorder = (0..<5).sorted { desc.key($0).lexicographicallyPrecedes(desc.key($1)) }
        XCTAssertEqual(dorder, [3, 0, 4, 2, 1])
        let s = try Column.from([.string("b"), .string("ab"), .string("a"), .string("")], type: .string)
        let sk = RowKeys.ordered([s], count: 4, directions: [SortDirection(ascending: true, nullsFirst: true)])
        XCTAssertEqual((0..<4).sorted { sk.key($0).lexicographicallyPrecedes(sk.key($1)) }, [3, 2, 1, 0])
    }

    func testEqualityKeysRoundTrip() throws {
        let a = try Column.from([.int(1), .null, .int(1)], type: .int)
        let b = try Column.from([.string("x"), .string("y"), .string("x")], type: .string)
        let k = RowKeys.equality([a, b], count: 3)
        XCTAssertEqual(k.key(0), k.key(2))
        XCTAssertNotEqual(k.key(0), k.key(1))
        let h = k.hashes()
        XCTAssertEqual(h[0], h[2])
        let back = RowKeys.decode([k.key(0), k.key(1)], types: [.int, .string])
        XCTAssertEqual(back[0].value(at: 1), .null)
        XCTAssertEqual(back[1].value(at: 0), .string("x"))
    }
}
