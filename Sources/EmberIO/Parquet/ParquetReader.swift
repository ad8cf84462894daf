import EmberColumnar
import EmberCore
import Foundation

/// An open Parquet file's footer: metadata and schema (with the field metadata of Spark's
/// schema JSON, when the file has one).
public final class ParquetFileInfo: @unchecked Sendable {
    public let path: String
    public let size: Int
    let metadata: ParquetFileMetaData
    let schemaInfo: ParquetSchemaInfo
    /// End of the data region (start of the footer).
    let dataEnd: Int

    public var schema: Schema { schemaInfo.schema }
    public var rowCount: Int { Int(metadata.numRows) }
    public var rowGroupCount: Int { metadata.rowGroups.count }
    public func rowGroupRows(_ i: Int) -> Int { Int(metadata.rowGroups[i].numRows) }
    public var createdBy: String? { metadata.createdBy }
    public var keyValueMetadata: [String: String] {
        var d: [String: String] = [:]
        for (k, v) in metadata.keyValue { d[k] = v ?? "" }
        return d
    }

    /// Reads and checks the footer of `path`.
    public init(path: String) throws {
        let file = try FileReader(path)
        defer { file.close() }
        self.path = path
        size = file.size()
        guard size >= 12 else {
            throw EmberError.corruptFile("\(path) is not a Parquet file: it is only \(size) bytes (at least 12 are needed)")
        }
        var tail: [UInt8] = []
        try file.read(into: &tail, offset: size - 8, count: 8)
        var head: [UInt8] = []
        try file.read(into: &head, offset: 0, count: 4)
        guard tail.count == 8, head.count == 4 else { throw EmberError.corruptFile("\(path): cannot read the file's ends") }
        let magic = Array("PAR1".utf8)
        if Array(tail[4..<8]) == Array("PARE".utf8) {
            throw EmberError.unsupported("\(path) is an encrypted Parquet file; encryption is not supported")
        }
        guard Array(tail[4..<8]) == magic else {
            throw EmberError.corruptFile("\(path) is not a Parquet file: expected magic number PAR1 at byte \(size - 4), found \(tail[4..<8].map { String(format: "%02X", $0) }.joined())")
        }
        guard head == magic else {
            throw EmberError.corruptFile("\(path) is not a Parquet file: expected magic number PAR1 at byte 0")
        }
        let footerLen = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard footerLen > 0, footerLen <= size - 12 else {
            throw EmberError.corruptFile("\(path): footer length \(footerLen) at byte \(size - 8) does not fit in a file of \(size) bytes")
        }
        dataEnd = size - 8 - footerLen
        var footer: [UInt8] = []
        try file.read(into: &footer, offset: dataEnd, count: footerLen)
        guard footer.count == footerLen else { throw EmberError.corruptFile("\(path): footer truncated") }
        let fileOffset = dataEnd
        let md: ParquetFileMetaData = try footer.withUnsafeBytes { buf in
            var r = ThriftCompactReader(buf, fileOffset: fileOffset, what: "\(path) footer")
            let s = try r.readStruct()
            return try ParquetFileMetaData(thrift: s) { r.error($0) }
        }
        metadata = md
        var si = try ParquetSchemaInfo(md.schema, what: path)
        // Field metadata from Spark's schema JSON, when the writer left one.
        if let kv = md.keyValue.last(where: { $0.0 == ParquetSparkSchema.key }), let text = kv.1 {
            si.schema = ParquetSparkSchema.applying(text, to: si.schema)
        }
        schemaInfo = si
        for (i, rg) in md.rowGroups.enumerated() {
            guard rg.columns.count == schemaInfo.leaves.count else {
                throw EmberError.corruptFile("\(path): row group \(i) has \(rg.columns.count) column chunks for \(schemaInfo.leaves.count) columns")
            }
            guard rg.numRows >= 0 else { throw EmberError.corruptFile("\(path): row group \(i) has \(rg.numRows) rows") }
        }
    }

    /// Byte range of a column chunk, checked against the file.
    func chunkRange(rowGroup: Int, leaf: Int) throws -> (ParquetColumnMetaData, Int, Int) {
        let chunk = metadata.rowGroups[rowGroup].columns[leaf]
        if chunk.filePath != nil {
            throw EmberError.unsupported("\(path): column chunks in external files are not supported")
        }
        guard let meta = chunk.metaData else { throw EmberError.corruptFile("\(path): row group \(rowGroup) column \(leaf) has no metadata") }
        var start = Int(meta.dataPageOffset)
        if let d = meta.dictionaryPageOffset, d > 0, d < start { start = Int(d) }
        let len = Int(meta.totalCompressedSize)
        guard start >= 4, len >= 0, len <= dataEnd - start else {
            throw EmberError.corruptFile("\(path): column chunk \(schemaInfo.leaves[leaf].path.joined(separator: ".")) of row group \(rowGroup) claims bytes \(start)..<\(start + len) outside the data region (4..<\(dataEnd))")
        }
        return (meta, start, len)
    }
}

