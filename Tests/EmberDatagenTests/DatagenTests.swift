import Ember
import EmberDatagen
import EmberIO
import Foundation
import XCTest

/// Helpers: temporary directories and whole-dataset reads.
enum DatagenFixture {
    static func tempDir() -> String {
        let d = NSTemporaryDirectory() + "ember-datagen-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// Data files of `dir` (sorted, without `_SUCCESS`).
    static func files(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix("_") }.sorted()
    }

    static func bytes(_ path: String) -> [UInt8] {
        (FileManager.default.contents(atPath: path)).map { [UInt8]($0) } ?? []
    }

    /// Every data file of a table directory, concatenated in name order.
    static func table(_ dir: String) -> [UInt8] {
        files(dir).flatMap { bytes(dir + "/" + $0) }
    }

    /// Lines split into fields on `|`.
    static func rows(_ bytes: [UInt8]) -> [[Substring]] {
        String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { $0.split(separator: "|", omittingEmptySubsequences: false) }
    }

    static func generate(_ g: LoanGenerator) -> (AcquisitionColumns, PerformanceColumns) {
        var a = AcquisitionColumns()
        var p = PerformanceColumns()
        g.generate(0..<g.loans, acquisition: &a, performance: &p)
        return (a, p)
    }

    /// Worst delinquency status of each loan (by loan index), from performance columns.
    static func worstStatus(_ a: AcquisitionColumns, _ p: PerformanceColumns) -> [Int] {
        var index: [Int64: Int] = [:]
        for i in 0..<a.count { index[a.loanID[i]] = i }
        var worst = [Int](repeating: 0, count: a.count)
        for r in 0..<p.count {
            guard let i = index[p.loanID[r]] else { continue }
            worst[i] = max(worst[i], Int(p.status[r]))
        }
        return worst
    }
}

/// Collects typed RecordBatches per file path (a columnar sink for the tests).
final class MemoryBatchWriter: RecordBatchFileWriter {
    static let lock = NSLock()
    nonisolated(unsafe) static var written: [String: [RecordBatch]] = [:]
    let path: String

    init(path: String) { self.path = path }

    func write(_ batch: RecordBatch) throws {
        MemoryBatchWriter.lock.lock(); defer { MemoryBatchWriter.lock.unlock() }
        MemoryBatchWriter.written[path, default: []].append(batch)
    }

    func close() throws {
        _ = FileManager.default.createFile(atPath: path, contents: Data())
    }
}

final class DatagenTests: XCTestCase {
    // MARK: Random streams

    func testGeneratorsMatchReferenceVectors() {
        // Published outputs of the reference implementations: SplitMix64 seeded with
        // 1234567, and xoshiro256** from the state (1, 2, 3, 4).
        var sm = SplitMix64(seed: 1_234_567)
        XCTAssertEqual([sm.next(), sm.next(), sm.next()], [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423])
        var x = Xoshiro256(state: (1, 2, 3, 4))
        XCTAssertEqual((0..<6).map { _ in x.next() }, [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360, 607_988_272_756_665_600])
        // Streams of different loans differ; the same stream repeats.
        var a = Xoshiro256(seed: 42, stream: 0), b = Xoshiro256(seed: 42, stream: 1), c = Xoshiro256(seed: 42, stream: 0)
        let va = a.next()
        XCTAssertNotEqual(va, b.next())
        XCTAssertEqual(va, c.next())
    }

    // MARK: Determinism

