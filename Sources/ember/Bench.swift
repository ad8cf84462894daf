import ArgumentParser
import Ember
import EmberDatagen
import struct EmberColumnar.RecordBatch
import enum EmberPlan.ValueFormat
import enum EmberExec.RuntimeEvent
import protocol EmberExec.RuntimeListener
import Foundation

/// `ember bench QUERY --data DIR`: Ember's side of the peer benchmark in bench/ (see
/// bench/README.md). Loads the input CSV into memory with an explicit schema, then runs
/// the query `--reps` times with full materialization (`collectBatches`) and prints one
/// JSON line: {"engine","query","seconds" (best),"rows","load_seconds","startup_seconds",
/// "times","checksum"}. Only Ember's public API is used.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmark one query (groupby, join, sort, csv, etl) over the data of bench/gen_data.py.")

    @Argument(help: "groupby, join, sort, csv or etl.") var query: String
    @Option(help: "Directory of bench/gen_data.py's CSV files.") var data: String = "bench/data"
    @Option(help: "Worker threads (default: every core).") var cores: Int?
    @Option(help: "Timed repetitions; the best is reported.") var reps: Int = 3
    @Option(help: "How the input is held in memory: cache (DataFrame.cache(), one concatenated batch) or batches (collectBatches() kept as they are, via createDataFrame(batches:)).")
    var load: String = "cache"
    @Option(help: "Output directory of the etl query (default: bench/out/etl-ember).") var out: String?
    @Flag(help: "Print load and per-repetition timings to stderr.") var verbose = false
    @Flag(help: "Print the physical plan and the stages (name, tasks, ms, task ms) of the last repetition to stderr.")
    var stages = false

    static let schemas: [String: String] = [
        "groupby": "id BIGINT, k BIGINT, v DOUBLE, s STRING",
        "fact": "key BIGINT, x DOUBLE",
        "dim": "key BIGINT, name STRING",
        "big": "loan_id BIGINT, period DATE, servicer STRING, rate DOUBLE, upb DOUBLE, age INT, months INT, maturity DATE, msa INT, delinquency STRING, modified STRING, zero_balance STRING",
        "acq": "loan_id BIGINT, orig_date DATE, state STRING, credit_score INT, dti DOUBLE, ltv DOUBLE, orig_upb DOUBLE",
        "perf": "loan_id BIGINT, period DATE, status STRING, upb DOUBLE",
    ]

    func log(_ s: String) {
        if verbose { FileHandle.standardError.write(Data((s + "\n").utf8)) }
    }

    func now() -> Double { Date().timeIntervalSince1970 }

    func reader(_ spark: Session, _ name: String) throws -> DataFrame {
        guard let ddl = Self.schemas[name] else { throw ValidationError("no schema for bench input '\(name)'") }
        return try spark.read.option("header", true).schema(ddl).csv(data + "/" + name + ".csv")
    }

    /// The input held in memory.
    func loaded(_ spark: Session, _ name: String) throws -> DataFrame {
        let df = try reader(spark, name)
        switch load {
        case "cache": return try df.cache()
        case "batches": return spark.createDataFrame(batches: try df.collectBatches(), schema: try df.schema())
        default: throw ValidationError("--load must be cache or batches")
        }
    }

    func run() throws {
        let t0 = now()
        let spark = try Session.local(cores: cores)
        let startup = now() - t0
        var loadSeconds = 0.0
        let query: () throws -> [RecordBatch]
        var checksum: ([RecordBatch]) throws -> [String: Double]
        var explainTarget: DataFrame? = nil

        switch self.query {
        case "groupby":
            let l0 = now()
            let t = try loaded(spark, "groupby")
            loadSeconds = now() - l0
            let q = t.groupBy("k").agg(count(lit(1)).alias("n"), sum(col("v")).alias("sv"), avg(col("v")).alias("av"))
            explainTarget = q
            query = { try q.collectBatches() }
            checksum = { bs in
                var n = 0.0, sv = 0.0, av = 0.0, kn = 0.0
                forEachRow(bs) { r in
                    n += num(r[1]); sv += num(r[2]); av += num(r[3])
                    kn += num(r[0]) * num(r[1])
                }
                return ["rows": Double(rows(bs)), "sum_n": n, "sum_sv": sv, "sum_k_n": kn, "sum_av": av]
            }
        case "join":
            let l0 = now()
            let f = try loaded(spark, "fact")
            let d = try loaded(spark, "dim")
            loadSeconds = now() - l0
            let q = try f.join(d, on: "key").groupBy("name").agg(count(lit(1)).alias("n"), sum(col("x")).alias("sx"))
            explainTarget = q
            query = { try q.collectBatches() }
            checksum = { bs in
                var n = 0.0, sx = 0.0
                forEachRow(bs) { r in n += num(r[1]); sx += num(r[2]) }
                return ["rows": Double(rows(bs)), "sum_n": n, "sum_sx": sx]
            }
        case "sort":
            let l0 = now()
            let t = try loaded(spark, "groupby")
            loadSeconds = now() - l0
            let q = t.orderBy(col("v").desc(), col("k").asc())
            explainTarget = q
            query = { try q.collectBatches() }
            checksum = { bs in sortChecksum(bs, kIndex: 1, vIndex: 2) }
        case "csv":
            // Parse every column of big.csv (held in memory), then count + sum(rate).
            query = {
                let all = try self.loaded(spark, "big")
                return try all.agg(count(lit(1)).alias("n"), sum(col("rate")).alias("sum_rate"), sum(col("upb")).alias("sum_upb")).collectBatches()
            }
            checksum = { bs in
                guard let first = bs.first(where: { $0.count > 0 }) else { throw ValidationError("csv query returned no rows") }
                let r = first.row(0)
                return ["rows": num(r[0]), "sum_rate": num(r[1]), "sum_upb": num(r[2])]
            }
        case "etl":
            let dir = out ?? "bench/out/etl-ember"
            let result = { () throws -> DataFrame in
                let acq = try self.reader(spark, "acq")
                let perf = try self.reader(spark, "perf")
                let worst = perf.groupBy("loan_id").agg(
                    max(col("status").cast(.int)).alias("worst_status"), count(lit(1)).alias("n_periods"),
                    max(col("period")).alias("last_period"), min(col("upb")).alias("min_upb"))
                // Encode state as its index among the sorted distinct states (a small table).
                let states = try acq.select("state").distinct().orderBy("state").collect().map { $0[0] }
                let index = try spark.createDataFrame(states.enumerated().map { [$0.element, .int(Int32($0.offset))] }, schema: "state STRING, state_idx INT")
                return try acq.join(worst, on: "loan_id").join(index, on: "state").select(
                    col("loan_id"), year(col("orig_date")).alias("orig_year"), col("state_idx"), col("credit_score"),
                    col("dti"), col("ltv"), col("orig_upb"), col("worst_status"), col("n_periods"), col("last_period"),
                    col("min_upb"), when(col("worst_status") >= 3, 1).otherwise(lit(0)).alias("delinquent"))
            }
            query = {
                try result().write.mode("overwrite").option("header", true).csv(dir)
                return []
            }
            checksum = { _ in
                let r = try result().agg(count(lit(1)), sum(col("worst_status")), sum(col("state_idx")), sum(col("n_periods")), sum(col("delinquent"))).collect()[0]
                return ["rows": num(r[0]), "sum_worst": num(r[1]), "sum_state_idx": num(r[2]), "sum_n_periods": num(r[3]), "sum_delinquent": num(r[4])]
            }
        case "pq_write":
            // The loan performance table: pipe-delimited text → Parquet (snappy).
            let dir = (out ?? "bench/out") + "/pq-ember"
            query = {
                try spark.read.option("delimiter", "|").schema(LoanSchemas.performanceCSV).csv(self.data + "/loans/performance")
                    .write.mode("overwrite").parquet(dir)
                return []
            }
            checksum = { _ in
                let r = try spark.read.parquet(dir).agg(count(lit(1)), sum(col("current_actual_upb")), sum(col("loan_age"))).collect()[0]
                return ["rows": num(r[0]), "sum_upb": num(r[1]), "sum_age": num(r[2]), "out_bytes": Double(directoryBytes(dir))]
            }
        case "pq_scan":
            // Filter + aggregate over the shared Parquet copy of the performance table.
            let q = spark.read.parquet(data + "/loans/performance.parquet")
                .filter(col("interest_rate") >= lit(5.0))
                .groupBy("servicer").agg(count(lit(1)).alias("n"), sum(col("current_actual_upb")).alias("upb"), max(col("loan_age")).alias("age"))
            explainTarget = q
            query = { try q.collectBatches() }
            checksum = { bs in
                var n = 0.0, upb = 0.0, age = 0.0
                forEachRow(bs) { r in n += num(r[1]); upb += num(r[2]); age += num(r[3]) }
                return ["rows": Double(rows(bs)), "sum_n": n, "sum_upb": upb, "sum_age": age]
            }
        default:
            throw ValidationError("unknown query '\(self.query)': groupby, join, sort, csv, etl, pq_write or pq_scan")
        }
        log("startup \(startup) s, load \(loadSeconds) s")

        var times: [Double] = []
        var last: [RecordBatch] = []
        let stageLog = StageLog()
        if stages, let plan = explainTarget {
            FileHandle.standardError.write(Data(((try? plan.explainString()) ?? "").utf8))
        }
        for i in 0..<max(1, reps) {
            last = []
            if stages && i == max(1, reps) - 1 { spark.addListener(stageLog) }
            let q0 = now()
            last = try query()
            times.append(now() - q0)
            log("rep \(i): \(times.last ?? 0) s, \(rows(last)) rows")
        }
        if stages { spark.removeListener(stageLog); stageLog.report() }
        let c = try checksum(last)
        let outRows = Int(c["rows"] ?? Double(rows(last)))
        var fields: [String] = [
            "\"engine\":\"ember\"", "\"query\":\"\(self.query)\"", "\"seconds\":\(times.min() ?? 0)",
            "\"rows\":\(outRows)", "\"load_seconds\":\(loadSeconds)", "\"startup_seconds\":\(startup)",
            "\"times\":[\(times.map { "\($0)" }.joined(separator: ","))]", "\"cores\":\(cores ?? ProcessInfo.processInfo.activeProcessorCount)",
            "\"load\":\"\(load)\"",
        ]
        fields.append("\"checksum\":{" + c.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\(jsonNumber($0.value))" }.joined(separator: ",") + "}")
        print("{" + fields.joined(separator: ",") + "}")
    }
}

