import EmberCore
import Foundation

/// Generates synthetic single-family mortgage loans and their monthly performance (the
/// model is documented in docs/datagen-loans.md).
///
/// Loan `i` (0 ≤ i < `loans`) draws every random value from its own xoshiro256** stream
/// seeded by `(seed, i)`, so its rows depend only on the seed, the loan count and the
/// calendar settings: never on how loans are grouped into files or spread over threads.
public struct LoanGenerator: Sendable {
    public let loans: Int
    public let seed: UInt64
    /// Loans are acquired over `quarters` quarters starting January `startYear`.
    public let startYear: Int
    public let quarters: Int
    /// Performance is observed through December of `endYear`.
    public let endYear: Int

    /// Month indexes (`year * 12 + month - 1`) of the first acquisition month and the last
    /// reporting month.
    let startMonth: Int
    let endMonth: Int
    /// Per-month series from `tableStart` on: market rate (percent), credit stress, house prices.
    let tableStart: Int
    let market: [Double]
    let stress: [Double]

    /// Performance is observed through December of the year `defaultObservationYears`
    /// after the last acquisition year, unless `endYear` says otherwise.
    public static let defaultObservationYears = 10

    public init(loans: Int, seed: UInt64, startYear: Int = 2000, quarters: Int = 4, endYear: Int? = nil) throws {
        guard loans >= 1, loans <= 1_000_000_000 else {
            throw EmberError.invalidArgument("The number of loans must be between 1 and 1000000000 (got \(loans)).")
        }
        guard (1999...2025).contains(startYear) else {
            throw EmberError.invalidArgument("The start year must be between 1999 and 2025 (got \(startYear)).")
        }
        guard (1...120).contains(quarters) else {
            throw EmberError.invalidArgument("The number of quarters must be between 1 and 120 (got \(quarters)).")
        }
        let lastAcquisitionYear = startYear + (quarters - 1) / 4
        let end = endYear ?? lastAcquisitionYear + LoanGenerator.defaultObservationYears
        guard end > lastAcquisitionYear, end <= 2100 else {
            throw EmberError.invalidArgument(
                "The end year must be after the last acquisition year \(lastAcquisitionYear) and at most 2100 (got \(end)).")
        }
        self.loans = loans
        self.seed = seed
        self.startYear = startYear
        self.quarters = quarters
        self.endYear = end
        startMonth = startYear * 12
        endMonth = end * 12 + 11
        tableStart = startMonth - 6
        market = (tableStart...endMonth).map { LoanTables.monthly(LoanTables.rate30, month: $0) }
        stress = (tableStart...endMonth).map { LoanTables.yearly(LoanTables.creditStress, $0 / 12) }
    }

    // MARK: Layout

    /// The acquisition quarter (0-based) of loan `i`: loans are spread evenly over the quarters, in order.
    public func quarter(ofLoan i: Int) -> Int { i * quarters / loans }

    /// The loans acquired in quarter `q`.
    public func loans(inQuarter q: Int) -> Range<Int> {
        let lo = (q * loans + quarters - 1) / quarters
        let hi = ((q + 1) * loans + quarters - 1) / quarters
        return lo..<hi
    }

    /// `2000Q1`-style label of quarter `q`.
    public func quarterLabel(_ q: Int) -> String { "\(startYear + q / 4)Q\(q % 4 + 1)" }

    /// A 12-digit loan identifier, unique for every index below 9·10¹¹ (a multiplicative
    /// permutation of the index, so identifiers look random, as in the real files).
    public static func loanID(_ i: Int) -> Int64 {
        Int64(100_000_000_000 + (UInt64(i) &* 2_654_435_761 &+ 123_456_789_011) % 900_000_000_000)
    }

    /// Generates loans `range`, appending their acquisition rows and performance rows.
    public func generate(_ range: Range<Int>, acquisition: inout AcquisitionColumns, performance: inout PerformanceColumns) {
        var buffer = PerformanceBuffer()
        defer { buffer.deallocate() }
        generate(range, acquisition: &acquisition, buffer: &buffer)
        buffer.drain(into: &performance)
    }

    /// Generates loans `range` into a reusable performance buffer.
    func generate(_ range: Range<Int>, acquisition: inout AcquisitionColumns, buffer: inout PerformanceBuffer) {
        for i in range { simulate(i, &acquisition, &buffer) }
    }

    // MARK: Model

    @inline(__always) static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Level monthly payment, in cents, of `balance` cents at monthly rate `r` over `n` months.
    static func payment(_ balance: Int64, _ r: Double, _ n: Int) -> Int64 {
        guard n > 0 else { return balance }
        return Int64((Double(balance) * r / (1 - pow(1 + r, -Double(n)))).rounded())
    }

    static func firstDay(_ month: Int) -> Int32 {
        Int32(DateTime.daysFromCivil(month / 12, month % 12 + 1, 1))
    }

    static let ascii = (R: UInt8(ascii: "R"), C: UInt8(ascii: "C"), B: UInt8(ascii: "B"), P: UInt8(ascii: "P"),
                        U: UInt8(ascii: "U"), S: UInt8(ascii: "S"), I: UInt8(ascii: "I"), Y: UInt8(ascii: "Y"),
                        N: UInt8(ascii: "N"))

    static let liquidationCodes: [UInt8] = [9, 3, 2, 15]
    static let liquidationCumulative = cumulative([0.60, 0.22, 0.12, 0.06])
}
