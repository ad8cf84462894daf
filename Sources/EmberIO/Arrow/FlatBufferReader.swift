import EmberCore

// A minimal FlatBuffers reader for Arrow's metadata (Schema.fbs, Message.fbs, File.fbs).
// Every offset, vtable and vector read from the buffer is checked against its bounds, so
// a corrupt or hostile buffer throws instead of trapping or reading out of range.
// Reference: https://flatbuffers.dev/internals/ (tables, vtables, vectors, unions).

/// Where Arrow data comes from, for error messages: a file name (when known) and the
/// absolute byte offset of the region being read.
struct ArrowSource {
    /// The file path, or nil for in-memory bytes.
    let name: String?

    /// `FAILED_READ_FILE` naming the file and the byte offset (when one applies).
    func corrupt(_ what: String, at offset: Int?) -> EmberError {
        let whereText = name.map { "file \($0)" } ?? "Arrow IPC data"
        let at = offset.map { " at byte \($0)" } ?? ""
        return EmberError(
            errorClass: "FAILED_READ_FILE.NO_HINT", sqlState: "KD001",
            message: "Encountered error while reading \(whereText): invalid Arrow IPC data\(at): \(what).")
    }

    /// `UNSUPPORTED_FEATURE` for Arrow types and features Ember does not read.
    func unsupported(_ what: String) -> EmberError {
        EmberError.unsupported("\(what)\(name.map { " (file \($0))" } ?? "").")
    }
}

/// A bounds-checked view of one FlatBuffers buffer inside a larger byte range.
struct FlatBufferReader {
    /// The flatbuffer's bytes.
    let bytes: UnsafeRawBufferPointer
    /// Absolute position of `bytes[0]` in the source (for error messages).
    let base: Int
    let source: ArrowSource

    var count: Int { bytes.count }

    func corrupt(_ what: String, at pos: Int) -> EmberError {
        source.corrupt("flatbuffer \(what)", at: base + pos)
    }

    /// Throws unless `pos..<pos+size` lies inside the buffer.
    @inline(__always)
    func check(_ pos: Int, _ size: Int, _ what: String) throws {
        guard pos >= 0, size >= 0, pos <= count - size else { throw corrupt("\(what) out of bounds", at: pos) }
    }

    @inline(__always)
    func load<T: FixedWidthInteger>(_ pos: Int, as: T.Type, _ what: String = "scalar") throws -> T {
        try check(pos, MemoryLayout<T>.size, what)
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: pos, as: T.self))
    }

    /// Follows the unsigned offset stored at `pos` (relative to `pos`).
    func indirect(_ pos: Int, _ what: String) throws -> Int {
        let rel = Int(try load(pos, as: UInt32.self, what))
        let target = pos + rel
        try check(target, 1, what)
        return target
    }

    /// The root table (the `uoffset` at position 0).
    func root() throws -> FlatTable {
        try FlatTable(self, at: try indirect(0, "root offset"))
    }
}

/// One table: its position, its vtable and the inline size the vtable declares.
struct FlatTable {
    let reader: FlatBufferReader
    let pos: Int
    let vtable: Int
    let vtableSize: Int
    let inlineSize: Int

    init(_ reader: FlatBufferReader, at pos: Int) throws {
        self.reader = reader
        self.pos = pos
        let soffset = Int(try reader.load(pos, as: Int32.self, "table"))
        let vt = pos - soffset
        let vtSize = Int(try reader.load(vt, as: UInt16.self, "vtable"))
        let inline = Int(try reader.load(vt + 2, as: UInt16.self, "vtable"))
        guard vtSize >= 4, vtSize & 1 == 0 else { throw reader.corrupt("vtable size \(vtSize) invalid", at: vt) }
        try reader.check(vt, vtSize, "vtable")
        guard inline >= 4 else { throw reader.corrupt("table size \(inline) invalid", at: vt) }
        try reader.check(pos, inline, "table")
        vtable = vt
        vtableSize = vtSize
        inlineSize = inline
    }

    /// Absolute position of field `slot` (of `size` bytes), or nil when absent.
    func field(_ slot: Int, size: Int) throws -> Int? {
        let entry = 4 + 2 * slot
        guard entry + 2 <= vtableSize else { return nil }
        let off = Int(try reader.load(vtable + entry, as: UInt16.self, "vtable entry"))
        if off == 0 { return nil }
        guard off >= 4, off + size <= inlineSize else {
            throw reader.corrupt("field \(slot) at \(off) outside its table of \(inlineSize) bytes", at: pos)
        }
        return pos + off
    }

    func scalar<T: FixedWidthInteger>(_ slot: Int, _ default: T) throws -> T {
        guard let p = try field(slot, size: MemoryLayout<T>.size) else { return `default` }
        return try reader.load(p, as: T.self)
    }

    func bool(_ slot: Int, _ default: Bool = false) throws -> Bool {
        try scalar(slot, UInt8(`default` ? 1 : 0)) != 0
    }

    /// Position of the object an offset field points to, or nil when absent.
    func offsetField(_ slot: Int) throws -> Int? {
        guard let p = try field(slot, size: 4) else { return nil }
        return try reader.indirect(p, "offset of field \(slot)")
    }

    func table(_ slot: Int) throws -> FlatTable? {
        guard let p = try offsetField(slot) else { return nil }
        return try FlatTable(reader, at: p)
    }

    func string(_ slot: Int) throws -> String? {
        guard let p = try offsetField(slot) else { return nil }
        let n = Int(try reader.load(p, as: UInt32.self, "string length"))
        try reader.check(p + 4, n, "string")
        return String(decoding: UnsafeRawBufferPointer(rebasing: reader.bytes[(p + 4)..<(p + 4 + n)]), as: UTF8.self)
    }

    /// A vector of `elementSize`-byte elements (structs, scalars or offsets).
    func vector(_ slot: Int, elementSize: Int) throws -> FlatVector? {
        guard let p = try offsetField(slot) else { return nil }
        let n = Int(try reader.load(p, as: UInt32.self, "vector length"))
        // n < 2^32 and elementSize is small, so the product cannot overflow Int.
        try reader.check(p + 4, n * elementSize, "vector of \(n) elements")
        return FlatVector(reader: reader, start: p + 4, count: n, elementSize: elementSize)
    }
}

/// A vector's elements: `count` items of `elementSize` bytes from `start`.
struct FlatVector {
    let reader: FlatBufferReader
    let start: Int
    let count: Int
    let elementSize: Int

    func position(_ i: Int) -> Int { start + i * elementSize }

    func load<T: FixedWidthInteger>(_ i: Int, field offset: Int = 0, as: T.Type) throws -> T {
        try reader.load(position(i) + offset, as: T.self)
    }

    /// Element `i` of a vector of tables.
    func table(_ i: Int) throws -> FlatTable {
        try FlatTable(reader, at: try reader.indirect(position(i), "vector element"))
    }
}
