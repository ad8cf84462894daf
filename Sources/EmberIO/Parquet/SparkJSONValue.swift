import EmberCore

/// A JSON value as Spark's json4s holds it (object members in order): what Spark's schema
/// JSON and field metadata parse into. `render(metadata:)` writes it as Spark writes a
/// `Metadata`: compact, Jackson's escapes, Java's doubles, and every object's keys in the
/// iteration order of the Scala map Spark keeps them in.
indirect enum SparkJSONValue {
    case null
    case bool(Bool)
    case long(Int64)
    case double(Double)
    case string(String)
    case array([SparkJSONValue])
    case object([(String, SparkJSONValue)])

    /// The member named `key` of an object (the last one when repeated).
    subscript(key: String) -> SparkJSONValue? {
        guard case .object(let ms) = self else { return nil }
        return ms.last { $0.0 == key }?.1
    }

    var stringValue: String? { if case .string(let s) = self { return s }; return nil }

    /// Parses strict JSON text; nil when it is not one JSON value.
    static func parse(_ text: String) -> SparkJSONValue? {
        var bytes = Array(text.utf8)
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { p -> SparkJSONValue? in
            guard let base = p.baseAddress else { return nil }
            var syntax = JSONSyntax(JSONOptions())
            syntax.singleQuotes = false
            syntax.nonNumeric = false
            var lx = JSONLexer(base, 0, p.count - 1, syntax)
            guard let v = try? value(&lx), (try? lx.skipSpace()) != nil, lx.pos == lx.end else { return nil }
            return v
        }
    }

    private static func value(_ lx: inout JSONLexer) throws(JSONSyntaxError) -> SparkJSONValue {
        try lx.skipSpace()
        switch lx.peek {
        case UInt8(ascii: "{"):
            try lx.open()
            var ms: [(String, SparkJSONValue)] = []
            if try lx.closesAtOnce(UInt8(ascii: "}")) { return .object(ms) }
            repeat {
                try lx.skipSpace()
                guard lx.peek == UInt8(ascii: "\"") else { throw lx.fail("expected a field name") }
                let name = try string(&lx)
                try lx.skipSpace()
                try lx.expect(UInt8(ascii: ":"), "expected a colon after a field name")
                ms.append((name, try value(&lx)))
            } while try lx.next(UInt8(ascii: "}"))
            return .object(ms)
        case UInt8(ascii: "["):
            try lx.open()
            var xs: [SparkJSONValue] = []
            if try lx.closesAtOnce(UInt8(ascii: "]")) { return .array(xs) }
            repeat { xs.append(try value(&lx)) } while try lx.next(UInt8(ascii: "]"))
            return .array(xs)
        case UInt8(ascii: "\""): return .string(try string(&lx))
        case UInt8(ascii: "t"): try lx.literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try lx.literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try lx.literal("null"); return .null
        default:
            let n = try lx.scanNumber()
            if n.kind == .int {
                // json4s reads a BigInt and Spark keeps `toLong`: the low 64 bits.
                let bits = Int64(bitPattern: n.magnitude)
                return .long(n.negative ? 0 &- bits : bits)
            }
            let text = String(decoding: UnsafeBufferPointer(start: lx.b + n.start, count: n.end - n.start), as: UTF8.self)
            guard let d = Double(text) else { throw lx.fail("invalid number") }
            return .double(d)
        }
    }

    private static func string(_ lx: inout JSONLexer) throws(JSONSyntaxError) -> String {
        let s = try lx.scanString()
        var out: [UInt8] = []
        JSONLexer.decode(lx.b, s.start, s.end, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Compact text, objects ordered as Spark's `Metadata` orders them (`metadata`) or as
    /// they are.
    func render(metadata: Bool, into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .long(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            // Jackson writes non-finite doubles as strings.
            if d.isFinite { NumberFormat.appendJavaDouble(d, to: &out) } else { SparkJSONValue.quote(NumberFormat.javaDouble(d), into: &out) }
        case .string(let s): SparkJSONValue.quote(s, into: &out)
        case .array(let xs):
            out.append(UInt8(ascii: "["))
            for (i, x) in xs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                x.render(metadata: metadata, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(var ms):
            if metadata {
                // A builder's map: a repeated key keeps its last value.
                var last: [String: Int] = [:]
                for (i, m) in ms.enumerated() { last[m.0] = i }
                ms = ms.enumerated().filter { last[$0.element.0] == $0.offset }.map(\.element)
                ms = ScalaMapOrder.order(ms.map(\.0)).map { ms[$0] }
            }
            out.append(UInt8(ascii: "{"))
            for (i, m) in ms.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                SparkJSONValue.quote(m.0, into: &out)
                out.append(UInt8(ascii: ":"))
                m.1.render(metadata: metadata, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    func rendered(metadata: Bool) -> String {
        var out: [UInt8] = []
        render(metadata: metadata, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string as Jackson writes it: `\"`, `\\`, the short escapes of `\b \t \n \f \r`,
    /// other control characters as `\u00XX`, everything else as it is.
    static func quote(_ s: String, into out: inout [UInt8]) {
        let hex = Array("0123456789ABCDEF".utf8)
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 8: out.append(contentsOf: "\\b".utf8)
            case 9: out.append(contentsOf: "\\t".utf8)
            case 10: out.append(contentsOf: "\\n".utf8)
            case 12: out.append(contentsOf: "\\f".utf8)
            case 13: out.append(contentsOf: "\\r".utf8)
            case 0..<32: out.append(contentsOf: "\\u00".utf8); out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 15)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// The iteration order of the Scala 2.13 map Spark's `MetadataBuilder.build()` returns for
/// these keys (in insertion order): up to 4 keys keep the order of the builder's
/// `mutable.HashMap` (bucket, then hash); more become an `immutable.HashMap`, a CHAMP trie
/// walked node by node (a node's own entries by hash bits, then its sub-nodes).
enum ScalaMapOrder {
    /// Java's `String.hashCode`.
    static func javaHash(_ s: String) -> Int32 {
        var h: Int32 = 0
        for u in s.utf16 { h = 31 &* h &+ Int32(u) }
        return h
    }

    static func order(_ keys: [String]) -> [Int] {
        let mutable = mutableOrder(keys)
        if keys.count <= 4 { return mutable }
        return champ(mutable.map { (improve(javaHash(keys[$0])), $0) }, shift: 0)
    }

    private static func mutableOrder(_ keys: [String]) -> [Int] {
        var size = 16
        while keys.count >= size * 3 / 4 { size *= 2 }  // grown before the insert that reaches the threshold
        let hs = keys.map { k -> Int32 in let h = javaHash(k); return h ^ Int32(bitPattern: UInt32(bitPattern: h) >> 16) }
        return keys.indices.sorted { a, b in
            let ba = Int(hs[a]) & (size - 1), bb = Int(hs[b]) & (size - 1)
            return ba != bb ? ba < bb : hs[a] != hs[b] ? hs[a] < hs[b] : a < b
        }
    }

    /// `scala.collection.Hashing.improve`.
    private static func improve(_ hcode: Int32) -> Int32 {
        var h = hcode &+ ~(hcode << 9)
        h = h ^ Int32(bitPattern: UInt32(bitPattern: h) >> 14)
        h = h &+ (h << 4)
        return h ^ Int32(bitPattern: UInt32(bitPattern: h) >> 10)
    }

    private static func champ(_ items: [(Int32, Int)], shift: Int) -> [Int] {
        if shift >= 32 { return items.map(\.1) }  // a full hash collision keeps insertion order
        var groups: [Int: [(Int32, Int)]] = [:]
        for it in items { groups[Int(UInt32(bitPattern: it.0) >> UInt32(shift)) & 31, default: []].append(it) }
        let bits = groups.keys.sorted()
        var out = bits.compactMap { b in groups[b].flatMap { $0.count == 1 ? $0[0].1 : nil } }
        for b in bits { if let g = groups[b], g.count > 1 { out += champ(g, shift: shift + 5) } }
        return out
    }
}
