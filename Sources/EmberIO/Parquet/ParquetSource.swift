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
    /// Lowercased names of the partition columns, in the order of `partitionValues`.
    var partitionNames: [String] = []
    /// Fewer units than cores: decode the columns of this one in parallel.
    var parallelColumns = false
    /// Filters pushed into the scan over data columns, and the scan's full output: the
    /// unit evaluates them on their columns first and decodes the rest only for the rows
    /// that pass.
    var filters: [Expr] = []
    /// Every filter of the scan is either in `filters` or decided exactly by this unit's
    /// partition values: rows that pass `filters` pass the scan's whole condition.
    var filtersCoverScan = false
    var output: [Attribute] = []

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
        for u in units {
            guard let unit = u.value as? ParquetScanUnit else { continue }
            unit.parallelColumns = units.count < ctx.config.cores
            unit.partitionNames = partNames
            unit.filters = dataFilters
            unit.filtersCoverScan = partitionFilters.count + dataFilters.count == filters.count
            unit.output = output
        }
        return units
    }

    public func read(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> [RecordBatch] {
        try readFiltered(unit, source: source, schema: schema, required: required, ctx: ctx).batches
    }

    public func readFiltered(_ unit: AnyHashableBox, source: DataSource, schema: Schema, required: [Int], ctx: ExecContext) throws -> (batches: [RecordBatch], filtered: Bool) {
        guard let u = unit.value as? ParquetScanUnit else { return ([], false) }
        let info = u.file
        let groupRows = info.rowGroupRows(u.rowGroup)
        // Which file field (or partition value) feeds each required column.
        var fileFields: [Int] = []
        var plan: [(file: Int?, part: Int?)] = []
        for r in required {
            let f = schema.fields[r]
            // Partition columns by name, wherever a given schema places them.
            if let pi = u.partitionNames.firstIndex(of: f.name.lowercased()) {
                plan.append((nil, pi))
            } else if let fi = info.schema.fields.firstIndex(where: { $0.name.lowercased() == f.name.lowercased() }) {
                if !fileFields.contains(fi) { fileFields.append(fi) }
                plan.append((fi, nil))
            } else {
                plan.append((nil, nil))
            }
        }
        var (cols, rowCount, filtered) = try ParquetSource.readWithFilters(u, fileFields: fileFields, plan: plan, required: required, ctx: ctx)
        if !filtered {
            cols = try ParquetReader.readRowGroup(info, rowGroup: u.rowGroup, fields: fileFields, parallel: u.parallelColumns)
            rowCount = groupRows
        }
        let rows = rowCount
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
        return ([RecordBatch(schema: outSchema, columns: out, count: rows)], filtered && u.filtersCoverScan)
    }

    /// Late materialization: reads the columns the unit's filters use, evaluates them, and
    /// reads the other columns for the kept rows only (dictionary-encoded ones gather just
    /// those values). Returns the columns of `fileFields` (in order), the row count and
    /// whether the filters were applied; when they cannot be (a filter over something but
    /// plain columns, or a nested column), no columns, and the caller reads everything.
    static func readWithFilters(
        _ u: ParquetScanUnit, fileFields: [Int], plan: [(file: Int?, part: Int?)], required: [Int], ctx: ExecContext
    ) throws -> ([Column], Int, Bool) {
        guard !u.filters.isEmpty, !fileFields.isEmpty else { return ([], 0, false) }
        let info = u.file
        // The file field and attribute of each filter column; every one must be read here.
        var filterFields: [Int] = []
        var filterAttrs: [Attribute] = []
        guard u.filters.allSatisfy({ !$0.referencedAttributeIDs.isEmpty }) else { return ([], 0, false) }
        let ids = u.filters.reduce(into: Set<Int>()) { $0.formUnion($1.referencedAttributeIDs) }
        for id in ids {
            guard let oi = u.output.firstIndex(where: { $0.id == id }), let k = required.firstIndex(of: oi),
                  let fi = plan[k].file else { return ([], 0, false) }
            guard case .leaf = info.schemaInfo.fields[fi], info.schema.fields[fi].dataType == u.output[oi].dataType else { return ([], 0, false) }
            filterFields.append(fi)
            filterAttrs.append(u.output[oi])
        }
        let rows = info.rowGroupRows(u.rowGroup)
        let fcols = try ParquetReader.readRowGroup(info, rowGroup: u.rowGroup, fields: filterFields, parallel: u.parallelColumns)
        let batch = RecordBatch(schema: Schema(filterAttrs.map(\.field)), columns: fcols, count: rows)
        var keep = [Bool](repeating: true, count: rows)
        let ectx = ctx.evalContext(partition: 0)
        for f in u.filters {
            let mask = try BoundExpr.bind(f, filterAttrs).eval(batch, ectx)
            guard let bools = mask.bools, bools.count == rows else { return ([], 0, false) }
            let words = mask.validity?.words
            keep.withUnsafeMutableBufferPointer { k in
                bools.withUnsafeBufferPointer { b in
                    for i in 0..<rows { k[i] = k[i] && b[i] }
                }
                if let w = words {
                    for i in 0..<rows where w[i >> 6] & (1 << UInt64(i & 63)) == 0 { k[i] = false }
                }
            }
        }
        var sel: [Int32] = []
        sel.reserveCapacity(rows)
        for i in 0..<rows where keep[i] { sel.append(Int32(i)) }
        let others = fileFields.filter { !filterFields.contains($0) }
        let ocols: [Column]
        if others.isEmpty {
            ocols = []
        } else if sel.count == rows {
            ocols = try ParquetReader.readRowGroup(info, rowGroup: u.rowGroup, fields: others, parallel: u.parallelColumns)
        } else if sel.isEmpty {
            ocols = others.map { Column.nulls(info.schema.fields[$0].dataType, count: 0) }
        } else {
            ocols = try ParquetReader.readRowGroup(info, rowGroup: u.rowGroup, fields: others, parallel: u.parallelColumns, selection: sel)
        }
        var out: [Column] = []
        for f in fileFields {
            if let k = filterFields.firstIndex(of: f) {
                out.append(sel.count == rows ? fcols[k] : fcols[k].take(sel))
            } else if let k = others.firstIndex(of: f) {
                out.append(ocols[k])
            }
        }
        return (out, sel.count, true)
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
