import EmberColumnar
import EmberCore
import EmberExec
import EmberPlan
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Parsed footers by path, reused while the file's size and modification time are unchanged
/// (schema resolution and planning both need them).
enum ParquetFooterCache {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [String: (size: Int, mtime: Int, info: ParquetFileInfo)] = [:]

    static func info(_ path: String) throws -> ParquetFileInfo {
        var st = stat()
        guard stat(path, &st) == 0 else { throw EmberError.pathNotFound(path) }
        let size = Int(st.st_size)
        let mtime = Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec)
        lock.lock()
        if let e = entries[path], e.size == size, e.mtime == mtime {
            lock.unlock()
            return e.info
        }
        lock.unlock()
        let info = try ParquetFileInfo(path: path)
        lock.lock()
        if entries.count > 4096 { entries.removeAll() }
        entries[path] = (size, mtime, info)
        lock.unlock()
        return info
    }
}

/// One unit of a Parquet scan: a row group of a file, with the file's partition values.
final class ParquetScanUnit {
    let file: ParquetFileInfo
    let rowGroup: Int
    let partitionValues: [Value]
    /// Fewer units than cores: decode the columns of this one in parallel.
    var parallelColumns = false

    init(file: ParquetFileInfo, rowGroup: Int, partitionValues: [Value]) {
        self.file = file
        self.rowGroup = rowGroup
        self.partitionValues = partitionValues
    }
}

/// The Parquet data source: `spark.read.parquet`, `USING parquet`, `parquet.\`path\``.
/// Row groups are the units of parallel work; filters prune partitions by directory value
/// and row groups by statistics; only the columns the query needs are read.
public final class ParquetSource: FileSourceReader {
    public init() {}

    /// The schema of `paths`: the first file's columns, then the partition columns.
    public static func inferSchema(_ source: DataSource, zone: SessionTimeZone) throws -> Schema {
        let discovery = try PartitionDiscovery.discover(source.paths, zone: zone)
        guard let first = discovery.files.first else {
            throw EmberError(errorClass: "UNABLE_TO_INFER_SCHEMA", sqlState: "42KD9", message: "Unable to infer schema for Parquet. It must be specified manually.")
        }
        let info = try ParquetFooterCache.info(first.path)
        var fields = info.schema.fields
        let names = Set(fields.map { $0.name.lowercased() })
        for c in discovery.columns where !names.contains(c.name.lowercased()) { fields.append(c) }
        return Schema(fields)
    }

    public func planPartitions(_ source: DataSource, schema: Schema, filters: [Expr], output: [Attribute], ctx: ExecContext) throws -> [AnyHashableBox] {
        let discovery = try PartitionDiscovery.discover(source.paths, userSchema: schema, zone: ctx.config.timeZone)
        let partNames = discovery.columns.map { $0.name.lowercased() }
        // Attribute ids of partition columns and of data columns.
        var partAttr: [Int: Int] = [:]
        for (i, a) in output.enumerated() where i < schema.fields.count {
            if let k = partNames.firstIndex(of: a.name.lowercased()) { partAttr[a.id] = k }
        }
        let partitionFilters = filters.filter { f in
            let refs = f.referencedAttributeIDs
            return !refs.isEmpty && refs.allSatisfy { partAttr[$0] != nil }
        }
        let dataFilters = filters.filter { f in f.referencedAttributeIDs.allSatisfy { partAttr[$0] == nil } }
        let ectx = ctx.evalContext(partition: 0)
        var units: [AnyHashableBox] = []
        var keep: [Bool] = []
        if !partitionFilters.isEmpty && !discovery.columns.isEmpty {
            // One row per file holding its partition values; the filters keep or drop the file.
            let attrs = discovery.columns.enumerated().map { k, c in
                output.first { partAttr[$0.id] == k } ?? Attribute(id: -1 - k, name: c.name, dataType: c.dataType, nullable: true)
            }
            let pschema = Schema(discovery.columns)
            var builders = discovery.columns.map { ColumnBuilder(type: $0.dataType, capacity: discovery.files.count) }
            for f in discovery.files {
                for k in builders.indices { try builders[k].append(f.values[k]) }
            }
            let batch = RecordBatch(schema: pschema, columns: builders.map { b in var b = b; return b.finish() }, count: discovery.files.count)
            var mask = [Bool](repeating: true, count: discovery.files.count)
            for f in partitionFilters {
                let col = try BoundExpr.bind(f, attrs).eval(batch, ectx)
                for i in 0..<batch.count where col.isNull(i) || col.bools?[i] == false { mask[i] = false }
            }
            keep = mask
        } else {
            keep = [Bool](repeating: true, count: discovery.files.count)
        }
        for (i, f) in discovery.files.enumerated() where keep[i] {
            let info = try ParquetFooterCache.info(f.path)
            var columns: [Int: Int] = [:]
            for a in output {
                if let fi = info.schema.fields.firstIndex(where: { $0.name.lowercased() == a.name.lowercased() }),
                   info.schema.fields[fi].dataType == a.dataType {
                    columns[a.id] = fi
                }
            }
            let stats = ParquetStatsFilter(columns: columns, info: info)
            for rg in 0..<info.rowGroupCount where info.rowGroupRows(rg) > 0 {
                if !dataFilters.isEmpty && !stats.mayMatch(dataFilters, rowGroup: rg) { continue }
                units.append(AnyHashableBox(ParquetScanUnit(file: info, rowGroup: rg, partitionValues: f.values)))
            }
        }
        if units.count < ctx.config.cores {
            for u in units { (u.value as? ParquetScanUnit)?.parallelColumns = true }
        }
        return units
    }

