import EmberColumnar
import EmberCore

/// Fast access to an `array<string>` column (token lists): the list offsets, the strings'
/// offsets and their UTF-8 bytes, read straight from the column's buffers.
public struct StringListReader {
    public let count: Int
    public let validity: Bitmap?
    public let listOffsets: [Int32]
    public let elementValidity: Bitmap?
    public let stringOffsets: [Int32]
    public let data: [UInt8]

    /// Reads `column`, which must be an `array<string>`; `stage` names the stage in errors.
    public init(_ column: ColumnData, stage: String) throws {
        guard case .array(let e, _) = column.type, e == .string || e == .null else {
            throw MLError.invalidColumn(stage, "expected an array<string> column, got \(column.type.sql)")
        }
        count = column.count
        validity = column.validity
        guard case .list(let o, let values) = column.storage, o.count >= column.count + 1 else {
            if case .none = column.storage {
                listOffsets = [Int32](repeating: 0, count: column.count + 1)
                elementValidity = nil; stringOffsets = [0]; data = []
                return
            }
            throw MLError.invalidData(stage, "malformed array<string> column")
        }
        listOffsets = o
        switch values.storage {
        case .bytes(let so, let d):
            stringOffsets = so; data = d
            elementValidity = values.validity
        case .none:
            stringOffsets = [Int32](repeating: 0, count: values.count + 1); data = []
            elementValidity = Bitmap(count: values.count, value: false)
        default:
            throw MLError.invalidData(stage, "malformed array<string> column")
        }
        guard stringOffsets.count >= values.count + 1, let last = o.last, Int(last) <= values.count else {
            throw MLError.invalidData(stage, "malformed array<string> column")
        }
    }

    @inlinable
    public func isNull(_ row: Int) -> Bool { validity.map { !$0[row] } ?? false }

    /// The range of element positions of row `row`.
    @inlinable
    public func elements(_ row: Int) -> Range<Int> { Int(listOffsets[row])..<Int(listOffsets[row + 1]) }

    @inlinable
    public func isNullElement(_ k: Int) -> Bool { elementValidity.map { !$0[k] } ?? false }

    /// The byte range of element `k` in `data`.
    @inlinable
    public func byteRange(_ k: Int) -> Range<Int> { Int(stringOffsets[k])..<Int(stringOffsets[k + 1]) }

    public func string(_ k: Int) -> String { String(decoding: data[byteRange(k)], as: UTF8.self) }
}

/// Builds an `array<string>` column row by row into its offset and byte buffers.
public struct StringListAppender {
    var listOffsets: [Int32] = [0]
    var listValid = Bitmap(count: 0, value: false)
    var anyNullRow = false
    var stringOffsets: [Int32] = [0]
    var data: [UInt8] = []
    var elementValid = Bitmap(count: 0, value: false)
    var anyNullElement = false
    public private(set) var count = 0
    let stage: String

    public init(capacity: Int, bytes: Int = 0, stage: String) {
        self.stage = stage
        listOffsets.reserveCapacity(capacity + 1)
        listValid.reserve(capacity)
        data.reserveCapacity(bytes)
    }

    /// Appends one string (an element of the current row).
    public mutating func appendElement(_ bytes: UnsafeBufferPointer<UInt8>) {
        data.append(contentsOf: bytes)
        closeElement(valid: true)
    }

    public mutating func appendElement<S: Sequence>(bytes: S) where S.Element == UInt8 {
        data.append(contentsOf: bytes)
        closeElement(valid: true)
    }

    public mutating func appendNullElement() { closeElement(valid: false) }

    mutating func closeElement(valid: Bool) {
        stringOffsets.append(Int32(truncatingIfNeeded: data.count))
        elementValid.append(valid)
        if !valid { anyNullElement = true }
    }

    /// Ends the current row (its elements are those appended since the last row).
    public mutating func endRow() throws {
        guard data.count <= Int(Int32.max), stringOffsets.count <= Int(Int32.max) else {
            throw MLError.invalidData(stage, "output strings exceed 2 GiB in one batch")
        }
        listOffsets.append(Int32(stringOffsets.count - 1))
        listValid.append(true)
        count += 1
    }

    public mutating func appendNullRow() {
        listOffsets.append(Int32(stringOffsets.count - 1))
        listValid.append(false)
        anyNullRow = true
        count += 1
    }

    public func finish(containsNull: Bool = true) -> ColumnData {
        let n = stringOffsets.count - 1
        let values = ColumnData(type: .string, count: n, validity: anyNullElement ? elementValid : nil,
                                storage: .bytes(offsets: stringOffsets, data: data))
        return ColumnData(type: .array(element: .string, containsNull: containsNull), count: count,
                          validity: anyNullRow ? listValid : nil, storage: .list(offsets: listOffsets, values: values))
    }
}