func rows(_ bs: [RecordBatch]) -> Int { bs.reduce(0) { $0 + $1.count } }

/// Bytes of the data files under `dir` (names not starting with `_` or `.`).
func directoryBytes(_ dir: String) -> Int {
    var total = 0
    guard let e = FileManager.default.enumerator(atPath: dir) else { return 0 }
    while let rel = e.nextObject() as? String {
        let name = (rel as NSString).lastPathComponent
        if name.hasPrefix("_") || name.hasPrefix(".") { continue }
        if let a = try? FileManager.default.attributesOfItem(atPath: dir + "/" + rel), (a[.type] as? FileAttributeType) == .typeRegular {
            total += (a[.size] as? Int) ?? 0
        }
    }
    return total
}

func forEachRow(_ bs: [RecordBatch], _ body: ([Value]) -> Void) {
    for b in bs { for i in 0..<b.count { body(b.row(i)) } }
}

func num(_ v: Value) -> Double {
    switch v {
    case .byte(let x): return Double(x)
    case .short(let x): return Double(x)
    case .int(let x): return Double(x)
    case .long(let x): return Double(x)
    case .float(let x): return Double(x)
    case .double(let x): return x
    case .decimal: return Double(ValueFormat.sparkString(v, zone: .utc)) ?? .nan
    default: return .nan
    }
}

