import EmberCore

/// One leaf column of a Parquet schema: its path, physical type, annotations, maximum
/// definition and repetition levels, and the Ember type its values become.
struct ParquetLeaf {
    var path: [String]
    var element: ParquetSchemaElement
    var physical: ParquetPhysicalType
    var maxDef: Int
    var maxRep: Int
    var type: DataType
}

/// How a leaf's levels assemble into an Ember column (see docs/ARCHITECTURE.md, "Parquet").
/// Thresholds are definition levels: a struct or list is non-NULL when a level is at least
/// its `nullDef`; a list element exists when the level is at least `elemDef`.
indirect enum ParquetNode {
    case leaf(index: Int, type: DataType)
    case structure(type: DataType, children: [ParquetNode], nullDef: Int?, firstLeaf: Int)
    case list(type: DataType, element: ParquetNode, nullDef: Int?, elemDef: Int, rep: Int, firstLeaf: Int)
    case map(type: DataType, key: ParquetNode, value: ParquetNode, nullDef: Int?, elemDef: Int, rep: Int, firstLeaf: Int)

    var type: DataType {
        switch self {
        case .leaf(_, let t), .structure(let t, _, _, _), .list(let t, _, _, _, _, _), .map(let t, _, _, _, _, _, _): return t
        }
    }

    var firstLeaf: Int {
        switch self {
        case .leaf(let i, _): return i
        case .structure(_, _, _, let f), .list(_, _, _, _, _, let f), .map(_, _, _, _, _, _, let f): return f
        }
    }

    /// Leaf indices under this node, in order.
    var leaves: [Int] {
        switch self {
        case .leaf(let i, _): return [i]
        case .structure(_, let cs, _, _): return cs.flatMap(\.leaves)
        case .list(_, let e, _, _, _, _): return e.leaves
        case .map(_, let k, let v, _, _, _, _): return k.leaves + v.leaves
        }
    }
}

/// A file's schema as Ember sees it: top-level fields, their assembly trees, and the leaves.
struct ParquetSchemaInfo {
    var schema: Schema
    var fields: [ParquetNode]
    var leaves: [ParquetLeaf]

    init(_ elements: [ParquetSchemaElement], what: String) throws {
        var leaves: [ParquetLeaf] = []
        var pos = 1
        guard let root = elements.first else { throw EmberError.corruptFile("\(what): empty schema") }
        let n = Int(root.numChildren ?? 0)
        guard n >= 0, n < elements.count else { throw EmberError.corruptFile("\(what): root has \(n) children but the schema has \(elements.count) elements") }
        var fields: [ParquetNode] = []
        var structFields: [StructField] = []
        for _ in 0..<n {
            let (node, field) = try ParquetSchemaInfo.build(
                elements, &pos, def: 0, rep: 0, path: [], leaves: &leaves, depth: 0, what: what)
            fields.append(node)
            structFields.append(field)
        }
        guard pos == elements.count else { throw EmberError.corruptFile("\(what): schema has \(elements.count - pos) elements not reached from the root") }
        schema = Schema(structFields)
        self.fields = fields
        self.leaves = leaves
    }

    private static func isList(_ e: ParquetSchemaElement) -> Bool {
        e.convertedType == .list || e.logicalType == .list
    }

    private static func isMap(_ e: ParquetSchemaElement) -> Bool {
        e.convertedType == .map || e.convertedType == .mapKeyValue || e.logicalType == .map
    }

