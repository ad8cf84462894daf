import EmberColumnar
import EmberCore

/// Arrow IPC, the columnar exchange format of pyarrow and Spark Connect: the streaming
/// format (schema message, dictionary and record batch messages, end-of-stream marker)
/// and the file format ("ARROW1", the stream, a footer; Feather V2 is the same).
///
/// Ember types map to Arrow as: boolean→Bool, byte/short/int/long→Int8/16/32/64,
/// float/double→Float32/64, decimal(p,s)→Decimal128(p,s), string→Utf8, binary→Binary,
/// date→Date32, timestamp→Timestamp(us, "UTC"), array→List<element>,
/// map→Map<entries: Struct<key, value>>, struct→Struct. Reading also accepts large and
/// view strings, binaries and lists, fixed-size binary and lists, unsigned integers,
/// Float16, Date64, timestamps of any unit and zone, Decimal32/64/256 and
/// dictionary-encoded columns (decoded to plain values).
///
/// Corrupt input throws `FAILED_READ_FILE` naming the file and byte offset; it never
/// traps and never allocates more than the data it claims can justify.
public enum ArrowIPC {
    /// Reads a whole Arrow IPC stream.
    public static func readStream(_ bytes: [UInt8]) throws -> (Schema, [RecordBatch]) {
        let reader = try ArrowStreamReader(bytes)
        var out: [RecordBatch] = []
        while let b = try reader.next() { out.append(b) }
        return (reader.schema, out)
    }

    /// Reads Arrow IPC bytes in either format (a file opens with "ARROW1"). `name` appears
    /// in errors; `projection` selects columns by index (all when nil).
    public static func read(_ bytes: [UInt8], name: String? = nil, projection: [Int]? = nil) throws -> (Schema, [RecordBatch]) {
        let source = ArrowSource(name: name)
        let isFile = bytes.withUnsafeBytes { ArrowFileReader.isFile($0) }
        if isFile {
            return try bytes.withUnsafeBytes { try ArrowFileReader.read($0, source: source, projection: projection) }
        }
        if bytes.starts(with: Array("FEA1".utf8)) {
            throw source.unsupported("Feather V1 files are not supported; rewrite them as Feather V2 / Arrow IPC")
        }
        let reader = try ArrowStreamReader(bytes, name: name, projection: projection)
        var out: [RecordBatch] = []
        while let b = try reader.next() { out.append(b) }
        return (reader.schema, out)
    }

    static func checkProjection(_ p: [Int], _ count: Int) throws {
        guard p.allSatisfy({ $0 >= 0 && $0 < count }) else {
            throw EmberError.invalidArgument("Arrow projection \(p) out of range for \(count) columns.")
        }
    }

    /// Reads an Arrow IPC file (or stream) from disk.
    public static func readFile(path: String) throws -> (Schema, [RecordBatch]) {
        try read(try readAll(path), name: path)
    }

    /// Reads `columns` of `schema` from a file: columns are matched by name (ignoring
    /// case), must have the schema's type, and read as NULLs when the file lacks them.
    public static func readFile(path: String, schema: Schema, columns: [Int]) throws -> [RecordBatch] {
        let bytes = try readAll(path)
        let full = try bytes.withUnsafeBytes { raw -> Schema in
            if ArrowFileReader.isFile(raw) { return try ArrowFileReader.footer(raw, source: ArrowSource(name: path)).0.schema }
            return try ArrowStreamReader(bytes, name: path).schema
        }
        var sources: [Int?] = []
        var projection: [Int] = []
        for c in columns {
            guard c >= 0, c < schema.count else { throw EmberError.internalError("column \(c) of \(schema.count) requested") }
            let want = schema[c]
            guard let i = full.index(of: want.name) else { sources.append(nil); continue }
            guard sameShape(full[i].dataType, want.dataType) else {
                throw EmberError(
                    errorClass: "FAILED_READ_FILE.NO_HINT", sqlState: "KD001",
                    message: "Encountered error while reading file \(path): column `\(want.name)` has type \(full[i].dataType.sql) in the file, but the schema says \(want.dataType.sql).")
            }
            sources.append(projection.count)
            projection.append(i)
        }
        let (_, batches) = try read(bytes, name: path, projection: projection)
        let outSchema = Schema(columns.map { schema[$0] })
        return batches.map { b in
            let cols = zip(columns, sources).map { c, s -> Column in
                guard let s else { return Column.nulls(schema[c].dataType, count: b.count) }
                var col = b.columns[s]
                col.type = schema[c].dataType
                return col
            }
            return RecordBatch(schema: outSchema, columns: cols, count: b.count)
        }
    }