    func testSameSeedGivesSameBytesOnAnyCoreCountAndPartSize() throws {
        let g = try LoanGenerator(loans: 3000, seed: 7)
        let root = DatagenFixture.tempDir()
        let one = try XCTUnwrap(try LoanDatagen.write(g, to: root + "/one", options: .init(cores: 1, loansPerPart: 400, progress: false)))
        try LoanDatagen.write(g, to: root + "/three", options: .init(cores: 3, loansPerPart: 400, progress: false))
        try LoanDatagen.write(g, to: root + "/big", options: .init(cores: 2, loansPerPart: 100_000, progress: false))
        for table in ["acquisition", "performance"] {
            let names = DatagenFixture.files(root + "/one/" + table)
            // 750 loans a quarter in parts of at most 400: two parts per quarter.
            XCTAssertEqual(names, ["part-00000_2000Q1.csv", "part-00001_2000Q1.csv", "part-00002_2000Q2.csv", "part-00003_2000Q2.csv",
                                   "part-00004_2000Q3.csv", "part-00005_2000Q3.csv", "part-00006_2000Q4.csv", "part-00007_2000Q4.csv"])
            XCTAssertEqual(names, DatagenFixture.files(root + "/three/" + table))
            for n in names {
                XCTAssertEqual(DatagenFixture.bytes(root + "/one/\(table)/\(n)"), DatagenFixture.bytes(root + "/three/\(table)/\(n)"), "\(table)/\(n)")
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/one/\(table)/_SUCCESS"))
            // Other part sizes only cut the same bytes differently.
            XCTAssertEqual(DatagenFixture.files(root + "/big/" + table).count, 4)
            XCTAssertEqual(DatagenFixture.table(root + "/one/" + table), DatagenFixture.table(root + "/big/" + table))
        }
        XCTAssertEqual(one.loans, 3000)
        XCTAssertEqual(one.parts, 8)
        XCTAssertEqual(one.performanceBytes, DatagenFixture.table(root + "/one/performance").count)
        XCTAssertEqual(one.acquisitionBytes, DatagenFixture.table(root + "/one/acquisition").count)
        // The in-memory columns are the same rows as the files.
        let (a, p) = DatagenFixture.generate(g)
        XCTAssertEqual(DatagenFixture.rows(DatagenFixture.table(root + "/one/acquisition")).count, a.count)
        XCTAssertEqual(DatagenFixture.rows(DatagenFixture.table(root + "/one/performance")).count, p.count)
        XCTAssertEqual(one.performanceRows, p.count)
        // Another seed gives other data.
        try LoanDatagen.write(try LoanGenerator(loans: 3000, seed: 8), to: root + "/other", options: .init(progress: false))
        XCTAssertNotEqual(DatagenFixture.table(root + "/one/performance"), DatagenFixture.table(root + "/other/performance"))
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Shape of the rows

    func testPerformanceRowsCoverEachLoansMonths() throws {
        let g = try LoanGenerator(loans: 2000, seed: 11, startYear: 2005, quarters: 2, endYear: 2009)
        let (a, p) = DatagenFixture.generate(g)
        XCTAssertEqual(a.count, 2000)
        let endMonth = Int32(2009 * 12 + 11)
        var r = 0
        var zeroBalanced = 0
        for i in 0..<a.count {
            let first = r
            while r < p.count && p.loanID[r] == a.loanID[i] { r += 1 }
            let n = r - first
            XCTAssertGreaterThan(n, 0)
            // Consecutive months from the first payment; the last row ends the loan or the window.
            for k in 0..<n {
                XCTAssertEqual(p.period[first + k], a.firstPayMonth[i] + Int32(k))
                XCTAssertEqual(p.loanAge[first + k], Int32(k))
                XCTAssertEqual(p.remainingMonths[first + k], max(0, p.maturityMonth[first + k] - p.period[first + k] + 1))
                if k < n - 1 { XCTAssertEqual(p.zeroBalanceCode[first + k], 0) }
            }
            let last = r - 1
            XCTAssertTrue(p.zeroBalanceCode[last] != 0 || p.period[last] == endMonth)
            XCTAssertEqual(Int32(n), min(p.period[last], endMonth) - a.firstPayMonth[i] + 1)
            if p.zeroBalanceCode[last] != 0 {
                zeroBalanced += 1
                XCTAssertEqual(p.upb[last], 0)
                XCTAssertEqual(p.zeroBalanceMonth[last], p.period[last])
            }
            // Unmodified loans keep the original rate and maturity.
            if p.modFlag[last] == UInt8(ascii: "N") {
                XCTAssertEqual(p.rate[last], a.origRate[i])
                XCTAssertEqual(p.maturityMonth[last], a.firstPayMonth[i] + a.origTerm[i] - 1)
            }
        }
        XCTAssertEqual(r, p.count, "performance rows are grouped by loan in acquisition order")
        XCTAssertEqual(p.count, 90_963)
        XCTAssertEqual(zeroBalanced, 1_103)
    }

    func testBalancesAmortize() throws {
        let g = try LoanGenerator(loans: 3000, seed: 5)
        let (a, p) = DatagenFixture.generate(g)
        var index: [Int64: Int] = [:]
        for i in 0..<a.count { index[a.loanID[i]] = i }
        var curtailment = [Int64?](repeating: nil, count: a.count)
        var steps = 0
        for k in 1..<p.count where p.loanID[k] == p.loanID[k - 1] {
            guard let i = index[p.loanID[k]] else { return XCTFail("unknown loan") }
            // A month in which a current loan stayed current: exactly one installment paid.
            guard p.upb[k - 1] > 0, p.upb[k] > 0, p.status[k - 1] == 0, p.status[k] == 0, p.modFlag[k] == UInt8(ascii: "N")
            else { continue }
            let r = Double(a.origRate[i]) / 1000 / 1200
            let balance = Int64(a.origUPB[i]) * 100
            let payment = Int64((Double(balance) * r / (1 - pow(1 + r, -Double(a.origTerm[i])))).rounded())
            let interest = Int64(Double(p.upb[k - 1]) * r + 0.5)
            let extra = p.upb[k - 1] - (payment - interest) - p.upb[k]
            XCTAssertGreaterThanOrEqual(extra, 0)
            if let c = curtailment[i] { XCTAssertEqual(extra, c, "loan \(p.loanID[k]): a constant monthly curtailment") }
            curtailment[i] = extra
            steps += 1
        }
        let curtailing = curtailment.filter { ($0 ?? 0) > 0 }.count
        let checked = curtailment.filter { $0 != nil }.count
        XCTAssertEqual(steps, 61_025)
        XCTAssertEqual(checked, 2_708)
        XCTAssertEqual(curtailing, 414)
        // First disclosed balance (age 6) of loans current from the start: seven scheduled
        // payments in, and no balance before it.
        var start = 0
        var verified = 0
        while start < p.count {
            var end = start
            while end < p.count && p.loanID[end] == p.loanID[start] { end += 1 }
            if let i = index[p.loanID[start]], end - start > 6, curtailment[i] == 0, (start...start + 6).allSatisfy({ p.status[$0] == 0 }) {
                var b = Int64(a.origUPB[i]) * 100
                let r = Double(a.origRate[i]) / 1000 / 1200
                let payment = Int64((Double(b) * r / (1 - pow(1 + r, -Double(a.origTerm[i])))).rounded())
                for _ in 0..<7 { b -= payment - Int64(Double(b) * r + 0.5) }
                XCTAssertEqual(p.upb[start + 6], b)
                XCTAssertTrue((start...start + 5).allSatisfy { p.upb[$0] == -1 }, "not disclosed in the first six months")
                verified += 1
            }
            start = end
        }
        XCTAssertEqual(verified, 2_197)
    }

    func testLineFormats() throws {
        let g = try LoanGenerator(loans: 2500, seed: 3, startYear: 2006, quarters: 3)
        let root = DatagenFixture.tempDir()
        try LoanDatagen.write(g, to: root + "/d", options: .init(loansPerPart: 600, progress: false))
        let acq = DatagenFixture.rows(DatagenFixture.table(root + "/d/acquisition"))
        let perf = DatagenFixture.rows(DatagenFixture.table(root + "/d/performance"))
        func digits(_ s: Substring, _ n: ClosedRange<Int>) -> Bool { n.contains(s.count) && s.allSatisfy(\.isNumber) }
        func monthYear(_ s: Substring) -> Bool {
            s.count == 7 && digits(s.prefix(2), 2...2) && s.dropFirst(2).first == "/" && digits(s.suffix(4), 4...4)
                && (1...12).contains(Int(s.prefix(2)) ?? 0)
        }
        func monthDayYear(_ s: Substring) -> Bool {
            let parts = s.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 3 && digits(parts[0], 2...2) && digits(parts[1], 2...2) && digits(parts[2], 4...4)
                && (1...12).contains(Int(parts[0]) ?? 0) && (1...31).contains(Int(parts[1]) ?? 0)
        }
        func decimal(_ s: Substring) -> Bool { Double(s) != nil && !s.contains("e") && !s.hasPrefix(".") }
        func cents(_ s: Substring) -> Bool {
            let parts = s.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 2 && digits(parts[0], 1...12) && digits(parts[1], 2...2)
        }
        XCTAssertEqual(acq.count, 2500)
        for f in acq {
            XCTAssertEqual(f.count, 25)
            XCTAssertTrue(digits(f[0], 12...12))
            XCTAssertTrue(["R", "C", "B"].contains(f[1]))
            XCTAssertTrue(decimal(f[3]) && digits(f[4], 5...6) && ["360", "180", "240", "300", "120"].contains(f[5]))
            XCTAssertTrue(monthYear(f[6]) && monthYear(f[7]), "\(f)")
            XCTAssertTrue(digits(f[8], 2...3) && digits(f[9], 2...3) && digits(f[10], 1...1))
            XCTAssertTrue(f[11].isEmpty || digits(f[11], 1...2))
            XCTAssertTrue(f[12].isEmpty || digits(f[12], 3...3))
            XCTAssertTrue(["Y", "N", "U"].contains(f[13]) && ["P", "C", "R", "U"].contains(f[14]))
            XCTAssertTrue(["SF", "PU", "CO", "MH", "CP"].contains(f[15]) && digits(f[16], 1...1) && ["P", "S", "I"].contains(f[17]))
            XCTAssertTrue(f[18].count == 2 && digits(f[19], 3...3))
            XCTAssertTrue(f[20].isEmpty == (Int(f[8]) ?? 0 <= 80))
            XCTAssertEqual(f[21], "FRM")
            XCTAssertTrue(f[22].isEmpty || digits(f[22], 3...3))
            if f[10] == "1" { XCTAssertEqual(f[22], "") }
            XCTAssertEqual(f[23].isEmpty, f[20].isEmpty)
            XCTAssertTrue(["Y", "N"].contains(f[24]))
        }
        var zeroBalanceRows = 0
        for f in perf {
            XCTAssertEqual(f.count, 31)
            XCTAssertTrue(digits(f[0], 12...12) && monthDayYear(f[1]) && f[1].dropFirst(3).hasPrefix("01/"))
            XCTAssertTrue(decimal(f[3]) && (f[4].isEmpty || cents(f[4])), "\(f)")
            XCTAssertTrue(digits(f[5], 1...3) && digits(f[6], 1...3) && digits(f[7], 1...3) && monthYear(f[8]))
            XCTAssertTrue(f[9].isEmpty || digits(f[9], 1...5))
            XCTAssertTrue(f[10] == "X" || digits(f[10], 1...3))
            XCTAssertTrue(["Y", "N"].contains(f[11]) && ["Y", "N"].contains(f[30]))
            if f[12].isEmpty {
                XCTAssertTrue(f[13...16].allSatisfy(\.isEmpty) && f[28].isEmpty)
            } else {
                zeroBalanceRows += 1
                XCTAssertTrue(["01", "02", "03", "06", "09", "15", "16"].contains(f[12]) && monthYear(f[13]))
                XCTAssertEqual(f[4], "0.00")
                XCTAssertTrue(f[14].isEmpty || monthDayYear(f[14]))
                XCTAssertTrue((f[15].isEmpty || monthDayYear(f[15])) && (f[16].isEmpty || monthDayYear(f[16])))
                XCTAssertTrue(["Y", "N"].contains(f[28]))
            }
            for m in 17...27 { XCTAssertTrue(f[m].isEmpty || cents(f[m]), "\(f)") }
            XCTAssertTrue(f[29].isEmpty)
        }
        XCTAssertEqual(perf.count, 102_853)
        XCTAssertEqual(zeroBalanceRows, 2_479)
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Distributions (exact for the fixed seed, checked for plausibility)

    func testMissingValueCounts() throws {
        let g = try LoanGenerator(loans: 5000, seed: 42)
        let (a, p) = DatagenFixture.generate(g)
        let missingScore = a.creditScore.filter { $0 < 0 }.count
        let missingDTI = a.dti.filter { $0 < 0 }.count
        let coBorrowed = (0..<a.count).filter { a.borrowers[$0] > 1 }
        let missingCoScore = coBorrowed.filter { a.coScore[$0] < 0 }.count
        let singleWithCoScore = (0..<a.count).filter { a.borrowers[$0] == 1 && a.coScore[$0] >= 0 }.count
        var msaMissingLoans = Set<Int64>()
        for r in 0..<p.count where p.msa[r] < 0 { msaMissingLoans.insert(p.loanID[r]) }
        let missingServicer = p.servicer.filter { $0 < 0 }.count
        let unknownStatus = p.status.filter { $0 < 0 }.count
        XCTAssertEqual(
            [missingScore, missingDTI, missingCoScore, coBorrowed.count, msaMissingLoans.count, missingServicer, unknownStatus, p.count],
            [83, 87, 62, 2758, 97, 2906, 714, 146_828])
        XCTAssertEqual(singleWithCoScore, 0)
        // Around 2% each (0.5% for unknown status).
        for (n, of) in [(missingScore, a.count), (missingDTI, a.count), (missingCoScore, coBorrowed.count), (msaMissingLoans.count, a.count), (missingServicer, p.count)] {
            XCTAssertEqual(Double(n) / Double(of), 0.02, accuracy: 0.006)
        }
        XCTAssertEqual(Double(unknownStatus) / Double(p.count), 0.005, accuracy: 0.002)
    }

    func testDelinquencyIsPredictedByCreditScoreDTIAndLTV() throws {
        let g = try LoanGenerator(loans: 20_000, seed: 42)
        let (a, p) = DatagenFixture.generate(g)
        let worst = DatagenFixture.worstStatus(a, p)
        func rate(_ sel: (Int) -> Bool) -> (loans: Int, ever90: Int) {
            let ks = (0..<a.count).filter(sel)
            return (ks.count, ks.filter { worst[$0] >= 3 }.count)
        }
        let all = rate { _ in true }
        let lowScore = rate { a.creditScore[$0] >= 0 && a.creditScore[$0] < 650 }
        let highScore = rate { a.creditScore[$0] > 760 }
        let highDTI = rate { a.dti[$0] >= 45 }
        let lowDTI = rate { a.dti[$0] >= 0 && a.dti[$0] < 30 }
        let highLTV = rate { a.ltv[$0] > 90 }
        let lowLTV = rate { a.ltv[$0] <= 70 }
        XCTAssertEqual([all.loans, all.ever90], [20_000, 750])
        XCTAssertEqual([lowScore.loans, lowScore.ever90, highScore.loans, highScore.ever90], [1889, 406, 8724, 68])
        XCTAssertEqual([highDTI.loans, highDTI.ever90, lowDTI.loans, lowDTI.ever90], [2180, 250, 6891, 94])
        XCTAssertEqual([highLTV.loans, highLTV.ever90, lowLTV.loans, lowLTV.ever90], [1684, 122, 10200, 205])
        func r(_ x: (loans: Int, ever90: Int)) -> Double { Double(x.ever90) / Double(x.loans) }
        // A few percent of loans ever reach 90+ days; low scores several times as often as high ones.
        XCTAssertTrue((0.02...0.06).contains(r(all)))
        XCTAssertGreaterThan(r(lowScore), 5 * r(highScore))
        XCTAssertGreaterThan(r(highDTI), 3 * r(lowDTI))
        XCTAssertGreaterThan(r(highLTV), 2 * r(lowLTV))
        // Delinquencies cure as well as roll: some loans reach 30 days late and never 90.
        let curedOnly = (0..<a.count).filter { worst[$0] >= 1 && worst[$0] < 3 }.count
        XCTAssertEqual(curedOnly, 954)
    }

    // MARK: Reading back

    func testFilesReadBackWithTheDocumentedSchemasInFailFastMode() throws {
        let g = try LoanGenerator(loans: 1500, seed: 21, startYear: 2006, quarters: 4)
        let root = DatagenFixture.tempDir()
        let s = try XCTUnwrap(try LoanDatagen.write(g, to: root + "/d", options: .init(loansPerPart: 500, progress: false)))
        let spark = try Session.local(cores: 2)
        let acq = try spark.read.option("delimiter", "|").option("mode", "FAILFAST").schema(LoanSchemas.acquisitionCSV).csv(root + "/d/acquisition")
        let perf = try spark.read.option("delimiter", "|").option("mode", "FAILFAST").schema(LoanSchemas.performanceCSV).csv(root + "/d/performance")
        XCTAssertEqual(try acq.count(), 1500)
        XCTAssertEqual(try perf.count(), s.performanceRows)
        try acq.createOrReplaceTempView("acq")
        try perf.createOrReplaceTempView("perf")
        let (a, p) = DatagenFixture.generate(g)
        let worst = DatagenFixture.worstStatus(a, p)
        let rows = try spark.sql("""
            SELECT count(*), count(borrower_credit_score), count(dti), sum(CASE WHEN w >= 3 THEN 1 ELSE 0 END),
                   sum(orig_upb), count(coborrow_credit_score)
            FROM acq JOIN (SELECT loan_id, max(try_cast(current_loan_delinquency_status AS INT)) AS w FROM perf GROUP BY loan_id) USING (loan_id)
            """).collect()
        XCTAssertEqual(rows.first?.values, [
            .long(1500), .long(Int64(a.creditScore.filter { $0 >= 0 }.count)), .long(Int64(a.dti.filter { $0 >= 0 }.count)),
            .long(Int64(worst.filter { $0 >= 3 }.count)), .long(a.origUPB.reduce(0) { $0 + Int64($1) }),
            .long(Int64(a.coScore.filter { $0 >= 0 }.count)),
        ])
        let balances = try spark.sql("SELECT count(current_actual_upb), sum(current_actual_upb) FROM perf").collect()
        let disclosed = p.upb.filter { $0 >= 0 }
        XCTAssertEqual(balances.first?.values[0], .long(Int64(disclosed.count)))
        XCTAssertEqual(balances.first?.values[1].doubleValue ?? 0, Double(disclosed.reduce(0, +)) / 100, accuracy: 1)
        try? FileManager.default.removeItem(atPath: root)
    }

    func testTypedBatchesMatchTheText() throws {
        let g = try LoanGenerator(loans: 400, seed: 9, startYear: 2007, quarters: 2)
        let root = DatagenFixture.tempDir()
        try LoanDatagen.write(g, to: root + "/csv", options: .init(loansPerPart: 150, progress: false))
        MemoryBatchWriter.lock.lock(); MemoryBatchWriter.written = [:]; MemoryBatchWriter.lock.unlock()
        let format = LoanOutputFormat.batches(fileExtension: "bin") { path, _ in MemoryBatchWriter(path: path) }
        try LoanDatagen.write(g, to: root + "/bin", options: .init(loansPerPart: 150, format: format, progress: false))
        XCTAssertEqual(DatagenFixture.files(root + "/bin/performance"), DatagenFixture.files(root + "/csv/performance").map { $0.replacingOccurrences(of: ".csv", with: ".bin") })
        func typed(_ table: String) -> [[Value]] {
            let batches = MemoryBatchWriter.written.filter { $0.key.contains("/\(table)/") }.sorted { $0.key < $1.key }.flatMap(\.value)
            return batches.flatMap { b in (0..<b.count).map { b.row($0) } }
        }
        let acqTyped = typed("acquisition"), perfTyped = typed("performance")
        XCTAssertEqual(try LoanSchemas.performance(typed: true).names.count, 31)
        XCTAssertEqual(MemoryBatchWriter.written.values.flatMap { $0 }.first { $0.schema.count == 31 }?.schema, try LoanSchemas.performance(typed: true))

        let spark = try Session.local(cores: 2)
        try spark.read.option("delimiter", "|").option("mode", "FAILFAST").schema(LoanSchemas.acquisitionCSV).csv(root + "/csv/acquisition").createOrReplaceTempView("acq")
        try spark.read.option("delimiter", "|").option("mode", "FAILFAST").schema(LoanSchemas.performanceCSV).csv(root + "/csv/performance").createOrReplaceTempView("perf")
        let acqText = try spark.sql("""
            SELECT loan_id, orig_channel, seller_name, orig_interest_rate, orig_upb, orig_loan_term, to_date(orig_date, 'MM/yyyy'),
                   to_date(first_pay_date, 'MM/yyyy'), orig_ltv, orig_cltv, num_borrowers, dti, borrower_credit_score, first_home_buyer,
                   loan_purpose, property_type, num_units, occupancy_status, property_state, zip, mortgage_insurance_percent,
                   product_type, coborrow_credit_score, mortgage_insurance_type, relocation_mortgage_indicator
            FROM acq
            """).collect().map(\.values)
        let perfText = try spark.sql("""
            SELECT loan_id, to_date(monthly_reporting_period, 'MM/dd/yyyy'), servicer, interest_rate, current_actual_upb, loan_age,
                   remaining_months_to_legal_maturity, adj_remaining_months_to_maturity, to_date(maturity_date, 'MM/yyyy'), msa,
                   try_cast(current_loan_delinquency_status AS INT), mod_flag, zero_balance_code,
                   to_date(zero_balance_effective_date, 'MM/yyyy'), to_date(last_paid_installment_date, 'MM/dd/yyyy'),
                   to_date(foreclosed_after, 'MM/dd/yyyy'), to_date(disposition_date, 'MM/dd/yyyy'), foreclosure_costs,
                   prop_preservation_and_repair_costs, asset_recovery_costs, misc_holding_expenses, holding_taxes, net_sale_proceeds,
                   credit_enhancement_proceeds, repurchase_make_whole_proceeds, other_foreclosure_proceeds, non_interest_bearing_upb,
                   principal_forgiveness_upb, repurchase_make_whole_proceeds_flag, foreclosure_principal_write_off_amount,
                   servicing_activity_indicator
            FROM perf
            """).collect().map(\.values)
        XCTAssertEqual(acqTyped.count, 400)
        XCTAssertEqual(acqText.count, 400)
        XCTAssertEqual(perfText.count, perfTyped.count)
        func key(_ r: [Value]) -> String { "\(r[0])|\(r[1])" }
        XCTAssertEqual(acqText.sorted { key($0) < key($1) }, acqTyped.sorted { key($0) < key($1) })
        XCTAssertEqual(perfText.sorted { key($0) < key($1) }, perfTyped.sorted { key($0) < key($1) })
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Commit and errors

    func testFailedRunLeavesNothingBehind() throws {
        let g = try LoanGenerator(loans: 2000, seed: 1)
        let root = DatagenFixture.tempDir()
        let failing = LoanOutputFormat.batches(fileExtension: "bin") { path, _ in
            if path.contains("part-00003") { throw EmberError.io("disk full writing \(path)") }
            return MemoryBatchWriter(path: path)
        }
        XCTAssertThrowsError(try LoanDatagen.write(g, to: root + "/new", options: .init(cores: 2, loansPerPart: 250, format: failing, progress: false))) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "IO_ERROR")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root), [], "no target and no staging directory")
        // Overwrite keeps the old dataset when the new one fails.
        try LoanDatagen.write(try LoanGenerator(loans: 10, seed: 1), to: root + "/old", options: .init(progress: false))
        let before = DatagenFixture.table(root + "/old/performance")
        XCTAssertThrowsError(try LoanDatagen.write(g, to: root + "/old", options: .init(loansPerPart: 250, format: failing, mode: .overwrite, progress: false)))
        XCTAssertEqual(DatagenFixture.table(root + "/old/performance"), before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root), ["old"])
        // Existing target without overwrite: PATH_ALREADY_EXISTS; with .ignore: nothing written.
        XCTAssertThrowsError(try LoanDatagen.write(g, to: root + "/old", options: .init(progress: false))) {
            XCTAssertEqual(($0 as? EmberError)?.errorClass, "PATH_ALREADY_EXISTS")
        }
        XCTAssertNil(try LoanDatagen.write(g, to: root + "/old", options: .init(mode: .ignore, progress: false)))
        try? FileManager.default.removeItem(atPath: root)
    }

