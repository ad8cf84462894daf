/// Reference tables of the loan generator: states with their 3-digit ZIP ranges and
/// metropolitan areas, seller and servicer names, and yearly market series (mortgage
/// rates, conforming limits, house prices, a credit-stress multiplier). Values are
/// rounded public figures, good enough to give the data realistic shapes; see
/// docs/datagen-loans.md.
enum LoanTables {
    struct State {
        let code: String
        /// Relative share of loans.
        let weight: Double
        /// First three ZIP digits, inclusive range.
        let zipLow: Int
        let zipHigh: Int
        /// CBSA codes of the state's main metropolitan areas.
        let msas: [Int32]
    }

    static let states: [State] = [
        State(code: "AL", weight: 0.9, zipLow: 350, zipHigh: 369, msas: [13820, 33660, 26620, 33860]),
        State(code: "AK", weight: 0.2, zipLow: 995, zipHigh: 999, msas: [11260]),
        State(code: "AZ", weight: 2.5, zipLow: 850, zipHigh: 865, msas: [38060, 46060]),
        State(code: "AR", weight: 0.5, zipLow: 716, zipHigh: 729, msas: [30780, 22220]),
        State(code: "CA", weight: 14.0, zipLow: 900, zipHigh: 961, msas: [31080, 41860, 41740, 40140, 40900, 41940, 23420]),
        State(code: "CO", weight: 2.8, zipLow: 800, zipHigh: 816, msas: [19740, 17820, 14500]),
        State(code: "CT", weight: 1.2, zipLow: 60, zipHigh: 69, msas: [25540, 14860, 35300]),
        State(code: "DE", weight: 0.3, zipLow: 197, zipHigh: 199, msas: [37980, 20100]),
        State(code: "DC", weight: 0.3, zipLow: 200, zipHigh: 205, msas: [47900]),
        State(code: "FL", weight: 6.0, zipLow: 320, zipHigh: 349, msas: [33100, 45300, 36740, 27260]),
        State(code: "GA", weight: 3.3, zipLow: 300, zipHigh: 319, msas: [12060, 42340, 12260]),
        State(code: "HI", weight: 0.4, zipLow: 967, zipHigh: 968, msas: [46520]),
        State(code: "ID", weight: 0.5, zipLow: 832, zipHigh: 838, msas: [14260]),
        State(code: "IL", weight: 4.5, zipLow: 600, zipHigh: 629, msas: [16980, 40420, 44100]),
        State(code: "IN", weight: 1.5, zipLow: 460, zipHigh: 479, msas: [26900, 23060]),
        State(code: "IA", weight: 0.8, zipLow: 500, zipHigh: 528, msas: [19780, 16300]),
        State(code: "KS", weight: 0.7, zipLow: 660, zipHigh: 679, msas: [48620, 28140]),
        State(code: "KY", weight: 0.8, zipLow: 400, zipHigh: 427, msas: [31140, 30460]),
        State(code: "LA", weight: 0.8, zipLow: 700, zipHigh: 714, msas: [35380, 12940]),
        State(code: "ME", weight: 0.4, zipLow: 39, zipHigh: 49, msas: [38860]),
        State(code: "MD", weight: 2.8, zipLow: 206, zipHigh: 219, msas: [12580, 47900]),
        State(code: "MA", weight: 3.0, zipLow: 10, zipHigh: 27, msas: [14460, 49340, 44140]),
        State(code: "MI", weight: 3.5, zipLow: 480, zipHigh: 499, msas: [19820, 24340, 29620]),
        State(code: "MN", weight: 2.5, zipLow: 550, zipHigh: 567, msas: [33460, 40340]),
        State(code: "MS", weight: 0.4, zipLow: 386, zipHigh: 397, msas: [27140, 25060]),
        State(code: "MO", weight: 1.8, zipLow: 630, zipHigh: 658, msas: [41180, 28140, 44180]),
        State(code: "MT", weight: 0.3, zipLow: 590, zipHigh: 599, msas: [13740, 33540]),
        State(code: "NE", weight: 0.5, zipLow: 680, zipHigh: 693, msas: [36540, 30700]),
        State(code: "NV", weight: 1.0, zipLow: 889, zipHigh: 898, msas: [29820, 39900]),
        State(code: "NH", weight: 0.6, zipLow: 30, zipHigh: 38, msas: [31700, 14460]),
        State(code: "NJ", weight: 3.5, zipLow: 70, zipHigh: 89, msas: [35620, 37980, 45940]),
        State(code: "NM", weight: 0.5, zipLow: 870, zipHigh: 884, msas: [10740, 42140]),
        State(code: "NY", weight: 4.0, zipLow: 100, zipHigh: 149, msas: [35620, 15380, 40380, 10580]),
        State(code: "NC", weight: 3.0, zipLow: 270, zipHigh: 289, msas: [16740, 39580, 24660]),
        State(code: "ND", weight: 0.2, zipLow: 580, zipHigh: 588, msas: [22020, 13900]),
        State(code: "OH", weight: 3.0, zipLow: 430, zipHigh: 458, msas: [17140, 18140, 17460, 45780]),
        State(code: "OK", weight: 0.6, zipLow: 730, zipHigh: 749, msas: [36420, 46140]),
        State(code: "OR", weight: 1.5, zipLow: 970, zipHigh: 979, msas: [38900, 21660, 41420]),
        State(code: "PA", weight: 3.5, zipLow: 150, zipHigh: 196, msas: [37980, 38300, 10900, 25420]),
        State(code: "RI", weight: 0.4, zipLow: 28, zipHigh: 29, msas: [39300]),
        State(code: "SC", weight: 1.3, zipLow: 290, zipHigh: 299, msas: [16700, 24860, 17900]),
        State(code: "SD", weight: 0.2, zipLow: 570, zipHigh: 577, msas: [43620, 39660]),
        State(code: "TN", weight: 1.5, zipLow: 370, zipHigh: 385, msas: [34980, 32820, 28940]),
        State(code: "TX", weight: 6.0, zipLow: 750, zipHigh: 799, msas: [19100, 26420, 41700, 12420, 21340]),
        State(code: "UT", weight: 1.0, zipLow: 840, zipHigh: 847, msas: [41620, 39340, 36260]),
        State(code: "VT", weight: 0.2, zipLow: 50, zipHigh: 59, msas: [15540]),
        State(code: "VA", weight: 3.5, zipLow: 220, zipHigh: 246, msas: [47900, 47260, 40060]),
        State(code: "WA", weight: 3.0, zipLow: 980, zipHigh: 994, msas: [42660, 44060, 38900]),
        State(code: "WV", weight: 0.3, zipLow: 247, zipHigh: 268, msas: [16620, 26580]),
        State(code: "WI", weight: 2.0, zipLow: 530, zipHigh: 549, msas: [33340, 31540, 24580]),
        State(code: "WY", weight: 0.15, zipLow: 820, zipHigh: 831, msas: [16940, 16220]),
        State(code: "PR", weight: 0.2, zipLow: 6, zipHigh: 9, msas: [41980]),
    ]

