import EmberColumnar
import EmberCore
import Foundation

/// Writes one part file, batch by batch; `close` finishes it.
public protocol PartFileWriter: AnyObject {
    func write(_ batch: RecordBatch) throws
    func close() throws
}

/// A file format's writer side: checks the schema, names the files, opens part files.
public protocol FileFormatWriter {
    /// File name suffix, e.g. `snappy.parquet` or `csv`.
    var fileExtension: String { get }
    func open(path: String, schema: Schema) throws -> PartFileWriter
}

/// Parquet part files.
public struct ParquetFormatWriter: FileFormatWriter {
    let options: ParquetWriteOptions

    public init(options: [String: String], schema: Schema) throws {
        self.options = try ParquetWriteOptions(options)
        _ = try ParquetSchemaWriter.elements(schema)  // unsupported types fail before any file is made
    }

    public var fileExtension: String {
        switch options.codec {
        case .uncompressed: return "parquet"
        case .snappy: return "snappy.parquet"
        case .gzip: return "gz.parquet"
        case .zstd: return "zstd.parquet"
        case .lz4Raw: return "lz4raw.parquet"
        default: return "parquet"
        }
    }

    public func open(path: String, schema: Schema) throws -> PartFileWriter {
        try ParquetFileWriter(path: path, schema: schema, options: options)
    }
}

extension ParquetFileWriter: PartFileWriter {}

/// Arrow IPC part files (file format).
public struct ArrowFormatWriter: FileFormatWriter {
    let compression: ArrowCompression

    public init(options: [String: String]) throws {
        compression = try ArrowCompression(option: options.first { $0.key.lowercased() == "compression" }?.value ?? "none")
    }

    public var fileExtension: String { "arrow" }

    public func open(path: String, schema: Schema) throws -> PartFileWriter {
        try ArrowFileWriter(path: path, schema: schema, compression: compression)
    }
}

extension ArrowFileWriter: PartFileWriter {}

/// CSV part files (the batches of a part are written when it closes).
public struct CSVFormatWriter: FileFormatWriter {
    let options: CSVOptions
    let zone: SessionTimeZone

    public init(options: [String: String], zone: SessionTimeZone) throws {
        self.options = try CSVOptions(options)
        self.zone = zone
    }

    public var fileExtension: String { CSVWriter.fileExtension(options) }

    public func open(path: String, schema: Schema) throws -> PartFileWriter {
        let options = self.options, zone = self.zone
        return BufferedPartWriter(path: path, schema: schema) { batches, schema, path in
            try CSVWriter.write(batches: batches, schema: schema, to: path, options: options, zone: zone, includeHeader: options.header)
        }
    }
}

/// JSON Lines part files (the batches of a part are written when it closes).
public struct JSONFormatWriter: FileFormatWriter {
    let options: JSONOptions
    let zone: SessionTimeZone

    public init(options: [String: String], zone: SessionTimeZone) throws {
        self.options = try JSONOptions(options)
        self.zone = zone
    }

    public var fileExtension: String { JSONWriter.fileExtension(options) }

    public func open(path: String, schema: Schema) throws -> PartFileWriter {
        let options = self.options, zone = self.zone
        return BufferedPartWriter(path: path, schema: schema) { batches, schema, path in
            try JSONWriter.write(batches: batches, schema: schema, to: path, options: options, zone: zone)
        }
    }
}

/// Text part files: one line per row of the single string column.
public struct TextFormatWriter: FileFormatWriter {
    let options: TextOptions

    public init(options: [String: String], schema: Schema) throws {
        self.options = try TextOptions(options)
        try TextWriter.validate(schema)
    }

    public var fileExtension: String { TextWriter.fileExtension(options) }

    public func open(path: String, schema: Schema) throws -> PartFileWriter {
        let options = self.options
        return BufferedPartWriter(path: path, schema: schema) { batches, schema, path in
            try TextWriter.write(batches: batches, schema: schema, to: path, options: options)
        }
    }
}

/// A part writer for formats whose writers take all of a part's batches at once.
final class BufferedPartWriter: PartFileWriter {
    let path: String
    let schema: Schema
    let flush: ([RecordBatch], Schema, String) throws -> Void
    var batches: [RecordBatch] = []

    init(path: String, schema: Schema, flush: @escaping ([RecordBatch], Schema, String) throws -> Void) {
        self.path = path
        self.schema = schema
        self.flush = flush
    }

    func write(_ batch: RecordBatch) throws { batches.append(batch) }

    func close() throws {
        try flush(batches, schema, path)
        batches = []
    }
}

/// Spark's escaping of partition directory names (`ExternalCatalogUtils.escapePathName`).
public enum PartitionPath {
    static let special: Set<UInt8> = Set("\"#%'*/:=?\\{[]^".utf8).union([0x7f])

    public static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.isASCII, u.value < 0x20 || special.contains(UInt8(u.value)) {
                out += String(format: "%%%02X", u.value)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// `col=value` for one partition column (NULL and empty strings as Hive's default name).
    public static func segment(_ name: String, _ value: String?) -> String {
        let v = (value?.isEmpty ?? true) ? PartitionDiscovery.defaultPartitionName : escape(value ?? "")
        return escape(name) + "=" + v
    }
}