    public func read(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> [RecordBatch] {
        guard let u = unit.value as? ParquetScanUnit else { return [] }
        let info = u.file
        let rows = info.rowGroupRows(u.rowGroup)
        // Which file field (or partition value) feeds each required column.
        var fileFields: [Int] = []
        var plan: [(file: Int?, part: Int?)] = []
        let partCount = u.partitionValues.count
        for r in required {
            let f = schema.fields[r]
            if r >= schema.fields.count - partCount, partCount > 0 {
                plan.append((nil, r - (schema.fields.count - partCount)))
            } else if let fi = info.schema.fields.firstIndex(where: { $0.name.lowercased() == f.name.lowercased() }) {
                if !fileFields.contains(fi) { fileFields.append(fi) }
                plan.append((fi, nil))
            } else {
                plan.append((nil, nil))
            }
        }
        let cols = try ParquetReader.readRowGroup(info, rowGroup: u.rowGroup, fields: fileFields, parallel: u.parallelColumns)
        var out: [Column] = []
        for (k, p) in plan.enumerated() {
            let target = schema.fields[required[k]].dataType
            if let fi = p.file, let idx = fileFields.firstIndex(of: fi) {
                let c = cols[idx]
                guard c.type == target else {
                    throw EmberError(errorClass: "FAILED_READ_FILE.PARQUET_COLUMN_DATA_TYPE_MISMATCH", sqlState: "KD001",
                                     message: "Encountered error while reading file \(info.path). Data type mismatches when reading Parquet column \(schema.fields[required[k]].name). Expected Spark type \(target.sql), actual Parquet type \(c.type.sql).")
                }
                out.append(c)
            } else if let pi = p.part {
                out.append(Column.constant(u.partitionValues[pi], type: target, count: rows))
            } else {
                out.append(Column.nulls(target, count: rows))
            }
        }
        let outSchema = Schema(required.map { schema.fields[$0] })
        return [RecordBatch(schema: outSchema, columns: out, count: rows)]
    }
}

extension Expr {
    /// Ids of the resolved attributes an expression reads.
    var referencedAttributeIDs: Set<Int> {
        var out: Set<Int> = []
        func walk(_ e: Expr) {
            switch e {
            case .attribute(let a): out.insert(a.id)
            case .call(let c): c.args.forEach(walk)
            case .cast(let x, _, _): walk(x)
            case .alias(let x, _, _): walk(x)
            case .literal: break
            default: out.insert(Int.min)  // anything else: treat as not prunable
            }
        }
        walk(self)
        return out
    }
}