func jsonNumber(_ d: Double) -> String {
    if !d.isFinite { return "null" }
    if d == d.rounded() && Swift.abs(d) < 9e15 { return String(Int64(d)) }
    return "\(d)"
}

/// Order-sensitive checksum of a sorted result, the same formula as bench/peers.py:
/// sum over the first 100k rows of k * (i % 7919 + 1), plus the first and last v.
func sortChecksum(_ bs: [RecordBatch], kIndex: Int, vIndex: Int) -> [String: Double] {
    var pos = 0.0, i = 0
    var first = Double.nan, last = Double.nan
    outer: for b in bs where b.count > 0 {
        if first.isNaN { first = num(b.row(0)[vIndex]) }
        for r in 0..<b.count {
            if i >= 100_000 { break outer }
            pos += num(b.row(r)[kIndex]) * Double(i % 7919 + 1)
            i += 1
        }
    }
    if let b = bs.last(where: { $0.count > 0 }) { last = num(b.row(b.count - 1)[vIndex]) }
    return ["rows": Double(rows(bs)), "pos_k": pos, "v_first": first, "v_last": last]
}

/// Collects stage and task timings from the runtime's listener bus.
final class StageLog: RuntimeListener {
    let lock = NSLock()
    var lines: [String] = []
    var names: [Int: (String, Int)] = [:]
    var taskMillis: [Int: [Double]] = [:]
    var taskRows: [Int: Int] = [:]

    func onEvent(_ event: RuntimeEvent) {
        lock.lock(); defer { lock.unlock() }
        switch event {
        case .jobStart(let job, let d): lines.append("job \(job) start: \(d)")
        case .jobEnd(let job, let ok, let ms): lines.append(String(format: "job %d end: %@ %.1f ms", job, ok ? "ok" : "FAILED", ms))
        case .stageStart(_, let stage, let name, let tasks): names[stage] = (name, tasks)
        case .stageEnd(_, let stage, let ms):
            let ts = taskMillis[stage] ?? []
            let (name, tasks) = names[stage] ?? ("?", 0)
            lines.append(String(format: "  stage %d %@: %d tasks, %.1f ms wall, task ms max %.1f sum %.1f, rows %d",
                                stage, name, tasks, ms, ts.max() ?? 0, ts.reduce(0, +), taskRows[stage] ?? 0))
        case .taskEnd(let stage, _, _, let rows, _, let ms, _):
            taskMillis[stage, default: []].append(ms); taskRows[stage, default: 0] += rows
        case .taskStart: break
        }
    }

    func report() {
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