    /// Builds the node at `pos` (a field with its own repetition), advancing `pos` past it.
    static func build(
        _ els: [ParquetSchemaElement], _ pos: inout Int, def: Int, rep: Int, path: [String],
        leaves: inout [ParquetLeaf], depth: Int, what: String
    ) throws -> (ParquetNode, StructField) {
        guard depth < 64 else { throw EmberError.corruptFile("\(what): schema nested too deeply") }
        guard pos < els.count else { throw EmberError.corruptFile("\(what): schema ends early") }
        let e = els[pos]
        let repetition = e.repetition ?? .optional
        if repetition == .repeated {
            // A bare repeated field is a required list of required elements.
            let first = leaves.count
            let (elem, ef) = try buildRequired(els, &pos, def: def + 1, rep: rep + 1, path: path + [e.name], leaves: &leaves, depth: depth + 1, what: what)
            let t = DataType.array(element: ef.dataType, containsNull: false)
            return (.list(type: t, element: elem, nullDef: nil, elemDef: def + 1, rep: rep + 1, firstLeaf: first), StructField(e.name, t, nullable: false))
        }
        let nullable = repetition == .optional
        let d = nullable ? def + 1 : def
        var (node, field) = try buildRequired(els, &pos, def: d, rep: rep, path: path + [e.name], leaves: &leaves, depth: depth + 1, what: what)
        field.nullable = nullable
        if nullable {
            switch node {
            case .structure(let t, let cs, _, let f): node = .structure(type: t, children: cs, nullDef: d, firstLeaf: f)
            case .list(let t, let el, _, let ed, let r, let f): node = .list(type: t, element: el, nullDef: d, elemDef: ed, rep: r, firstLeaf: f)
            case .map(let t, let k, let v, _, let ed, let r, let f): node = .map(type: t, key: k, value: v, nullDef: d, elemDef: ed, rep: r, firstLeaf: f)
            case .leaf: break
            }
        }
        return (node, field)
    }

    /// Builds the node at `pos` ignoring its repetition (the caller accounted for it).
    private static func buildRequired(
        _ els: [ParquetSchemaElement], _ pos: inout Int, def: Int, rep: Int, path: [String],
        leaves: inout [ParquetLeaf], depth: Int, what: String
    ) throws -> (ParquetNode, StructField) {
        let e = els[pos]
        pos += 1
        let name = e.name
        let children = Int(e.numChildren ?? 0)
        if children == 0 {
            // A primitive leaf.
            guard let physical = e.type else { throw EmberError.corruptFile("\(what): column \(path.joined(separator: ".")) has neither a type nor children") }
            let t = try leafType(e, physical, path: path, what: what)
            leaves.append(ParquetLeaf(path: path, element: e, physical: physical, maxDef: def, maxRep: rep, type: t))
            return (.leaf(index: leaves.count - 1, type: t), StructField(name, t))
        }
        let count = children
        guard count >= 1, count <= els.count - pos else { throw EmberError.corruptFile("\(what): group \(name) has \(children) children") }
        let first = leaves.count
        if isList(e), count == 1, els[pos].repetition == .repeated {
            let r = els[pos]
            // The repeated child is the element itself (two-level lists) when it is a primitive,
            // has several fields, or is named `array` / `<list>_tuple`; otherwise it wraps the element.
            let repeatedIsElement = r.type != nil || (r.numChildren ?? 0) != 1 || r.name == "array" || r.name == name + "_tuple"
            let elemDef = def + 1
            let node: ParquetNode
            let elemType: DataType
            let containsNull: Bool
            if repeatedIsElement {
                let (en, ef) = try buildRequired(els, &pos, def: elemDef, rep: rep + 1, path: path + [r.name], leaves: &leaves, depth: depth + 1, what: what)
                node = en
                elemType = ef.dataType
                containsNull = false
            } else {
                pos += 1
                let (en, ef) = try build(els, &pos, def: elemDef, rep: rep + 1, path: path + [r.name], leaves: &leaves, depth: depth + 1, what: what)
                node = en
                elemType = ef.dataType
                containsNull = ef.nullable
            }
            let t = DataType.array(element: elemType, containsNull: containsNull)
            return (.list(type: t, element: node, nullDef: nil, elemDef: elemDef, rep: rep + 1, firstLeaf: first), StructField(name, t))
        }
        if isMap(e), count == 1, els[pos].repetition == .repeated, (els[pos].numChildren ?? 0) == 2 {
            let kvName = els[pos].name
            pos += 1
            let elemDef = def + 1
            let (kn, kf) = try build(els, &pos, def: elemDef, rep: rep + 1, path: path + [kvName], leaves: &leaves, depth: depth + 1, what: what)
            let (vn, vf) = try build(els, &pos, def: elemDef, rep: rep + 1, path: path + [kvName], leaves: &leaves, depth: depth + 1, what: what)
            let t = DataType.map(key: kf.dataType, value: vf.dataType, valueContainsNull: vf.nullable)
            return (.map(type: t, key: kn, value: vn, nullDef: nil, elemDef: elemDef, rep: rep + 1, firstLeaf: first), StructField(name, t))
        }
        var nodes: [ParquetNode] = []
        var fields: [StructField] = []
        for _ in 0..<count {
            let (n, f) = try build(els, &pos, def: def, rep: rep, path: path, leaves: &leaves, depth: depth + 1, what: what)
            nodes.append(n)
            fields.append(f)
        }
        let t = DataType.structure(fields)
        return (.structure(type: t, children: nodes, nullDef: nil, firstLeaf: first), StructField(name, t))
    }