    static let stateCumulative = cumulative(states.map(\.weight))

    /// Seller names as they appear in the real acquisition files (each is in the
    /// Spark-RAPIDS example's seller-name mapping), with shares.
    static let sellers: [(name: String, weight: Double)] = [
        ("OTHER", 0.28),
        ("BANK OF AMERICA, N.A.", 0.12),
        ("WELLS FARGO BANK, N.A.", 0.12),
        ("JPMORGAN CHASE BANK, NA", 0.08),
        ("CITIMORTGAGE, INC.", 0.07),
        ("SUNTRUST MORTGAGE INC.", 0.04),
        ("GMAC MORTGAGE, LLC", 0.04),
        ("FLAGSTAR BANK, FSB", 0.03),
        ("PNC BANK, N.A.", 0.03),
        ("U.S. BANK N.A.", 0.03),
        ("QUICKEN LOANS INC.", 0.03),
        ("PHH MORTGAGE CORPORATION", 0.03),
        ("FIFTH THIRD BANK", 0.02),
        ("REGIONS BANK", 0.02),
        ("AMTRUST BANK", 0.02),
        ("IRWIN MORTGAGE, CORPORATION", 0.01),
        ("FLEET NATIONAL BANK", 0.01),
        ("HSBC BANK USA, NATIONAL ASSOCIATION", 0.01),
        ("CHASE HOME FINANCE, LLC", 0.01),
    ]

    static let sellerCumulative = cumulative(sellers.map(\.weight))

    /// Servicer names: every seller, then servicers that take over transferred loans.
    static let servicers: [String] = sellers.map(\.name) + [
        "NATIONSTAR MORTGAGE, LLC", "DITECH FINANCIAL LLC", "MATRIX FINANCIAL SERVICES CORPORATION",
    ]

    /// Index in `servicers` of the transfer-only servicers.
    static let transferServicers = sellers.count..<servicers.count

    // MARK: Yearly series (index 0 = 1999)

    static let firstYear = 1999

    /// Average 30-year fixed mortgage rate, percent (rounded yearly averages of the
    /// published weekly survey).
    static let rate30: [Double] = [
        7.44, 8.05, 6.97, 6.54, 5.83, 5.84, 5.87, 6.41, 6.34, 6.03, 5.04, 4.69, 4.45, 3.66, 3.98, 4.17, 3.85,
        3.65, 3.99, 4.54, 3.94, 3.11, 2.96, 5.34, 6.81, 6.72, 6.60,
    ]

    /// Conforming loan limit for one-unit properties, dollars.
    static let conformingLimit: [Double] = [
        240_000, 252_700, 275_000, 300_700, 322_700, 333_700, 359_650, 417_000, 417_000, 417_000, 417_000, 417_000,
        417_000, 417_000, 417_000, 417_000, 417_000, 417_000, 424_100, 453_100, 484_350, 510_400, 548_250, 647_200,
        726_200, 766_550, 806_500,
    ]

    /// A national house-price index (2000 = 100), yearly.
    static let housePrice: [Double] = [
        93, 100, 107, 115, 124, 137, 153, 160, 156, 141, 128, 124, 118, 119, 127, 133, 140, 148, 157, 167, 175,
        185, 215, 245, 255, 265, 270,
    ]

    /// Multiplier of the monthly hazard of missing a payment, by reporting year: the
    /// 2007–2011 housing crisis and the 2020 shock raise it.
    static let creditStress: [Double] = [
        0.8, 0.8, 0.9, 0.9, 0.8, 0.8, 0.8, 1.0, 1.6, 2.6, 3.0, 2.4, 1.8, 1.3, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8,
        1.5, 1.0, 0.8, 0.8, 0.8, 0.8,
    ]

    /// A yearly series at `year` (clamped to the table).
    static func yearly(_ table: [Double], _ year: Int) -> Double {
        table[min(max(year - firstYear, 0), table.count - 1)]
    }

    /// A yearly series linearly interpolated to a month index (values sit mid-year).
    static func monthly(_ table: [Double], month m: Int) -> Double {
        let x = Double(m) / 12.0 - Double(firstYear) - 0.5 + 1.0 / 24.0
        if x <= 0 { return table[0] }
        let i = Int(x)
        if i >= table.count - 1 { return table[table.count - 1] }
        let f = x - Double(i)
        return table[i] * (1 - f) + table[i + 1] * f
    }
}
