import EmberCore

// Arrow's logical types and fields (Schema.fbs), decoded from and encoded to
// FlatBuffers, and their mapping to Ember's Spark types.

/// `Type` union tags of Schema.fbs.
enum ArrowTypeTag {
    static let null: UInt8 = 1, int: UInt8 = 2, floatingPoint: UInt8 = 3, binary: UInt8 = 4, utf8: UInt8 = 5
    static let bool: UInt8 = 6, decimal: UInt8 = 7, date: UInt8 = 8, time: UInt8 = 9, timestamp: UInt8 = 10
    static let interval: UInt8 = 11, list: UInt8 = 12, structure: UInt8 = 13, union: UInt8 = 14
    static let fixedSizeBinary: UInt8 = 15, fixedSizeList: UInt8 = 16, map: UInt8 = 17, duration: UInt8 = 18
    static let largeBinary: UInt8 = 19, largeUtf8: UInt8 = 20, largeList: UInt8 = 21, runEndEncoded: UInt8 = 22
    static let binaryView: UInt8 = 23, utf8View: UInt8 = 24, listView: UInt8 = 25, largeListView: UInt8 = 26
}

/// Arrow's `TimeUnit`.
enum ArrowTimeUnit: Int16 {
    case second = 0, millisecond, microsecond, nanosecond

    var name: String { ["s", "ms", "us", "ns"][Int(rawValue)] }
}

/// An Arrow logical type: the ones Ember reads, and a description of the ones it does not.
indirect enum ArrowType: Equatable {
    case null
    case int(bitWidth: Int, signed: Bool)
    /// 16, 32 or 64 bits.
    case floatingPoint(bits: Int)
    case binary, utf8, largeBinary, largeUtf8, binaryView, utf8View
    case fixedSizeBinary(byteWidth: Int)
    case bool
    case decimal(precision: Int, scale: Int, bitWidth: Int)
    /// Date32 (days) when `days`, else Date64 (milliseconds).
    case date(days: Bool)
    case timestamp(ArrowTimeUnit, timezone: String?)
    case list, largeList
    case fixedSizeList(size: Int)
    case map(keysSorted: Bool)
    case structure
    /// A type Ember cannot read (Time, Interval, Duration, Union…), by name.
    case unsupported(String)

    var description: String {
        switch self {
        case .null: return "Null"
        case .int(let b, let s): return "\(s ? "Int" : "UInt")\(b)"
        case .floatingPoint(let b): return "Float\(b)"
        case .binary: return "Binary"
        case .utf8: return "Utf8"
        case .largeBinary: return "LargeBinary"
        case .largeUtf8: return "LargeUtf8"
        case .binaryView: return "BinaryView"
        case .utf8View: return "Utf8View"
        case .fixedSizeBinary(let w): return "FixedSizeBinary(\(w))"
        case .bool: return "Bool"
        case .decimal(let p, let s, let w): return "Decimal\(w)(\(p), \(s))"
        case .date(let d): return d ? "Date32" : "Date64"
        case .timestamp(let u, let tz): return "Timestamp(\(u.name)\(tz.map { ", \($0)" } ?? ""))"
        case .list: return "List"
        case .largeList: return "LargeList"
        case .fixedSizeList(let n): return "FixedSizeList(\(n))"
        case .map: return "Map"
        case .structure: return "Struct"
        case .unsupported(let s): return s
        }
    }
}

/// Dictionary encoding of a field: the values come from dictionary batches with `id`;
/// record batches carry integer indices of `indexType`.
struct ArrowDictionaryEncoding: Equatable {
    var id: Int64
    var indexBitWidth: Int
    var indexSigned: Bool
}

/// One Arrow field: name, nullability, type, children (nested types) and dictionary.
struct ArrowField: Equatable {
    var name: String
    var nullable: Bool
    var type: ArrowType
    var children: [ArrowField]
    var dictionary: ArrowDictionaryEncoding?

    /// Deepest nesting accepted on read (a hostile schema could nest without end).
    static let maxDepth = 64
    /// Most fields accepted in one schema, counting every nested child.
    static let maxFields = 100_000
}

// MARK: Decoding

extension ArrowField {
    /// Decodes a `Schema` table into its fields. `budget` bounds the total field count.
    static func decodeSchema(_ t: FlatTable) throws -> [ArrowField] {
        let endianness = try t.scalar(0, Int16(0))
        if endianness != 0 { throw t.reader.source.unsupported("Big-endian Arrow data is not supported") }
        guard let fields = try t.vector(1, elementSize: 4) else { return [] }
        var budget = maxFields
        return try (0..<fields.count).map { try decode(fields.table($0), depth: 0, budget: &budget) }
    }