    /// `--format parquet` holds the same rows as the text files, typed.
    func testParquetOutputMatchesText() throws {
        let root = DatagenFixture.tempDir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let g = try LoanGenerator(loans: 600, seed: 9)
        try LoanDatagen.write(g, to: root + "/csv", options: .init(cores: 2, loansPerPart: 200, progress: false))
        try LoanDatagen.write(g, to: root + "/pq", options: .init(cores: 2, loansPerPart: 200, format: try LoanOutputFormat.parquet(), progress: false))
        let spark = try Session.local(cores: 2)
        let text = spark.read.option("delimiter", "|").schema(try LoanSchemas.performance(typed: false)).csv(root + "/csv/performance")
        let pq = spark.read.parquet(root + "/pq/performance")
        XCTAssertEqual(try pq.schema(), try LoanSchemas.performance(typed: true))
        let a = try text.agg(count(lit(1)), sum(col("current_actual_upb")), sum(col("loan_age")), count(col("msa"))).collect().map { $0.values }
        let b = try pq.agg(count(lit(1)), sum(col("current_actual_upb")), sum(col("loan_age")), count(col("msa"))).collect().map { $0.values }
        XCTAssertEqual(a, b)
        XCTAssertEqual(try spark.read.parquet(root + "/pq/acquisition").count(), 600)
    }