    /// The Ember type of a primitive column, as Spark's ParquetToSparkSchemaConverter maps it.
    static func leafType(_ e: ParquetSchemaElement, _ p: ParquetPhysicalType, path: [String], what: String) throws -> DataType {
        let col = path.joined(separator: ".")
        func decimal(maxPrecision: Int) throws -> DataType {
            var precision = Int(e.precision ?? 0)
            var scale = Int(e.scale ?? 0)
            if case .decimal(let s, let pr) = e.logicalType { precision = pr; scale = s }
            guard precision > 0, precision <= 38, scale >= 0, scale <= precision else {
                throw EmberError.unsupported("\(what): column \(col) has an invalid decimal precision \(precision) / scale \(scale)")
            }
            return .decimal(precision: precision, scale: scale)
        }
        let isDecimal: Bool = { if case .decimal = e.logicalType { return true }; return e.convertedType == .decimal }()
        switch p {
        case .boolean: return .boolean
        case .int32:
            if isDecimal { return try decimal(maxPrecision: 9) }
            if e.logicalType == .date || e.convertedType == .date { return .date }
            if case .integer(let bits, let signed) = e.logicalType {
                switch (bits, signed) {
                case (8, true): return .byte
                case (16, true): return .short
                case (32, true): return .int
                case (8, false): return .short
                case (16, false): return .int
                case (32, false): return .long
                default: throw EmberError.unsupported("\(what): column \(col) has INT(\(bits), \(signed)) on INT32")
                }
            }
            switch e.convertedType {
            case .int8: return .byte
            case .int16: return .short
            case .uint8: return .short
            case .uint16: return .int
            case .uint32: return .long
            case .timeMillis: throw EmberError.unsupported("\(what): column \(col) is a TIME(MILLIS), which Spark cannot read")
            default: break
            }
            if case .time = e.logicalType { throw EmberError.unsupported("\(what): column \(col) is a TIME, which Spark cannot read") }
            return .int
        case .int64:
            if isDecimal { return try decimal(maxPrecision: 18) }
            if case .timestamp = e.logicalType { return .timestamp }
            if e.convertedType == .timestampMicros || e.convertedType == .timestampMillis { return .timestamp }
            if case .integer(64, false) = e.logicalType { return .decimal(precision: 20, scale: 0) }
            if e.convertedType == .uint64 { return .decimal(precision: 20, scale: 0) }
            if case .time = e.logicalType { throw EmberError.unsupported("\(what): column \(col) is a TIME, which Spark cannot read") }
            return .long
        case .int96: return .timestamp
        case .float: return .float
        case .double: return .double
        case .byteArray:
            if isDecimal { return try decimal(maxPrecision: 38) }
            switch e.logicalType {
            case .string?, .enumType?, .json?: return .string
            default: break
            }
            switch e.convertedType {
            case .utf8?, .enumType?, .json?: return .string
            default: return .binary
            }
        case .fixedLenByteArray:
            guard let len = e.typeLength, len > 0, len <= 1 << 20 else {
                throw EmberError.corruptFile("\(what): column \(col) is FIXED_LEN_BYTE_ARRAY without a valid length")
            }
            if isDecimal {
                guard len <= 16 else { throw EmberError.unsupported("\(what): column \(col) is a decimal of \(len) bytes") }
                return try decimal(maxPrecision: 38)
            }
            if e.logicalType == .float16 {
                guard len == 2 else { throw EmberError.corruptFile("\(what): FLOAT16 column \(col) is \(len) bytes wide") }
                return .float
            }
            if e.logicalType == .uuid { return .string }
            return .binary
        }
    }
}