    static func decode(_ t: FlatTable, depth: Int, budget: inout Int) throws -> ArrowField {
        let r = t.reader
        guard depth < maxDepth else { throw r.corrupt("schema nested deeper than \(maxDepth) levels", at: t.pos) }
        budget -= 1
        guard budget >= 0 else { throw r.corrupt("schema has more than \(maxFields) fields", at: t.pos) }
        let name = try t.string(0) ?? ""
        let nullable = try t.bool(1)
        let tag = try t.scalar(2, UInt8(0))
        let typeTable = try t.table(3)
        let type = try decodeType(tag, typeTable, r, at: t.pos)
        var dictionary: ArrowDictionaryEncoding? = nil
        if let d = try t.table(4) {
            let id = try d.scalar(0, Int64(0))
            var width = 32, signed = true
            if let it = try d.table(1) {
                width = Int(try it.scalar(0, Int32(0)))
                signed = try it.bool(1)
            }
            guard [8, 16, 32, 64].contains(width) else { throw r.corrupt("dictionary index width \(width)", at: d.pos) }
            dictionary = ArrowDictionaryEncoding(id: id, indexBitWidth: width, indexSigned: signed)
        }
        var children: [ArrowField] = []
        if let cs = try t.vector(5, elementSize: 4) {
            children.reserveCapacity(min(cs.count, budget + 1))
            for i in 0..<cs.count { children.append(try decode(cs.table(i), depth: depth + 1, budget: &budget)) }
        }
        return ArrowField(name: name, nullable: nullable, type: type, children: children, dictionary: dictionary)
    }

    static func decodeType(_ tag: UInt8, _ t: FlatTable?, _ r: FlatBufferReader, at pos: Int) throws -> ArrowType {
        func unit(_ slot: Int, _ def: Int16) throws -> ArrowTimeUnit {
            let u = try t?.scalar(slot, def) ?? def
            guard let x = ArrowTimeUnit(rawValue: u) else { throw r.corrupt("time unit \(u)", at: t?.pos ?? pos) }
            return x
        }
        switch tag {
        case ArrowTypeTag.null: return .null
        case ArrowTypeTag.int:
            let w = Int(try t?.scalar(0, Int32(0)) ?? 0)
            guard [8, 16, 32, 64].contains(w) else { throw r.corrupt("integer bit width \(w)", at: t?.pos ?? pos) }
            return .int(bitWidth: w, signed: try t?.bool(1) ?? false)
        case ArrowTypeTag.floatingPoint:
            let p = try t?.scalar(0, Int16(0)) ?? 0
            guard (0...2).contains(p) else { throw r.corrupt("floating point precision \(p)", at: t?.pos ?? pos) }
            return .floatingPoint(bits: [16, 32, 64][Int(p)])
        case ArrowTypeTag.binary: return .binary
        case ArrowTypeTag.utf8: return .utf8
        case ArrowTypeTag.largeBinary: return .largeBinary
        case ArrowTypeTag.largeUtf8: return .largeUtf8
        case ArrowTypeTag.binaryView: return .binaryView
        case ArrowTypeTag.utf8View: return .utf8View
        case ArrowTypeTag.bool: return .bool
        case ArrowTypeTag.fixedSizeBinary:
            let w = Int(try t?.scalar(0, Int32(0)) ?? 0)
            guard w >= 0 else { throw r.corrupt("fixed size binary width \(w)", at: t?.pos ?? pos) }
            return .fixedSizeBinary(byteWidth: w)
        case ArrowTypeTag.decimal:
            let p = Int(try t?.scalar(0, Int32(0)) ?? 0)
            let s = Int(try t?.scalar(1, Int32(0)) ?? 0)
            let w = Int(try t?.scalar(2, Int32(128)) ?? 128)
            guard [32, 64, 128, 256].contains(w) else { throw r.corrupt("decimal bit width \(w)", at: t?.pos ?? pos) }
            return .decimal(precision: p, scale: s, bitWidth: w)
        case ArrowTypeTag.date:
            let u = try t?.scalar(0, Int16(1)) ?? 1
            guard u == 0 || u == 1 else { throw r.corrupt("date unit \(u)", at: t?.pos ?? pos) }
            return .date(days: u == 0)
        case ArrowTypeTag.timestamp:
            return .timestamp(try unit(0, 0), timezone: try t?.string(1))
        case ArrowTypeTag.time:
            let u = try unit(0, 1)
            let w = try t?.scalar(1, Int32(32)) ?? 32
            return .unsupported("Time\(w)(\(u.name))")
        case ArrowTypeTag.interval:
            let u = Int(try t?.scalar(0, Int16(0)) ?? 0)
            let names = ["YEAR_MONTH", "DAY_TIME", "MONTH_DAY_NANO"]
            return .unsupported("Interval(\(names.indices.contains(u) ? names[u] : String(u)))")
        case ArrowTypeTag.duration: return .unsupported("Duration(\(try unit(0, 1).name))")
        case ArrowTypeTag.list: return .list
        case ArrowTypeTag.largeList: return .largeList
        case ArrowTypeTag.fixedSizeList:
            let n = Int(try t?.scalar(0, Int32(0)) ?? 0)
            guard n >= 0 else { throw r.corrupt("fixed size list size \(n)", at: t?.pos ?? pos) }
            return .fixedSizeList(size: n)
        case ArrowTypeTag.map: return .map(keysSorted: try t?.bool(0) ?? false)
        case ArrowTypeTag.structure: return .structure
        case ArrowTypeTag.union: return .unsupported("Union")
        case ArrowTypeTag.runEndEncoded: return .unsupported("RunEndEncoded")
        case ArrowTypeTag.listView: return .unsupported("ListView")
        case ArrowTypeTag.largeListView: return .unsupported("LargeListView")
        default: return .unsupported("Arrow type tag \(tag)")
        }
    }
}

