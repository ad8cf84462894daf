import EmberColumnar
import EmberCore
import EmberIO

/// A columnar file writer the generator can hand typed RecordBatches to (Parquet).
public typealias RecordBatchFileWriter = PartFileWriter

/// File format of `ember datagen loans`.
public enum LoanOutputFormat {
    /// Pipe-delimited text without header, as the real files (`.csv` part files).
    case csv
    /// Columnar files, one per part and table, opened by `open(path, schema)` and fed
    /// RecordBatches with the typed schemas (`LoanSchemas.…Typed`).
    case batches(fileExtension: String, open: (_ path: String, _ schema: Schema) throws -> RecordBatchFileWriter)

    /// Parquet (snappy) through EmberIO's Parquet writer.
    public static func parquet(options: [String: String] = [:]) throws -> LoanOutputFormat {
        let probe = try ParquetFormatWriter(options: options, schema: try LoanSchemas.performance(typed: true))
        return .batches(fileExtension: probe.fileExtension) { path, schema in
            try ParquetFormatWriter(options: options, schema: schema).open(path: path, schema: schema)
        }
    }

    var fileExtension: String {
        switch self {
        case .csv: return "csv"
        case .batches(let ext, _): return ext
        }
    }
}

/// The two output files of one part: acquisition and performance rows of the same loans.
protocol LoanPartSink: AnyObject {
    func write(_ acquisition: AcquisitionColumns, _ performance: PerformanceColumns) throws
    func close() throws
    /// Bytes written to the acquisition and performance files (0 when unknown).
    var bytes: (acquisition: Int, performance: Int) { get }
}

/// Formats columns straight to pipe-delimited bytes (the fast path).
final class CSVPartSink: LoanPartSink {
    let acquisition: ByteFileWriter
    let performance: ByteFileWriter

    init(acquisitionPath: String, performancePath: String) throws {
        acquisition = try ByteFileWriter(path: acquisitionPath, capacity: 1 << 18)
        performance = try ByteFileWriter(path: performancePath, capacity: 1 << 20)
    }

    func write(_ a: AcquisitionColumns, _ p: PerformanceColumns) throws {
        try LoanCSV.write(a, to: acquisition)
        try LoanCSV.write(p, to: performance)
    }

    func close() throws {
        try acquisition.close()
        try performance.close()
    }

    var bytes: (acquisition: Int, performance: Int) { (acquisition.size, performance.size) }
}

/// Converts columns to typed RecordBatches for a columnar writer.
final class BatchPartSink: LoanPartSink {
    let acquisition: RecordBatchFileWriter
    let performance: RecordBatchFileWriter

    init(acquisition: RecordBatchFileWriter, performance: RecordBatchFileWriter) {
        self.acquisition = acquisition
        self.performance = performance
    }

    func write(_ a: AcquisitionColumns, _ p: PerformanceColumns) throws {
        try acquisition.write(try a.recordBatch())
        try performance.write(try p.recordBatch())
    }

    func close() throws {
        try acquisition.close()
        try performance.close()
    }

    var bytes: (acquisition: Int, performance: Int) { (0, 0) }
}
