import EmberColumnar
import EmberCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Options of the Parquet writer (Spark's names where Spark has one).
public struct ParquetWriteOptions: Sendable {
    /// `compression` / `parquet.compression`: none, uncompressed, snappy (default), gzip, zstd, lz4, lz4_raw.
    var codec: ParquetCodec = .snappy
    /// `parquet.block.size`: target bytes of a row group before compression.
    public var rowGroupBytes = 128 << 20
    /// `parquet.page.size`: target bytes of a data page.
    public var pageBytes = 1 << 20
    /// `parquet.dictionary.page.size`: a dictionary larger than this falls back to PLAIN.
    public var dictionaryPageBytes = 1 << 20
    /// `parquet.enable.dictionary`.
    public var dictionary = true
    /// `parquet.compression.codec.zstd.level` and friends.
    public var compressionLevel: Int? = nil

    public init() {}

    public init(_ options: [String: String]) throws {
        for (k, v) in options {
            switch k.lowercased() {
            case "compression", "parquet.compression", "codec":
                switch v.lowercased() {
                case "none", "uncompressed": codec = .uncompressed
                case "snappy": codec = .snappy
                case "gzip": codec = .gzip
                case "zstd": codec = .zstd
                case "lz4", "lz4_raw", "lz4raw": codec = .lz4Raw
                default:
                    throw EmberError.invalidArgument("Codec [\(v)] is not available. Available codecs are brotli, uncompressed, lzo, lz4_raw, lz4, gzip, snappy, none, zstd.")
                }
            case "parquet.block.size", "rowgroupsize", "row_group_size":
                rowGroupBytes = try positive(k, v)
            case "parquet.page.size", "pagesize":
                pageBytes = try positive(k, v)
            case "parquet.dictionary.page.size":
                dictionaryPageBytes = try positive(k, v)
            case "parquet.enable.dictionary":
                dictionary = v.lowercased() != "false"
            case "parquet.compression.codec.zstd.level", "compressionlevel":
                compressionLevel = Int(v)
            default: break
            }
        }
    }

    private func positive(_ k: String, _ v: String) throws -> Int {
        guard let n = Int(v), n > 0 else { throw EmberError.invalidArgument("Option \(k) must be a positive number of bytes, got '\(v)'") }
        return n
    }
}

/// Writes one Parquet file: `write` batches, then `close`. Row groups are buffered in
/// memory up to `rowGroupBytes` and written with dictionary or PLAIN pages, statistics and
/// the chosen codec. The file only gets its footer (and so only becomes readable) at `close`;
/// the footer carries Spark's schema JSON (`ParquetSparkSchema`), field metadata included.
public final class ParquetFileWriter {
    public let path: String
    let schema: Schema
    let options: ParquetWriteOptions
    let info: ParquetSchemaInfo
    let elements: [ParquetSchemaElement]
    private var shredder: ParquetShredder
    private var fd: Int32
    private var offset = 0
    private var rowGroups: [ParquetRowGroup] = []
    private var bufferedRows = 0
    private var bufferedBytes = 0
    private var totalRows = 0
    private var out: [UInt8] = []

    public init(path: String, schema: Schema, options: ParquetWriteOptions = ParquetWriteOptions()) throws {
        self.path = path
        self.schema = schema
        self.options = options
        elements = try ParquetSchemaWriter.elements(schema)
        info = try ParquetSchemaInfo(elements, what: path)
        shredder = ParquetShredder(info)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { throw EmberError.io("Cannot create \(path): \(String(cString: strerror(errno)))") }
        try emit(Array("PAR1".utf8))
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    public func write(_ batch: RecordBatch) throws {
        guard batch.count > 0 else { return }
        guard batch.columns.count == schema.fields.count else {
            throw EmberError.internalError("batch has \(batch.columns.count) columns, the Parquet schema \(schema.fields.count)")
        }
        try shredder.append(batch)
        bufferedRows += batch.count
        bufferedBytes += batch.columns.reduce(0) { $0 + $1.byteSize }
        if bufferedBytes >= options.rowGroupBytes { try flushRowGroup() }
    }

    /// Writes the last row group and the footer, and closes the file.
    public func close() throws {
        if bufferedRows > 0 { try flushRowGroup() }
        let md = ParquetFileMetaData(
            version: 1, schema: elements, numRows: Int64(totalRows), rowGroups: rowGroups,
            keyValue: [(ParquetSparkSchema.key, ParquetSparkSchema.json(schema))],
            createdBy: "Ember version 0.3.0")
        let footer = md.encode()
        var tail = footer
        let n = UInt32(footer.count)
        tail.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)])
        tail.append(contentsOf: Array("PAR1".utf8))
        try emit(tail)
        if Glibc.close(fd) != 0 {
            fd = -1
            throw EmberError.io("Cannot close \(path): \(String(cString: strerror(errno)))")
        }
        fd = -1
    }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { b in
            var done = 0
            while done < b.count {
                guard let base = b.baseAddress else { return }
                let n = Glibc.write(fd, base + done, b.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw EmberError.io("Cannot write \(path): \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
        offset += bytes.count
    }

    private func flushRowGroup() throws {
        let start = offset
        var chunks: [ParquetColumnChunk] = []
        var uncompressed = 0
        for li in shredder.buffers.indices {
            let (chunk, size) = try writeChunk(shredder.buffers[li], rows: bufferedRows)
            chunks.append(chunk)
            uncompressed += size
            shredder.buffers[li].reset()
        }
        rowGroups.append(ParquetRowGroup(
            columns: chunks, totalByteSize: Int64(uncompressed), numRows: Int64(bufferedRows),
            fileOffset: Int64(start), totalCompressedSize: Int64(offset - start)))
        totalRows += bufferedRows
        bufferedRows = 0
        bufferedBytes = 0
    }

    // MARK: Column chunks

    private func writeChunk(_ b: LeafBuffer, rows: Int) throws -> (ParquetColumnChunk, Int) {
        let leaf = b.leaf
        let chunkStart = offset
        let entries = leaf.maxDef == 0 ? b.values.count(leaf.physical) : b.defs.count
        let nonNull = b.values.count(leaf.physical)
        var encodings: Set<Int32> = [ParquetEncoding.rle.rawValue]
        var uncompressedTotal = 0
        var dictionaryOffset: Int64? = nil

        // Dictionary encoding when it pays: few distinct values relative to the data.
        var dict: ParquetDictionary? = nil
        if options.dictionary && leaf.physical != .boolean && nonNull > 0 {
            dict = ParquetDictionary.build(b.values, physical: leaf.physical, limitBytes: options.dictionaryPageBytes)
        }
        if let d = dict {
            let dictBody = d.encodePlain(physical: leaf.physical)
            let (bytes, size) = try page(pageType: .dictionaryPage, body: dictBody, numValues: d.count, dictionary: true)
            dictionaryOffset = Int64(offset)
            try emit(bytes)
            uncompressedTotal += size
            encodings.insert(ParquetEncoding.plain.rawValue)
            encodings.insert(ParquetEncoding.rleDictionary.rawValue)
        } else {
            encodings.insert(ParquetEncoding.plain.rawValue)
        }
        let dataOffset = offset

        // Pages: cut at record starts, about `pageBytes` each.
        let bytesPerEntry = max(1, estimateBytes(b.values, leaf.physical) / max(1, nonNull))
        let perPage = max(1, options.pageBytes / bytesPerEntry)
        var e = 0
        var v = 0
        while e < entries || (entries == 0 && e == 0) {
            var end = min(entries, e + perPage)
            if leaf.maxRep > 0 { while end < entries && b.reps[end] != 0 { end += 1 } }
            var body: [UInt8] = []
            if leaf.maxRep > 0 { appendLevels(b.reps, e..<end, max: leaf.maxRep, into: &body) }
            var valuesInPage = end - e
            if leaf.maxDef > 0 {
                appendLevels(b.defs, e..<end, max: leaf.maxDef, into: &body)
                let m = UInt8(leaf.maxDef)
                valuesInPage = 0
                for k in e..<end where b.defs[k] == m { valuesInPage += 1 }
            }
            if let d = dict {
                d.encodeIndices(v..<(v + valuesInPage), into: &body)
            } else {
                encodePlainValues(b.values, physical: leaf.physical, v..<(v + valuesInPage), into: &body)
            }
            let (bytes, size) = try page(
                pageType: .dataPage, body: body, numValues: end - e,
                encoding: dict == nil ? .plain : .rleDictionary)
            try emit(bytes)
            uncompressedTotal += size
            v += valuesInPage
            e = end
            if entries == 0 { break }
        }
        let stats = ParquetStatisticsBuilder.build(b.values, leaf: leaf, nulls: Int64(entries - nonNull))
        let meta = ParquetColumnMetaData(
            type: leaf.physical, encodings: encodings.sorted(), path: leaf.path, codec: options.codec,
            numValues: Int64(entries), totalUncompressedSize: Int64(uncompressedTotal),
            totalCompressedSize: Int64(offset - chunkStart), dataPageOffset: Int64(dataOffset),
            indexPageOffset: nil, dictionaryPageOffset: dictionaryOffset, statistics: stats)
        return (ParquetColumnChunk(filePath: nil, fileOffset: Int64(chunkStart), metaData: meta), uncompressedTotal)
    }

    /// Header + (compressed) body of one page; returns the bytes and the uncompressed size.
    private func page(pageType: ParquetPageType, body: [UInt8], numValues: Int, encoding: ParquetEncoding = .plain, dictionary: Bool = false) throws -> ([UInt8], Int) {
        let compressed = try ParquetCodecs.compress(options.codec, body, level: options.compressionLevel)
        let stored = compressed ?? body
        var header = ParquetPageHeader(
            type: pageType.rawValue, uncompressedPageSize: Int32(body.count), compressedPageSize: Int32(stored.count))
        if dictionary {
            header.dictionaryPage = ParquetDictionaryPageHeader(numValues: Int32(numValues), encoding: ParquetEncoding.plain.rawValue)
        } else {
            header.dataPage = ParquetDataPageHeader(
                numValues: Int32(numValues), encoding: encoding.rawValue,
                definitionLevelEncoding: ParquetEncoding.rle.rawValue, repetitionLevelEncoding: ParquetEncoding.rle.rawValue)
        }
        var w = ThriftCompactWriter()
        header.encode(into: &w)
        let headerSize = w.out.count
        var bytes = w.out
        bytes.append(contentsOf: stored)
        return (bytes, headerSize + body.count)
    }

    private func appendLevels(_ levels: [UInt8], _ r: Range<Int>, max: Int, into body: inout [UInt8]) {
        if let first = r.first.map({ levels[$0] }), levels[r].allSatisfy({ $0 == first }) {
            // One value throughout (no NULLs, the common case): a single run.
            var enc: [UInt8] = []
            RLEEncoder.writeRun(UInt32(first), count: r.count, bitWidth: bitWidth(for: max), into: &enc)
            let n = UInt32(enc.count)
            body.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)])
            body.append(contentsOf: enc)
            return
        }
        var tmp = [UInt32]()
        tmp.reserveCapacity(r.count)
        for k in r { tmp.append(UInt32(levels[k])) }
        var enc: [UInt8] = []
        tmp.withUnsafeBufferPointer { RLEEncoder.encode($0, bitWidth: bitWidth(for: max), into: &enc) }
        let n = UInt32(enc.count)
        body.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)])
        body.append(contentsOf: enc)
    }

    private func estimateBytes(_ v: PhysicalValues, _ p: ParquetPhysicalType) -> Int {
        switch p {
        case .boolean: return v.bools.count / 8 + 1
        case .int32: return v.i32.count * 4
        case .int64, .int96: return v.i64.count * 8
        case .float: return v.f32.count * 4
        case .double: return v.f64.count * 8
        case .byteArray: return v.data.count + 4 * (v.offsets.count - 1)
        case .fixedLenByteArray: return v.data.count
        }
    }
}