    func testInvalidSettingsAndParquetThrow() {
        func errorClass(_ f: () throws -> Any?) -> String? {
            do { _ = try f(); return nil } catch { return (error as? EmberError)?.errorClass }
        }
        XCTAssertEqual(errorClass { try LoanGenerator(loans: 0, seed: 1) }, "INVALID_PARAMETER_VALUE")
        XCTAssertEqual(errorClass { try LoanGenerator(loans: 10, seed: 1, quarters: 0) }, "INVALID_PARAMETER_VALUE")
        XCTAssertEqual(errorClass { try LoanGenerator(loans: 10, seed: 1, startYear: 1990) }, "INVALID_PARAMETER_VALUE")
        XCTAssertEqual(errorClass { try LoanGenerator(loans: 10, seed: 1, startYear: 2000, quarters: 8, endYear: 2001) }, "INVALID_PARAMETER_VALUE")
        XCTAssertEqual(errorClass { try LoanOutputFormat.parquet(options: ["compression": "brotli9"]) }, "INVALID_PARAMETER_VALUE")
        XCTAssertEqual(errorClass {
            try LoanDatagen.write(try LoanGenerator(loans: 10, seed: 1), to: DatagenFixture.tempDir() + "/x", options: .init(mode: .append))
        }, "INVALID_PARAMETER_VALUE")
    }

    func testLoanIdentifiersAndQuarters() throws {
        let g = try LoanGenerator(loans: 10, seed: 1, startYear: 2010, quarters: 3)
        XCTAssertEqual((0..<3).map { g.loans(inQuarter: $0) }, [0..<4, 4..<7, 7..<10])
        XCTAssertEqual((0..<10).map { g.quarter(ofLoan: $0) }, [0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
        XCTAssertEqual(g.quarterLabel(2), "2010Q3")
        XCTAssertEqual(g.endYear, 2020)
        XCTAssertEqual(LoanGenerator.loanID(0), 223_456_789_011)
        let ids = Set((0..<100_000).map(LoanGenerator.loanID))
        XCTAssertEqual(ids.count, 100_000)
        XCTAssertTrue(ids.allSatisfy { (100_000_000_000...999_999_999_999).contains($0) })
    }
}
