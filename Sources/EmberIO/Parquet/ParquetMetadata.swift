import EmberCore

// Parquet's file metadata (parquet.thrift), the parts Ember reads and writes.

enum ParquetPhysicalType: Int32 {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
}

enum ParquetRepetition: Int32 {
    case required = 0, optional = 1, repeated = 2
}

enum ParquetEncoding: Int32 {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5
    case deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

enum ParquetCodec: Int32 {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7

    var name: String {
        switch self {
        case .uncompressed: return "UNCOMPRESSED"
        case .snappy: return "SNAPPY"
        case .gzip: return "GZIP"
        case .lzo: return "LZO"
        case .brotli: return "BROTLI"
        case .lz4: return "LZ4"
        case .zstd: return "ZSTD"
        case .lz4Raw: return "LZ4_RAW"
        }
    }
}

/// The converted (legacy) type annotations.
enum ParquetConvertedType: Int32 {
    case utf8 = 0, map = 1, mapKeyValue = 2, list = 3, enumType = 4, decimal = 5, date = 6
    case timeMillis = 7, timeMicros = 8, timestampMillis = 9, timestampMicros = 10
    case uint8 = 11, uint16 = 12, uint32 = 13, uint64 = 14, int8 = 15, int16 = 16, int32 = 17, int64 = 18
    case json = 19, bson = 20, interval = 21
}

enum ParquetTimeUnit: Hashable { case millis, micros, nanos }

/// The logical type annotations (LogicalType union).
enum ParquetLogicalType: Hashable {
    case string, map, list, enumType, decimal(scale: Int, precision: Int), date
    case time(utc: Bool, unit: ParquetTimeUnit), timestamp(utc: Bool, unit: ParquetTimeUnit)
    case integer(bits: Int, signed: Bool), unknown, json, bson, uuid, float16, other(Int16)
}

struct ParquetSchemaElement {
    var type: ParquetPhysicalType?
    var typeLength: Int32?
    var repetition: ParquetRepetition?
    var name: String
    var numChildren: Int32?
    var convertedType: ParquetConvertedType?
    var scale: Int32?
    var precision: Int32?
    var fieldID: Int32?
    var logicalType: ParquetLogicalType?
}

struct ParquetStatistics {
    var max: [UInt8]?
    var min: [UInt8]?
    var nullCount: Int64?
    var distinctCount: Int64?
    var maxValue: [UInt8]?
    var minValue: [UInt8]?
}

struct ParquetColumnMetaData {
    var type: ParquetPhysicalType
    var encodings: [Int32]
    var path: [String]
    var codec: ParquetCodec
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var indexPageOffset: Int64?
    var dictionaryPageOffset: Int64?
    var statistics: ParquetStatistics?
}

struct ParquetColumnChunk {
    var filePath: String?
    var fileOffset: Int64
    var metaData: ParquetColumnMetaData?
}

struct ParquetRowGroup {
    var columns: [ParquetColumnChunk]
    var totalByteSize: Int64
    var numRows: Int64
    var fileOffset: Int64?
    var totalCompressedSize: Int64?
}

struct ParquetFileMetaData {
    var version: Int32
    var schema: [ParquetSchemaElement]
    var numRows: Int64
    var rowGroups: [ParquetRowGroup]
    var keyValue: [(String, String?)]
    var createdBy: String?
}

enum ParquetPageType: Int32 {
    case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3
}

struct ParquetDataPageHeader {
    var numValues: Int32
    var encoding: Int32
    var definitionLevelEncoding: Int32
    var repetitionLevelEncoding: Int32
}

struct ParquetDataPageHeaderV2 {
    var numValues: Int32
    var numNulls: Int32
    var numRows: Int32
    var encoding: Int32
    var definitionLevelsByteLength: Int32
    var repetitionLevelsByteLength: Int32
    var isCompressed: Bool
}

struct ParquetDictionaryPageHeader {
    var numValues: Int32
    var encoding: Int32
}

struct ParquetPageHeader {
    var type: Int32
    var uncompressedPageSize: Int32
    var compressedPageSize: Int32
    var dataPage: ParquetDataPageHeader?
    var dictionaryPage: ParquetDictionaryPageHeader?
    var dataPageV2: ParquetDataPageHeaderV2?
}

// MARK: - Decoding

extension ParquetFileMetaData {
    init(thrift s: ThriftStruct, error: (String) -> EmberError) throws {
        version = s.int32(1) ?? 1
        guard let elems = s.list(2) else { throw error("file metadata has no schema") }
        schema = try elems.map { v in
            guard let e = v.structure else { throw error("schema element is not a struct") }
            return try ParquetSchemaElement(thrift: e, error: error)
        }
        guard let n = s.int(3) else { throw error("file metadata has no row count") }
        numRows = n
        rowGroups = try (s.list(4) ?? []).map { v in
            guard let rg = v.structure else { throw error("row group is not a struct") }
            return try ParquetRowGroup(thrift: rg, error: error)
        }
        keyValue = (s.list(5) ?? []).compactMap { v in
            guard let kv = v.structure, let k = kv.string(1) else { return nil }
            return (k, kv.string(2))
        }
        createdBy = s.string(6)
    }
}

extension ParquetSchemaElement {
    init(thrift s: ThriftStruct, error: (String) -> EmberError) throws {
        guard let n = s.string(4) else { throw error("schema element without a name") }
        name = n
        if let t = s.int32(1) {
            guard let pt = ParquetPhysicalType(rawValue: t) else { throw error("unknown physical type \(t) of column \(n)") }
            type = pt
        }
        typeLength = s.int32(2)
        if let r = s.int32(3) {
            guard let rep = ParquetRepetition(rawValue: r) else { throw error("unknown repetition \(r) of column \(n)") }
            repetition = rep
        }
        numChildren = s.int32(5)
        convertedType = s.int32(6).flatMap { ParquetConvertedType(rawValue: $0) }
        scale = s.int32(7)
        precision = s.int32(8)
        fieldID = s.int32(9)
        logicalType = s.structure(10).flatMap(ParquetLogicalType.init(thrift:))
    }
}

extension ParquetLogicalType {
    init?(thrift s: ThriftStruct) {
        guard let f = s.fields.first else { return nil }
        func unit(_ u: ThriftStruct?) -> ParquetTimeUnit {
            switch u?.fields.first?.id {
            case 1: return .millis
            case 3: return .nanos
            default: return .micros
            }
        }
        let body = f.value.structure
        switch f.id {
        case 1: self = .string
        case 2: self = .map
        case 3: self = .list
        case 4: self = .enumType
        case 5: self = .decimal(scale: Int(body?.int(1) ?? 0), precision: Int(body?.int(2) ?? 0))
        case 6: self = .date
        case 7: self = .time(utc: body?.bool(1) ?? true, unit: unit(body?.structure(2)))
        case 8: self = .timestamp(utc: body?.bool(1) ?? true, unit: unit(body?.structure(2)))
        case 10: self = .integer(bits: Int(body?.int(1) ?? 32), signed: body?.bool(2) ?? true)
        case 11: self = .unknown
        case 12: self = .json
        case 13: self = .bson
        case 14: self = .uuid
        case 15: self = .float16
        default: self = .other(f.id)
        }
    }
}

extension ParquetRowGroup {
    init(thrift s: ThriftStruct, error: (String) -> EmberError) throws {
        columns = try (s.list(1) ?? []).map { v in
            guard let c = v.structure else { throw error("column chunk is not a struct") }
            return try ParquetColumnChunk(thrift: c, error: error)
        }
        totalByteSize = s.int(2) ?? 0
        guard let n = s.int(3) else { throw error("row group without a row count") }
        numRows = n
        fileOffset = s.int(5)
        totalCompressedSize = s.int(6)
    }
}

extension ParquetColumnChunk {
    init(thrift s: ThriftStruct, error: (String) -> EmberError) throws {
        filePath = s.string(1)
        fileOffset = s.int(2) ?? 0
        metaData = try s.structure(3).map { try ParquetColumnMetaData(thrift: $0, error: error) }
    }
}

extension ParquetColumnMetaData {
    init(thrift s: ThriftStruct, error: (String) -> EmberError) throws {
        guard let t = s.int32(1), let pt = ParquetPhysicalType(rawValue: t) else { throw error("column metadata without a valid type") }
        type = pt
        encodings = (s.list(2) ?? []).compactMap { $0.int.flatMap { Int32(exactly: $0) } }
        path = (s.list(3) ?? []).compactMap(\.string)
        let c = s.int32(4) ?? 0
        guard let codec = ParquetCodec(rawValue: c) else { throw error("unknown compression codec \(c)") }
        self.codec = codec
        numValues = s.int(5) ?? 0
        totalUncompressedSize = s.int(6) ?? 0
        totalCompressedSize = s.int(7) ?? 0
        guard let dpo = s.int(9) else { throw error("column metadata without a data page offset") }
        dataPageOffset = dpo
        indexPageOffset = s.int(10)
        dictionaryPageOffset = s.int(11)
        statistics = s.structure(12).map(ParquetStatistics.init(thrift:))
    }
}

extension ParquetStatistics {
    init(thrift s: ThriftStruct) {
        max = s.binary(1)
        min = s.binary(2)
        nullCount = s.int(3)
        distinctCount = s.int(4)
        maxValue = s.binary(5)
        minValue = s.binary(6)
    }
}

extension ParquetPageHeader {
    init(thrift s: ThriftStruct, error: (String) -> EmberError) throws {
        guard let t = s.int32(1), let u = s.int32(2), let c = s.int32(3) else { throw error("page header without type or sizes") }
        guard u >= 0, c >= 0 else { throw error("negative page size") }
        type = t
        uncompressedPageSize = u
        compressedPageSize = c
        if let d = s.structure(5) {
            guard let n = d.int32(1), let e = d.int32(2) else { throw error("data page header without value count or encoding") }
            dataPage = ParquetDataPageHeader(
                numValues: n, encoding: e, definitionLevelEncoding: d.int32(3) ?? 3, repetitionLevelEncoding: d.int32(4) ?? 3)
        }
        if let d = s.structure(7) {
            guard let n = d.int32(1) else { throw error("dictionary page header without value count") }
            dictionaryPage = ParquetDictionaryPageHeader(numValues: n, encoding: d.int32(2) ?? 0)
        }
        if let d = s.structure(8) {
            guard let n = d.int32(1), let nulls = d.int32(2), let rows = d.int32(3), let e = d.int32(4),
                  let dl = d.int32(5), let rl = d.int32(6) else { throw error("incomplete data page v2 header") }
            dataPageV2 = ParquetDataPageHeaderV2(
                numValues: n, numNulls: nulls, numRows: rows, encoding: e, definitionLevelsByteLength: dl,
                repetitionLevelsByteLength: rl, isCompressed: d.bool(7) ?? true)
        }
    }
}

// MARK: - Encoding

extension ParquetStatistics {
    func write(_ w: inout ThriftCompactWriter) {
        if let v = max { w.binary(1, v) }
        if let v = min { w.binary(2, v) }
        if let n = nullCount { w.i64(3, n) }
        if let v = maxValue { w.binary(5, v) }
        if let v = minValue { w.binary(6, v) }
    }
}

extension ParquetLogicalType {
    func write(_ w: inout ThriftCompactWriter) {
        func unit(_ w: inout ThriftCompactWriter, _ u: ParquetTimeUnit) {
            w.structField(2) { w in
                switch u {
                case .millis: w.structField(1) { _ in }
                case .micros: w.structField(2) { _ in }
                case .nanos: w.structField(3) { _ in }
                }
            }
        }
        switch self {
        case .string: w.structField(1) { _ in }
        case .map: w.structField(2) { _ in }
        case .list: w.structField(3) { _ in }
        case .enumType: w.structField(4) { _ in }
        case .decimal(let s, let p): w.structField(5) { w in w.i32(1, Int32(s)); w.i32(2, Int32(p)) }
        case .date: w.structField(6) { _ in }
        case .time(let utc, let u): w.structField(7) { w in w.bool(1, utc); unit(&w, u) }
        case .timestamp(let utc, let u): w.structField(8) { w in w.bool(1, utc); unit(&w, u) }
        case .integer(let bits, let signed): w.structField(10) { w in w.i8(1, Int8(bits)); w.bool(2, signed) }
        case .unknown: w.structField(11) { _ in }
        case .json: w.structField(12) { _ in }
        case .bson: w.structField(13) { _ in }
        case .uuid: w.structField(14) { _ in }
        case .float16: w.structField(15) { _ in }
        case .other: break
        }
    }
}

extension ParquetFileMetaData {
    func encode() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.beginStruct()
        w.i32(1, version)
        w.structList(2, schema) { w, e in
            if let t = e.type { w.i32(1, t.rawValue) }
            if let l = e.typeLength { w.i32(2, l) }
            if let r = e.repetition { w.i32(3, r.rawValue) }
            w.string(4, e.name)
            if let n = e.numChildren { w.i32(5, n) }
            if let c = e.convertedType { w.i32(6, c.rawValue) }
            if let s = e.scale { w.i32(7, s) }
            if let p = e.precision { w.i32(8, p) }
            if let f = e.fieldID { w.i32(9, f) }
            if let l = e.logicalType { w.structField(10) { w in l.write(&w) } }
        }
        w.i64(3, numRows)
        w.structList(4, rowGroups) { w, rg in
            w.structList(1, rg.columns) { w, c in
                w.i64(2, c.fileOffset)
                if let m = c.metaData {
                    w.structField(3) { w in
                        w.i32(1, m.type.rawValue)
                        w.i32List(2, m.encodings)
                        w.stringList(3, m.path)
                        w.i32(4, m.codec.rawValue)
                        w.i64(5, m.numValues)
                        w.i64(6, m.totalUncompressedSize)
                        w.i64(7, m.totalCompressedSize)
                        w.i64(9, m.dataPageOffset)
                        if let d = m.dictionaryPageOffset { w.i64(11, d) }
                        if let st = m.statistics { w.structField(12) { w in st.write(&w) } }
                    }
                }
            }
            w.i64(2, rg.totalByteSize)
            w.i64(3, rg.numRows)
            if let o = rg.fileOffset { w.i64(5, o) }
            if let t = rg.totalCompressedSize { w.i64(6, t) }
        }
        if !keyValue.isEmpty {
            w.structList(5, keyValue) { w, kv in
                w.string(1, kv.0)
                if let v = kv.1 { w.string(2, v) }
            }
        }
        if let c = createdBy { w.string(6, c) }
        // Column orders: every leaf uses the type-defined order, which tells readers that
        // min_value/max_value are valid.
        let leaves = schema.filter { $0.type != nil }.count
        w.structList(7, Array(repeating: 0, count: leaves)) { w, _ in w.structField(1) { _ in } }
        w.endStruct()
        return w.out
    }
}

extension ParquetPageHeader {
    func encode(into w: inout ThriftCompactWriter) {
        w.beginStruct()
        w.i32(1, type)
        w.i32(2, uncompressedPageSize)
        w.i32(3, compressedPageSize)
        if let d = dataPage {
            w.structField(5) { w in
                w.i32(1, d.numValues)
                w.i32(2, d.encoding)
                w.i32(3, d.definitionLevelEncoding)
                w.i32(4, d.repetitionLevelEncoding)
            }
        }
        if let d = dictionaryPage {
            w.structField(7) { w in
                w.i32(1, d.numValues)
                w.i32(2, d.encoding)
            }
        }
        if let d = dataPageV2 {
            w.structField(8) { w in
                w.i32(1, d.numValues)
                w.i32(2, d.numNulls)
                w.i32(3, d.numRows)
                w.i32(4, d.encoding)
                w.i32(5, d.definitionLevelsByteLength)
                w.i32(6, d.repetitionLevelsByteLength)
                w.bool(7, d.isCompressed)
            }
        }
        w.endStruct()
    }
}