/// PLAIN encoding of a range of values.
func encodePlainValues(_ v: PhysicalValues, physical: ParquetPhysicalType, _ r: Range<Int>, into out: inout [UInt8]) {
    func raw<T>(_ a: [T]) {
        a.withUnsafeBytes { b in
            let size = MemoryLayout<T>.size
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[(r.lowerBound * size)..<(r.upperBound * size)]))
        }
    }
    switch physical {
    case .boolean:
        var byte: UInt8 = 0
        var bits = 0
        for i in r {
            if v.bools[i] { byte |= 1 << UInt8(bits) }
            bits += 1
            if bits == 8 { out.append(byte); byte = 0; bits = 0 }
        }
        if bits > 0 { out.append(byte) }
    case .int32: raw(v.i32)
    case .int64: raw(v.i64)
    case .float: raw(v.f32)
    case .double: raw(v.f64)
    case .int96:
        for i in r {
            let micros = v.i64[i]
            let days = micros >= 0 ? micros / 86_400_000_000 : (micros - 86_399_999_999) / 86_400_000_000
            let nanos = (micros - days * 86_400_000_000) * 1000
            withUnsafeBytes(of: UInt64(bitPattern: nanos).littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: days + 2_440_588).littleEndian) { out.append(contentsOf: $0) }
        }
    case .byteArray:
        out.reserveCapacity(out.count + Int(v.offsets[r.upperBound] - v.offsets[r.lowerBound]) + 4 * r.count)
        for i in r {
            let s = Int(v.offsets[i]), e = Int(v.offsets[i + 1])
            let n = UInt32(e - s)
            out.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)])
            out.append(contentsOf: v.data[s..<e])
        }
    case .fixedLenByteArray:
        out.append(contentsOf: v.data[Int(v.offsets[r.lowerBound])..<Int(v.offsets[r.upperBound])])
    }
}