    /// The Ember schema of an Arrow file or stream, reading only its schema (the footer of
    /// a file, the first message of a stream).
    public static func readSchema(path: String) throws -> Schema {
        let source = ArrowSource(name: path)
        let file = try FileReader(path)
        defer { file.close() }
        let size = file.size()
        var head: [UInt8] = []
        try file.read(into: &head, offset: 0, count: min(size, 8))
        if head.starts(with: arrowFileMagic) {
            guard size >= 18 else { throw source.corrupt("file of \(size) bytes is too short for the Arrow file format", at: 0) }
            var tail: [UInt8] = []
            try file.read(into: &tail, offset: size - 10, count: 10)
            let length = tail.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(as: Int32.self))) }
            guard length > 0, length <= size - 18 else { throw source.corrupt("footer length \(length)", at: size - 10) }
            var footer: [UInt8] = []
            try file.read(into: &footer, offset: size - 10 - length, count: length)
            return try footer.withUnsafeBytes { raw in
                let reader = FlatBufferReader(bytes: raw, base: size - 10 - length, source: source)
                guard let schema = try reader.root().table(1) else { throw source.corrupt("footer without a schema", at: size - 10 - length) }
                return try ArrowReadState(schema: schema, source: source).schema
            }
        }
        if head.starts(with: Array("FEA1".utf8)) {
            throw source.unsupported("Feather V1 files are not supported; rewrite them as Feather V2 / Arrow IPC")
        }
        // A stream: the schema message's prefix and metadata are all that is needed.
        guard head.count == 8 else { throw source.corrupt("file of \(size) bytes holds no Arrow schema", at: 0) }
        let (first, second) = head.withUnsafeBytes { ($0.loadUnaligned(as: UInt32.self), $0.loadUnaligned(fromByteOffset: 4, as: Int32.self)) }
        let metaLength = first == 0xFFFF_FFFF ? Int(Int32(littleEndian: second)) + 8 : Int(Int32(bitPattern: UInt32(littleEndian: first))) + 4
        guard metaLength > 8, metaLength <= size else { throw source.corrupt("schema message length \(metaLength)", at: 0) }
        var message: [UInt8] = []
        try file.read(into: &message, offset: 0, count: metaLength)
        return try ArrowStreamReader(message, name: path, projection: nil).schema
    }

    /// Encodes batches as an Arrow IPC stream.
    public static func writeStream(schema: Schema, batches: [RecordBatch], compression: ArrowCompression = .none) throws -> [UInt8] {
        var chunks: [[UInt8]] = []
        let w = try ArrowStreamWriter(schema: schema, compression: compression) { chunks.append($0) }
        for b in batches { try w.write(b) }
        try w.finish()
        return join(chunks)
    }

    /// Encodes batches in the Arrow IPC file format, in memory.
    public static func fileBytes(schema: Schema, batches: [RecordBatch], compression: ArrowCompression = .none) throws -> [UInt8] {
        var chunks: [[UInt8]] = []
        let w = try ArrowStreamWriter(schema: schema, compression: compression, initial: arrowFileMagic + [0, 0]) {
            chunks.append($0)
        }
        for b in batches { try w.write(b) }
        try w.finishFile()
        return join(chunks)
    }

    /// Writes batches to `path` in the Arrow IPC file format.
    public static func writeFile(path: String, schema: Schema, batches: [RecordBatch], compression: ArrowCompression = .none) throws {
        let w = try ArrowFileWriter(path: path, schema: schema, compression: compression)
        for b in batches { try w.write(b) }
        try w.close()
    }

    /// The chunks one after the other, copied once.
    static func join(_ chunks: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
        for c in chunks { out.append(contentsOf: c) }
        return out
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        let file = try FileReader(path)
        defer { file.close() }
        var bytes: [UInt8] = []
        let size = file.size()
        bytes.reserveCapacity(size)
        try file.read(into: &bytes, offset: 0, count: size)
        return bytes
    }
}
