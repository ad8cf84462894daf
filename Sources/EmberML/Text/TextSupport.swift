import EmberColumnar
import EmberCore
import Foundation

/// Java's string case mapping and whitespace, as Spark's text stages apply them.
enum JavaText {
    /// Java's `\s`: space, \t, \n, \u{0B}, \f, \r.
    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    /// Whether `locale` lowercases as Turkish/Azeri (dotless i).
    static func isTurkic(_ locale: String) -> Bool {
        let lang = locale.lowercased().split(whereSeparator: { $0 == "_" || $0 == "-" }).first.map(String.init) ?? ""
        return lang == "tr" || lang == "az"
    }

    /// Appends the lowercase form of the UTF-8 `bytes` to `out`, as Java's
    /// `String.toLowerCase` (ASCII fast path; otherwise full Unicode mapping with the
    /// final-sigma rule, and Turkish dotted/dotless i when `turkic`).
    static func appendLowercased(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], turkic: Bool = false) {
        var ascii = true
        for b in bytes where b >= 0x80 { ascii = false; break }
        if ascii && !turkic {
            for b in bytes { out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
            return
        }
        let s = String(decoding: bytes, as: UTF8.self)
        out.append(contentsOf: lowercased(s, turkic: turkic).utf8)
    }

    /// Java's `toLowerCase` of a whole string.
    static func lowercased(_ s: String, turkic: Bool = false) -> String {
        let scalars = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, c) in scalars.enumerated() {
            if c.value < 0x80 && !(turkic && c == "I") {
                out.append(c.value >= 0x41 && c.value <= 0x5A ? Unicode.Scalar(UInt8(truncatingIfNeeded: c.value | 0x20)) : c)
                continue
            }
            if turkic {
                if c == "I" { out.append("\u{0131}"); continue }
                if c == "\u{0130}" { out.append("i"); continue }
            }
            if c == "\u{03A3}" {
                out.append(isFinalSigma(scalars, i) ? "\u{03C2}" : "\u{03C3}")
                continue
            }
            out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
        }
        return String(out)
    }

    /// Unicode's Final_Sigma condition: a cased letter before (skipping case-ignorable
    /// characters) and none after.
    private static func isFinalSigma(_ s: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i - 1
        while j >= 0 && s[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0, s[j].properties.isCased else { return false }
        var k = i + 1
        while k < s.count && s[k].properties.isCaseIgnorable { k += 1 }
        return !(k < s.count && s[k].properties.isCased)
    }
}

/// A hash table of byte strings (UTF-8 terms) to dense ids, looked up straight from a
/// column's byte buffer without building `String`s.
struct ByteStringTable {
    private(set) var keyOffsets: [Int32] = [0]
    private(set) var keyBytes: [UInt8] = []
    private var hashes: [UInt32] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { keyOffsets.count - 1 }

    @inline(__always)
    private static func hash(_ p: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(bitPattern: Murmur3.hashBytes(p, seed: 0x9747_b28c))
    }

    @inline(__always)
    private func equals(_ id: Int, _ p: UnsafeRawBufferPointer) -> Bool {
        let s = Int(keyOffsets[id]), e = Int(keyOffsets[id + 1])
        guard e - s == p.count else { return false }
        if p.count == 0 { return true }
        return keyBytes.withUnsafeBytes { k in
            guard let kb = k.baseAddress, let pb = p.baseAddress else { return false }
            return memcmp(kb + s, pb, p.count) == 0
        }
    }

    /// The id of `p`, or nil.
    func find(_ p: UnsafeRawBufferPointer) -> Int? {
        let h = ByteStringTable.hash(p)
        var at = Int(h) & mask
        while true {
            let id = Int(slots[at])
            if id < 0 { return nil }
            if hashes[id] == h && equals(id, p) { return id }
            at = (at + 1) & mask
        }
    }

    /// The id of `p`, adding it when new.
    @discardableResult
    mutating func insert(_ p: UnsafeRawBufferPointer) -> Int {
        let h = ByteStringTable.hash(p)
        var at = Int(h) & mask
        while true {
            let id = Int(slots[at])
            if id < 0 { break }
            if hashes[id] == h && equals(id, p) { return id }
            at = (at + 1) & mask
        }
        let id = count
        keyBytes.append(contentsOf: p)
        keyOffsets.append(Int32(truncatingIfNeeded: keyBytes.count))
        hashes.append(h)
        slots[at] = Int32(id)
        if count * 2 > slots.count { grow() }
        return id
    }

    @discardableResult
    mutating func insert(_ s: String) -> Int {
        var s = s
        return s.withUTF8 { insert(UnsafeRawBufferPointer($0)) }
    }

    func find(_ s: String) -> Int? {
        var s = s
        return s.withUTF8 { find(UnsafeRawBufferPointer($0)) }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        for id in 0..<count {
            var at = Int(hashes[id]) & mask
            while slots[at] >= 0 { at = (at + 1) & mask }
            slots[at] = Int32(id)
        }
    }

    func key(_ id: Int) -> String {
        String(decoding: keyBytes[Int(keyOffsets[id])..<Int(keyOffsets[id + 1])], as: UTF8.self)
    }
}

/// A row's term indices turned into a sparse vector of term counts (`HashingTF`,
/// `CountVectorizerModel`); the buffers are reused from row to row.
struct TermCounts {
    /// The current row's term indices, in any order, repeats included.
    var indices: [Int32] = []
    private var outIndices: [Int32] = []
    private var outValues: [Double] = []

    /// Appends the row as a sparse vector of `size`: each distinct index with its count (1
    /// with `binary`), dropping counts below `minCount`; then starts the next row.
    mutating func appendRow(size: Int, minCount: Double = 0, binary: Bool, to out: inout VectorColumnAppender) {
        indices.sort()
        outIndices.removeAll(keepingCapacity: true)
        outValues.removeAll(keepingCapacity: true)
        var k = 0
        while k < indices.count {
            var e = k + 1
            while e < indices.count && indices[e] == indices[k] { e += 1 }
            let c = Double(e - k)
            if c >= minCount { outIndices.append(indices[k]); outValues.append(binary ? 1 : c) }
            k = e
        }
        outIndices.withUnsafeBufferPointer { ib in
            outValues.withUnsafeBufferPointer { vb in out.appendSparse(size: size, indices: ib, values: vb) }
        }
        indices.removeAll(keepingCapacity: true)
    }
}

extension SchemaUtils {
    /// Checks that `name` is an `array<string>` column.
    static func checkStringArray(_ schema: Schema, _ name: String, stage: String) throws -> StructField {
        let f = try field(schema, name, stage: stage)
        guard case .array(let e, _) = f.dataType, e == .string else {
            throw MLError.invalidColumn(stage, "Input type must be array<string> type but got \(f.dataType.sql).")
        }
        return f
    }
}