/// Reads row groups of a Parquet file into record batches.
public enum ParquetReader {
    /// Reads the top-level fields named in `fields` (indices into the file schema) of one
    /// row group. Only those fields' column chunks are read from disk.
    /// With `selection` (ascending row numbers), only those rows are returned; flat
    /// dictionary-encoded columns then gather only the selected values.
    public static func readRowGroup(_ info: ParquetFileInfo, rowGroup: Int, fields: [Int], parallel: Bool = false, selection: [Int32]? = nil) throws -> [Column] {
        guard rowGroup >= 0, rowGroup < info.metadata.rowGroups.count else {
            throw EmberError.internalError("row group \(rowGroup) of \(info.path) does not exist")
        }
        let rows = Int(info.metadata.rowGroups[rowGroup].numRows)
        let file = try FileReader(info.path)
        defer { file.close() }
        let leafIndices = fields.flatMap { info.schemaInfo.fields[$0].leaves }
        // Each leaf's chunk is read and decoded on its own; with `parallel`, on several threads.
        var results = [Result<LeafData, Error>?](repeating: nil, count: leafIndices.count)
        let decodeOne = { (k: Int) -> Result<LeafData, Error> in
            Result {
                let leafIndex = leafIndices[k]
                let (meta, start, len) = try info.chunkRange(rowGroup: rowGroup, leaf: leafIndex)
                var bytes: [UInt8] = []
                bytes.reserveCapacity(len)
                let got = try file.read(into: &bytes, offset: start, count: len)
                guard got == len else { throw EmberError.corruptFile("\(info.path): column chunk at byte \(start) is truncated (\(got) of \(len) bytes)") }
                let reader = ParquetColumnChunkReader(leaf: info.schemaInfo.leaves[leafIndex], meta: meta, file: info.path)
                return try reader.decode(bytes, start: start, rows: rows, keepDictionaryIndices: selection != nil)
            }
        }
        if parallel && leafIndices.count > 1 {
            let lock = NSLock()
            DispatchQueue.concurrentPerform(iterations: leafIndices.count) { k in
                let r = decodeOne(k)
                lock.lock(); results[k] = r; lock.unlock()
            }
        } else {
            for k in leafIndices.indices { results[k] = decodeOne(k) }
        }
        var data: [Int: LeafData] = [:]
        for (k, r) in results.enumerated() {
            guard let r else { throw EmberError.internalError("column chunk \(k) was not decoded") }
            data[leafIndices[k]] = try r.get()
        }
        let assembler = ParquetAssembler(leaves: info.schemaInfo.leaves, data: data, what: info.path)
        var out: [Column] = []
        for f in fields {
            let node = info.schemaInfo.fields[f]
            var c: Column
            if let sel = selection {
                if case .leaf(let li, let t) = node {
                    c = try assembler.flatColumn(li, type: t, selection: sel)
                } else {
                    c = try assembler.column(node)
                    guard c.count == rows else { throw EmberError.corruptFile("\(info.path): column \(info.schema.fields[f].name) of row group \(rowGroup) has \(c.count) rows, the row group \(rows)") }
                    c = c.take(sel)
                }
                out.append(c)
                continue
            }
            c = try assembler.column(node)
            guard c.count == rows else {
                throw EmberError.corruptFile("\(info.path): column \(info.schema.fields[f].name) of row group \(rowGroup) has \(c.count) rows, the row group \(rows)")
            }
            out.append(c)
        }
        return out
    }

    /// Reads a whole file (every row group, every column): for tests and small files.
    public static func readFile(_ path: String) throws -> (Schema, [RecordBatch]) {
        let info = try ParquetFileInfo(path: path)
        let all = Array(info.schema.fields.indices)
        var batches: [RecordBatch] = []
        for rg in 0..<info.rowGroupCount {
            let cols = try readRowGroup(info, rowGroup: rg, fields: all)
            batches.append(RecordBatch(schema: info.schema, columns: cols, count: info.rowGroupRows(rg)))
        }
        return (info.schema, batches)
    }
}
