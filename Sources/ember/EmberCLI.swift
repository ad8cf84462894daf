import ArgumentParser
import Ember
import EmberSQL
import Foundation

@main
struct EmberCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ember",
        abstract: "Ember: Spark SQL and DataFrames on every core of this machine.",
        subcommands: [SQLCommand.self, DemoCommand.self, BenchCommand.self, DatagenCommand.self, MLCommand.self, ExampleCommand.self, BenchMLCommand.self])
}

enum OutputFormat: String, ExpressibleByArgument {
    case table, csv, jsonl
}

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql", abstract: "Run SQL statements; with no query, start an interactive shell.")

    @Argument(help: "SQL text: one or more ';'-separated statements.") var query: String?
    @Option(name: .shortAndLong, help: "Read statements from a file.") var file: String?
    @Option(help: "Output format: table, csv or jsonl.") var format: OutputFormat = .table
    @Option(help: "Worker threads (default: every core).") var cores: Int?

    func run() throws {
        let session = try Session.local(cores: cores)
        var text = query
        if let file {
            guard let t = try? String(contentsOfFile: file, encoding: .utf8) else {
                FileHandle.standardError.write("error: cannot read \(file)\n".data(using: .utf8) ?? Data())
                throw ExitCode(2)
            }
            text = t
        }
        guard let text else { try shell(session); return }
        do {
            for stmt in SQLParser.splitStatements(text) {
                let df = try session.sql(stmt)
                try printResult(df, statement: stmt)
            }
        } catch let e as EmberError {
            FileHandle.standardError.write("[\(e.errorClass)] \(e.message)\n".data(using: .utf8) ?? Data())
            throw ExitCode(1)
        }
    }

    func printResult(_ df: DataFrame, statement: String) throws {
        let schema = try df.schema()
        let rows = try df.collect()
        switch format {
        case .table:
            if schema.count == 0 { return }
            print(TableFormat.render(schema: schema, rows: rows.map(\.values), truncate: 0, zone: .utc, more: nil), terminator: "")
        case .csv:
            if schema.count == 0 || (rows.isEmpty && isCommand(statement)) { return }
            print(schema.names.map(TextRows.csvField).joined(separator: ","))
            for r in rows { print(zip(r.values, schema.fields).map { TextRows.csvValue($0, $1.dataType) }.joined(separator: ",")) }
        case .jsonl:
            for r in rows { print(TextRows.jsonLine(r.values, schema)) }
        }
    }

    func isCommand(_ s: String) -> Bool {
        let w = s.trimmingCharacters(in: .whitespacesAndNewlines).prefix(6).uppercased()
        return !(w.hasPrefix("SELECT") || w.hasPrefix("WITH") || w.hasPrefix("VALUES") || w.hasPrefix("("))
    }

    /// A line-oriented SQL shell: statements end with ';', `.help` and `.quit`.
    func shell(_ session: Session) throws {
        print("Ember SQL shell. End statements with ';'. Type .help for help.")
        var buffer = ""
        let editor = LineEditor()
        while true {
            guard let line = editor.read(prompt: buffer.isEmpty ? "ember> " : "   ...> ") else { break }
            let t = line.trimmingCharacters(in: .whitespaces)
            if buffer.isEmpty && t.hasPrefix(".") {
                switch t {
                case ".quit", ".exit": return
                case ".tables": try printResult(try session.sql("SHOW TABLES"), statement: "SELECT")
                default: print(".help  this text\n.tables  list views\n.quit  leave\nSQL statements end with ';' and may span lines.")
                }
                continue
            }
            buffer += line + "\n"
            guard t.hasSuffix(";") else { continue }
            for stmt in SQLParser.splitStatements(buffer) {
                do { try printResult(try session.sql(stmt), statement: stmt) } catch {
                    print("\(error)")
                }
            }
            buffer = ""
        }
    }
}

/// `ember demo`: the mortgage job (default) and the engine tour.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "End-to-end demos: the XGBoost mortgage job (default) and a tour of the data engine.",
        subcommands: [MortgageDemoCommand.self, EngineDemoCommand.self], defaultSubcommand: MortgageDemoCommand.self)
}

struct EngineDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine", abstract: "Generate loans, write CSV, read it back, aggregate and join with SQL and DataFrames.")

    @Option(help: "Rows to generate.") var rows: Int = 200_000
    @Option(help: "Working directory.") var dir: String = NSTemporaryDirectory() + "ember-demo"

    func run() throws {
        let spark = try Session.local()
        let t0 = Date()
        // 1. Generate a loan table and write it as CSV (atomic commit).
        let loans = spark.range(Int64(rows))
            .withColumn("loan_id", col("id"))
            .withColumn("state", callFunction("element_at", callFunction("array", lit("CA"), lit("NY"), lit("TX"), lit("WA"), lit("FL")), (pmod(col("id"), 5) + 1)))
            .withColumn("upb", round(rand(7) * 400000 + 50000, 2))
            .withColumn("credit_score", (pmod(col("id") * 7919, 250) + 550))
            .withColumn("delinquent", when(pmod(col("id"), 17) === 0, 1).otherwise(lit(0)))
            .drop("id")
        try loans.write.overwrite().option("header", true).csv(dir + "/loans")
        print("wrote \(rows) loans to \(dir)/loans in \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")
        // 2. Read back with schema inference; SQL over a view.
        let back = spark.read.option("header", true).option("inferSchema", true).csv(dir + "/loans")
        try back.printSchema()
        try back.createOrReplaceTempView("loans")
        try spark.sql("""
            SELECT state, count(*) AS loans, round(avg(upb), 2) AS avg_upb,
                   sum(delinquent) AS delinquent, round(100.0 * sum(delinquent) / count(*), 2) AS pct
            FROM loans GROUP BY state ORDER BY state
            """).show()
        // 3. DataFrame API: join with a small dimension and rank within states.
        let regions = try spark.createDataFrame(
            [[.string("CA"), .string("West")], [.string("WA"), .string("West")], [.string("NY"), .string("East")],
             [.string("FL"), .string("East")], [.string("TX"), .string("South")]],
            schema: "state STRING, region STRING")
        let top = try back.join(regions, on: "state")
            .withColumn("rank", row_number().over(Window.partitionBy(col("region")).orderBy(col("upb").desc())))
            .filter(col("rank") <= 2)
            .select("region", "state", "loan_id", "upb", "rank")
            .orderBy(col("region"), col("rank"))
        try top.show()
        print("done in \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")
    }
}