// MARK: - Ember schema → Parquet schema (what Ember writes, as Spark does)

enum ParquetSchemaWriter {
    /// The flattened Parquet schema for `schema`, root first, in Spark's standard layout:
    /// three-level lists (`list` / `element`), maps as `key_value` (`key`, `value`).
    static func elements(_ schema: Schema) throws -> [ParquetSchemaElement] {
        var out = [ParquetSchemaElement(name: "spark_schema", numChildren: Int32(schema.fields.count))]
        for f in schema.fields { try append(f.name, f.dataType, nullable: f.nullable, into: &out) }
        return out
    }

    private static func append(_ name: String, _ t: DataType, nullable: Bool, into out: inout [ParquetSchemaElement]) throws {
        let rep: ParquetRepetition = nullable ? .optional : .required
        var e = ParquetSchemaElement(name: name)
        e.repetition = rep
        switch t {
        case .boolean: e.type = .boolean
        case .byte: e.type = .int32; e.logicalType = .integer(bits: 8, signed: true); e.convertedType = .int8
        case .short: e.type = .int32; e.logicalType = .integer(bits: 16, signed: true); e.convertedType = .int16
        case .int: e.type = .int32
        case .long: e.type = .int64
        case .float: e.type = .float
        case .double: e.type = .double
        case .string: e.type = .byteArray; e.logicalType = .string; e.convertedType = .utf8
        case .binary: e.type = .byteArray
        case .date: e.type = .int32; e.logicalType = .date; e.convertedType = .date
        case .timestamp:
            e.type = .int64; e.logicalType = .timestamp(utc: true, unit: .micros); e.convertedType = .timestampMicros
        case .decimal(let p, let s):
            e.logicalType = .decimal(scale: s, precision: p)
            e.convertedType = .decimal
            e.precision = Int32(p)
            e.scale = Int32(s)
            if p <= 9 {
                e.type = .int32
            } else if p <= 18 {
                e.type = .int64
            } else {
                e.type = .fixedLenByteArray
                e.typeLength = Int32(decimalBytes(p))
            }
        case .array(let el, let containsNull):
            e.numChildren = 1
            e.logicalType = .list
            e.convertedType = .list
            out.append(e)
            out.append(ParquetSchemaElement(repetition: .repeated, name: "list", numChildren: 1))
            try append("element", el, nullable: containsNull, into: &out)
            return
        case .map(let k, let v, let vn):
            e.numChildren = 1
            e.logicalType = .map
            e.convertedType = .map
            out.append(e)
            out.append(ParquetSchemaElement(repetition: .repeated, name: "key_value", numChildren: 2))
            try append("key", k, nullable: false, into: &out)
            try append("value", v, nullable: vn, into: &out)
            return
        case .structure(let fs):
            e.numChildren = Int32(fs.count)
            out.append(e)
            for f in fs { try append(f.name, f.dataType, nullable: f.nullable, into: &out) }
            return
        case .null:
            // Spark writes a NULL-typed column as an optional INT32 annotated UNKNOWN... it refuses; so does Ember.
            throw EmberError.unsupported("Parquet data source does not support void data type (column \(name)).")
        }
        out.append(e)
    }

    /// Bytes Spark uses for a FIXED_LEN_BYTE_ARRAY decimal of `precision` digits.
    static func decimalBytes(_ precision: Int) -> Int {
        var n = 1
        while true {
            // The largest magnitude representable in n bytes of two's complement.
            let bits = 8 * n - 1
            let maxDigits = Int(Double(bits) * 0.30102999566398120)
            if maxDigits >= precision { return n }
            n += 1
        }
    }
}

extension ParquetSchemaElement {
    init(type: ParquetPhysicalType? = nil, repetition: ParquetRepetition? = nil, name: String, numChildren: Int32? = nil) {
        self.type = type
        self.repetition = repetition
        self.name = name
        self.numChildren = numChildren
    }
}