// MARK: Mapping to Ember types

extension ArrowField {
    /// The Ember type this field reads as; throws for types Ember cannot represent.
    func emberType(_ source: ArrowSource) throws -> DataType {
        func child(_ i: Int) throws -> ArrowField {
            guard i < children.count else {
                throw source.corrupt("\(type.description) field `\(name)` has \(children.count) children", at: nil)
            }
            return children[i]
        }
        switch type {
        case .null: return .null
        case .bool: return .boolean
        case .int(let w, let signed):
            switch (w, signed) {
            case (8, true): return .byte
            case (16, true), (8, false): return .short
            case (32, true), (16, false): return .int
            case (64, true), (32, false): return .long
            default: return .decimal(precision: 20, scale: 0)
            }
        case .floatingPoint(let b): return b == 64 ? .double : .float
        case .utf8, .largeUtf8, .utf8View: return .string
        case .binary, .largeBinary, .binaryView, .fixedSizeBinary: return .binary
        case .decimal(let p, let s, _):
            guard p >= 1, p <= DataType.maxDecimalPrecision, s >= 0, s <= p else {
                throw source.unsupported("Arrow \(type.description) of column `\(name)` does not fit Spark's DECIMAL (precision 1…38, scale 0…precision)")
            }
            return .decimal(precision: p, scale: s)
        case .date: return .date
        case .timestamp: return .timestamp
        case .list, .largeList, .fixedSizeList:
            let e = try child(0)
            return .array(element: try e.emberType(source), containsNull: e.nullable)
        case .map:
            let entries = try child(0)
            guard entries.children.count == 2 else {
                throw source.corrupt("map field `\(name)` entries have \(entries.children.count) children", at: nil)
            }
            let k = entries.children[0], v = entries.children[1]
            return .map(key: try k.emberType(source), value: try v.emberType(source), valueContainsNull: v.nullable)
        case .structure:
            return .structure(try children.map { StructField($0.name, try $0.emberType(source), nullable: $0.nullable) })
        case .unsupported(let what):
            throw source.unsupported("Arrow type \(what) of column `\(name)` is not supported")
        }
    }

    /// The Arrow field Ember writes for a Spark field.
    init(_ f: StructField) {
        self.init(name: f.name, type: f.dataType, nullable: f.nullable)
    }

    init(name: String, type t: DataType, nullable: Bool) {
        var children: [ArrowField] = []
        let type: ArrowType
        switch t {
        case .null: type = .null
        case .boolean: type = .bool
        case .byte: type = .int(bitWidth: 8, signed: true)
        case .short: type = .int(bitWidth: 16, signed: true)
        case .int: type = .int(bitWidth: 32, signed: true)
        case .long: type = .int(bitWidth: 64, signed: true)
        case .float: type = .floatingPoint(bits: 32)
        case .double: type = .floatingPoint(bits: 64)
        case .decimal(let p, let s): type = .decimal(precision: p, scale: s, bitWidth: 128)
        case .string: type = .utf8
        case .binary: type = .binary
        case .date: type = .date(days: true)
        case .timestamp: type = .timestamp(.microsecond, timezone: "UTC")
        case .array(let e, let cn):
            type = .list
            children = [ArrowField(name: "element", type: e, nullable: cn)]
        case .map(let k, let v, let vn):
            type = .map(keysSorted: false)
            let entries = ArrowField(
                name: "entries", nullable: false, type: .structure,
                children: [ArrowField(name: "key", type: k, nullable: false), ArrowField(name: "value", type: v, nullable: vn)],
                dictionary: nil)
            children = [entries]
        case .structure(let fs):
            type = .structure
            children = fs.map { ArrowField($0) }
        }
        self.init(name: name, nullable: nullable, type: type, children: children, dictionary: nil)
    }
}

