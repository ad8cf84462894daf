// A minimal FlatBuffers builder for Arrow's metadata. As in every FlatBuffers builder,
// the buffer is filled back to front: children are written before the tables that point
// at them, because offsets are unsigned and must point forward. Positions are kept as
// "distance from the end", which stays stable while the buffer grows at the front.

/// Builds one FlatBuffers buffer. Scalars are aligned to their size and structs to
/// their alignment, relative to the end, so the finished buffer is valid at any
/// position that is a multiple of its largest alignment (Arrow places it at 8).
struct FlatBufferBuilder {
    /// Storage; the data occupies `storage[head...]`.
    private var storage: [UInt8]
    private var head: Int
    private var minAlign = 1
    /// Field positions (distance from the end) of the table being built; 0 = absent.
    private var fields: [Int] = []
    private var tableEnd = 0

    init(capacity: Int = 1024) {
        storage = [UInt8](repeating: 0, count: max(64, capacity))
        head = storage.count
    }

    /// Bytes written so far: the distance of the current position from the end.
    var offset: Int { storage.count - head }

    private mutating func grow(_ needed: Int) {
        guard head < needed else { return }
        let used = offset
        var size = storage.count
        while size - used < needed { size *= 2 }
        var bigger = [UInt8](repeating: 0, count: size)
        bigger.withUnsafeMutableBufferPointer { dst in
            storage.withUnsafeBufferPointer { src in
                guard let d = dst.baseAddress, let s = src.baseAddress else { return }
                (d + size - used).update(from: s + head, count: used)
            }
        }
        storage = bigger
        head = size - used
    }

    /// Pads so that after `additional` more bytes, a `size`-byte value is aligned.
    mutating func prep(_ size: Int, _ additional: Int) {
        if size > minAlign { minAlign = size }
        let pad = (~(offset + additional) &+ 1) & (size - 1)
        grow(pad + size + additional)
        for _ in 0..<pad { head -= 1; storage[head] = 0 }
    }

    /// Prepends raw bytes without alignment.
    mutating func pushBytes(_ bytes: UnsafeRawBufferPointer) {
        grow(bytes.count)
        head -= bytes.count
        storage.withUnsafeMutableBytes { dst in
            guard let d = dst.baseAddress, let s = bytes.baseAddress, bytes.count > 0 else { return }
            (d + head).copyMemory(from: s, byteCount: bytes.count)
        }
    }

    mutating func push<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { pushBytes($0) }
    }

    /// Prepends an aligned scalar.
    mutating func add<T: FixedWidthInteger>(_ v: T) {
        prep(MemoryLayout<T>.size, 0)
        push(v)
    }

    /// Prepends an offset to an object written earlier (`target` = its `offset`).
    mutating func addOffset(_ target: Int) {
        prep(4, 0)
        push(UInt32(truncatingIfNeeded: offset - target + 4))
    }

    mutating func createString(_ s: String) -> Int {
        let utf8 = Array(s.utf8)
        prep(4, utf8.count + 1)
        push(UInt8(0))
        utf8.withUnsafeBytes { pushBytes($0) }
        push(UInt32(utf8.count))
        return offset
    }

    /// A vector of offsets to objects written earlier (tables, strings).
    mutating func createOffsetVector(_ targets: [Int]) -> Int {
        prep(4, 4 * targets.count)
        for t in targets.reversed() { addOffset(t) }
        push(UInt32(targets.count))
        return offset
    }

    /// A vector of structs: each element is `elementSize` bytes with `alignment`;
    /// `write` fills element `i` (little-endian, fully padded).
    mutating func createStructVector(
        count: Int, elementSize: Int, alignment: Int, _ write: (Int, UnsafeMutableRawBufferPointer) -> Void
    ) -> Int {
        prep(4, elementSize * count)
        prep(alignment, elementSize * count)
        var element = [UInt8](repeating: 0, count: elementSize)
        for i in stride(from: count - 1, through: 0, by: -1) {
            element.withUnsafeMutableBytes { e in
                for k in 0..<elementSize { e[k] = 0 }
                write(i, e)
            }
            element.withUnsafeBytes { pushBytes($0) }
        }
        push(UInt32(count))
        return offset
    }

    /// A vector of little-endian scalars.
    mutating func createScalarVector<T: FixedWidthInteger>(_ values: [T]) -> Int {
        let size = MemoryLayout<T>.size
        prep(4, size * values.count)
        prep(size, size * values.count)
        for v in values.reversed() { push(v) }
        push(UInt32(values.count))
        return offset
    }

    // MARK: Tables

    mutating func startTable(fieldCount: Int) {
        fields = [Int](repeating: 0, count: fieldCount)
        tableEnd = offset
    }

    mutating func addField<T: FixedWidthInteger>(_ slot: Int, _ v: T) {
        add(v)
        fields[slot] = offset
    }

    mutating func addField(_ slot: Int, bool v: Bool) { addField(slot, UInt8(v ? 1 : 0)) }

    mutating func addOffsetField(_ slot: Int, _ target: Int) {
        addOffset(target)
        fields[slot] = offset
    }

    /// Ends the table: writes its soffset and its vtable. Returns the table's offset.
    mutating func endTable() -> Int {
        add(Int32(0))
        let table = offset
        var used = fields.count
        while used > 0 && fields[used - 1] == 0 { used -= 1 }
        // vtable: [vtable size, table size, field offsets...] as UInt16, written back to front.
        for slot in stride(from: used - 1, through: 0, by: -1) {
            let f = fields[slot]
            push(UInt16(f == 0 ? 0 : table - f))
        }
        push(UInt16(table - tableEnd))
        push(UInt16(4 + 2 * used))
        let vtable = offset
        // soffset at the table: table position - vtable position (positive: vtable is before).
        let tablePos = storage.count - table
        withUnsafeBytes(of: Int32(vtable - table).littleEndian) { src in
            storage.withUnsafeMutableBytes { dst in
                for k in 0..<4 { dst[tablePos + k] = src[k] }
            }
        }
        fields = []
        return table
    }

    /// Finishes with `root` as the root table and returns the buffer.
    mutating func finish(root: Int) -> [UInt8] {
        prep(minAlign, 4)
        addOffset(root)
        return Array(storage[head...])
    }
}
