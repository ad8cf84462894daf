import EmberCore

/// A dense matrix of doubles (Spark's `DenseMatrix`): `values` in column-major order, or
/// row-major when `isTransposed` (then `values` is the column-major form of the transpose).
public struct DenseMatrix: Hashable, CustomStringConvertible {
    public let numRows: Int
    public let numCols: Int
    public var values: [Double]
    public let isTransposed: Bool

    /// Checks that `values` holds `numRows × numCols` entries.
    public init(_ numRows: Int, _ numCols: Int, _ values: [Double], isTransposed: Bool = false) throws {
        guard numRows >= 0, numCols >= 0, values.count == numRows * numCols else {
            throw MLError.invalidVector("matrix of \(numRows) × \(numCols) needs \(max(0, numRows * numCols)) values, got \(values.count)")
        }
        self.init(unchecked: numRows, numCols, values, isTransposed: isTransposed)
    }

    init(unchecked numRows: Int, _ numCols: Int, _ values: [Double], isTransposed: Bool = false) {
        self.numRows = numRows
        self.numCols = numCols
        self.values = values
        self.isTransposed = isTransposed
    }

    public static func zeros(_ numRows: Int, _ numCols: Int) -> DenseMatrix {
        DenseMatrix(unchecked: numRows, numCols, [Double](repeating: 0, count: numRows * numCols))
    }

    public static func identity(_ n: Int) -> DenseMatrix {
        var m = zeros(n, n)
        for i in 0..<n { m.values[i * n + i] = 1 }
        return m
    }

    /// A matrix from rows (all of the same length).
    public static func fromRows(_ rows: [[Double]]) throws -> DenseMatrix {
        let c = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == c }) else { throw MLError.invalidVector("matrix rows have different lengths") }
        return try DenseMatrix(rows.count, c, rows.flatMap { $0 }, isTransposed: true)
    }

    /// Position of (i, j) in `values`.
    @inlinable
    public func index(_ i: Int, _ j: Int) -> Int { isTransposed ? i * numCols + j : i + j * numRows }

    public subscript(i: Int, j: Int) -> Double {
        get { values[index(i, j)] }
        set { values[index(i, j)] = newValue }
    }

    /// The transpose (no copy: flips `isTransposed`).
    public var transpose: DenseMatrix { DenseMatrix(unchecked: numCols, numRows, values, isTransposed: !isTransposed) }

    /// The same matrix stored column-major.
    public var columnMajor: DenseMatrix {
        if !isTransposed { return self }
        var out = [Double](repeating: 0, count: values.count)
        for i in 0..<numRows { for j in 0..<numCols { out[i + j * numRows] = values[i * numCols + j] } }
        return DenseMatrix(unchecked: numRows, numCols, out)
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] { (0..<numCols).map { self[i, $0] } }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] { (0..<numRows).map { self[$0, j] } }

    /// Rows as arrays.
    public var rowArrays: [[Double]] { (0..<numRows).map(row) }

    /// self · x
    public func multiply(_ x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: numRows)
        BLAS.gemv(1, self, x, 0, &y)
        return y
    }

    /// self · other
    public func multiply(_ other: DenseMatrix) -> DenseMatrix {
        var c = DenseMatrix.zeros(numRows, other.numCols)
        BLAS.gemm(1, self, other, 0, &c)
        return c
    }

    /// Spark's `toString`: rows of values separated by two spaces.
    public var description: String {
        (0..<numRows).map { i in (0..<numCols).map { NumberFormat.javaDouble(self[i, $0]) }.joined(separator: "  ") }.joined(separator: "\n")
    }
}