// MARK: Encoding

extension ArrowField {
    /// Writes a `Schema` table of `fields`; returns its offset.
    static func encodeSchema(_ fields: [ArrowField], into b: inout FlatBufferBuilder) -> Int {
        let offsets = fields.map { $0.encode(into: &b) }
        let vec = b.createOffsetVector(offsets)
        b.startTable(fieldCount: 4)
        b.addOffsetField(1, vec)
        b.addField(0, Int16(0))  // little-endian
        return b.endTable()
    }

    func encode(into b: inout FlatBufferBuilder) -> Int {
        let childOffsets = children.map { $0.encode(into: &b) }
        let childVec = b.createOffsetVector(childOffsets)
        let nameOff = b.createString(name)
        let (tag, typeOff) = encodeType(into: &b)
        b.startTable(fieldCount: 7)
        b.addOffsetField(0, nameOff)
        b.addOffsetField(3, typeOff)
        b.addOffsetField(5, childVec)
        b.addField(1, bool: nullable)
        b.addField(2, tag)
        return b.endTable()
    }

    /// The `Type` union member: its tag and table.
    func encodeType(into b: inout FlatBufferBuilder) -> (UInt8, Int) {
        switch type {
        case .null: return (ArrowTypeTag.null, emptyTable(&b))
        case .bool: return (ArrowTypeTag.bool, emptyTable(&b))
        case .utf8: return (ArrowTypeTag.utf8, emptyTable(&b))
        case .binary: return (ArrowTypeTag.binary, emptyTable(&b))
        case .list: return (ArrowTypeTag.list, emptyTable(&b))
        case .structure: return (ArrowTypeTag.structure, emptyTable(&b))
        case .int(let w, let s):
            b.startTable(fieldCount: 2)
            b.addField(0, Int32(w))
            b.addField(1, bool: s)
            return (ArrowTypeTag.int, b.endTable())
        case .floatingPoint(let bits):
            b.startTable(fieldCount: 1)
            b.addField(0, Int16(bits == 16 ? 0 : bits == 32 ? 1 : 2))
            return (ArrowTypeTag.floatingPoint, b.endTable())
        case .decimal(let p, let s, let w):
            b.startTable(fieldCount: 3)
            b.addField(0, Int32(p))
            b.addField(1, Int32(s))
            b.addField(2, Int32(w))
            return (ArrowTypeTag.decimal, b.endTable())
        case .date(let days):
            b.startTable(fieldCount: 1)
            b.addField(0, Int16(days ? 0 : 1))
            return (ArrowTypeTag.date, b.endTable())
        case .timestamp(let unit, let tz):
            let tzOff = tz.map { b.createString($0) }
            b.startTable(fieldCount: 2)
            if let tzOff { b.addOffsetField(1, tzOff) }
            b.addField(0, unit.rawValue)
            return (ArrowTypeTag.timestamp, b.endTable())
        case .map(let sorted):
            b.startTable(fieldCount: 1)
            b.addField(0, bool: sorted)
            return (ArrowTypeTag.map, b.endTable())
        case .largeBinary: return (ArrowTypeTag.largeBinary, emptyTable(&b))
        case .largeUtf8: return (ArrowTypeTag.largeUtf8, emptyTable(&b))
        case .largeList: return (ArrowTypeTag.largeList, emptyTable(&b))
        case .binaryView: return (ArrowTypeTag.binaryView, emptyTable(&b))
        case .utf8View: return (ArrowTypeTag.utf8View, emptyTable(&b))
        case .fixedSizeBinary(let w):
            b.startTable(fieldCount: 1)
            b.addField(0, Int32(w))
            return (ArrowTypeTag.fixedSizeBinary, b.endTable())
        case .fixedSizeList(let n):
            b.startTable(fieldCount: 1)
            b.addField(0, Int32(n))
            return (ArrowTypeTag.fixedSizeList, b.endTable())
        case .unsupported:
            return (ArrowTypeTag.null, emptyTable(&b))
        }
    }

    private func emptyTable(_ b: inout FlatBufferBuilder) -> Int {
        b.startTable(fieldCount: 0)
        return b.endTable()
    }
}
