/// Generated acquisition rows as a struct of arrays, one entry per loan, in the
/// generator's native units. Negative values are the missing-value sentinel of the
/// columns that can be empty. Months are month indexes (`year * 12 + month - 1`),
/// rates are thousandths of a percent, money is in cents.
public struct AcquisitionColumns {
    public var loanID: [Int64] = []
    /// `R`, `C` or `B` (ASCII).
    public var channel: [UInt8] = []
    /// Index into the seller names (`LoanTables.sellers`).
    public var seller: [Int16] = []
    /// Original note rate in thousandths of a percent (6625 = 6.625%).
    public var origRate: [Int32] = []
    /// Original unpaid principal balance, whole dollars.
    public var origUPB: [Int32] = []
    /// Original term in months.
    public var origTerm: [Int32] = []
    public var origMonth: [Int32] = []
    public var firstPayMonth: [Int32] = []
    public var ltv: [Int32] = []
    public var cltv: [Int32] = []
    public var borrowers: [Int32] = []
    /// Debt-to-income percent; -1 = missing.
    public var dti: [Int32] = []
    /// Borrower credit score; -1 = missing.
    public var creditScore: [Int32] = []
    /// `Y`, `N` or `U`.
    public var firstTimeBuyer: [UInt8] = []
    /// `P`, `C`, `R` or `U`.
    public var purpose: [UInt8] = []
    /// Index into `LoanColumns.propertyTypes`.
    public var propertyType: [UInt8] = []
    public var units: [Int32] = []
    /// `P`, `S` or `I`.
    public var occupancy: [UInt8] = []
    /// Index into `LoanTables.states`.
    public var state: [UInt8] = []
    public var zip3: [Int32] = []
    /// Mortgage insurance coverage percent; -1 = none.
    public var miPercent: [Int32] = []
    /// Co-borrower credit score; -1 = missing (always when there is one borrower).
    public var coScore: [Int32] = []
    /// 1 borrower-paid, 2 lender-paid, 3 enterprise-paid; -1 = none.
    public var miType: [Int32] = []
    /// `Y` or `N`.
    public var relocation: [UInt8] = []

    public init() {}

    public var count: Int { loanID.count }

    mutating func reserve(_ n: Int) {
        loanID.reserveCapacity(n); channel.reserveCapacity(n); seller.reserveCapacity(n)
        origRate.reserveCapacity(n); origUPB.reserveCapacity(n); origTerm.reserveCapacity(n)
        origMonth.reserveCapacity(n); firstPayMonth.reserveCapacity(n); ltv.reserveCapacity(n)
        cltv.reserveCapacity(n); borrowers.reserveCapacity(n); dti.reserveCapacity(n)
        creditScore.reserveCapacity(n); firstTimeBuyer.reserveCapacity(n); purpose.reserveCapacity(n)
        propertyType.reserveCapacity(n); units.reserveCapacity(n); occupancy.reserveCapacity(n)
        state.reserveCapacity(n); zip3.reserveCapacity(n); miPercent.reserveCapacity(n)
        coScore.reserveCapacity(n); miType.reserveCapacity(n); relocation.reserveCapacity(n)
    }

    mutating func removeAll() {
        loanID.removeAll(keepingCapacity: true); channel.removeAll(keepingCapacity: true)
        seller.removeAll(keepingCapacity: true); origRate.removeAll(keepingCapacity: true)
        origUPB.removeAll(keepingCapacity: true); origTerm.removeAll(keepingCapacity: true)
        origMonth.removeAll(keepingCapacity: true); firstPayMonth.removeAll(keepingCapacity: true)
        ltv.removeAll(keepingCapacity: true); cltv.removeAll(keepingCapacity: true)
        borrowers.removeAll(keepingCapacity: true); dti.removeAll(keepingCapacity: true)
        creditScore.removeAll(keepingCapacity: true); firstTimeBuyer.removeAll(keepingCapacity: true)
        purpose.removeAll(keepingCapacity: true); propertyType.removeAll(keepingCapacity: true)
        units.removeAll(keepingCapacity: true); occupancy.removeAll(keepingCapacity: true)
        state.removeAll(keepingCapacity: true); zip3.removeAll(keepingCapacity: true)
        miPercent.removeAll(keepingCapacity: true); coScore.removeAll(keepingCapacity: true)
        miType.removeAll(keepingCapacity: true); relocation.removeAll(keepingCapacity: true)
    }
}

/// Generated performance rows as a struct of arrays, one entry per loan and month, in
/// the generator's native units (see `AcquisitionColumns`). Negative values mark empty
/// fields; for the one-byte flag columns 0 marks an empty field. Dates with a day
/// (foreclosure, disposition) are days since 1970-01-01.
public struct PerformanceColumns {
    public var loanID: [Int64] = []
    public var period: [Int32] = []
    /// Index into `LoanTables.servicers`; -1 = missing.
    public var servicer: [Int16] = []
    /// Current note rate, thousandths of a percent.
    public var rate: [Int32] = []
    /// Current actual UPB in cents; -1 = not disclosed.
    public var upb: [Int64] = []
    public var loanAge: [Int32] = []
    public var remainingMonths: [Int32] = []
    public var adjRemainingMonths: [Int32] = []
    public var maturityMonth: [Int32] = []
    /// CBSA code, 0 = not in a metropolitan area; -1 = missing.
    public var msa: [Int32] = []
    /// Months delinquent; -1 = unknown (`X`).
    public var status: [Int16] = []
    /// `Y` or `N`.
    public var modFlag: [UInt8] = []
    /// Zero balance code (1, 2, 3, 6, 9, 15, 16); 0 = none.
    public var zeroBalanceCode: [UInt8] = []
    public var zeroBalanceMonth: [Int32] = []
    public var lastPaidMonth: [Int32] = []
    public var foreclosureDay: [Int32] = []
    public var dispositionDay: [Int32] = []
    /// The eleven money columns from foreclosure costs to principal forgiveness, in
    /// cents, in file order.
    public var foreclosureCosts: [Int64] = []
    public var preservationCosts: [Int64] = []
    public var assetRecoveryCosts: [Int64] = []
    public var miscHoldingExpenses: [Int64] = []
    public var holdingTaxes: [Int64] = []
    public var netSaleProceeds: [Int64] = []
    public var creditEnhancementProceeds: [Int64] = []
    public var repurchaseProceeds: [Int64] = []
    public var otherForeclosureProceeds: [Int64] = []
    public var nonInterestBearingUPB: [Int64] = []
    public var principalForgivenessUPB: [Int64] = []
    /// `Y`, `N`; 0 = empty.
    public var repurchaseFlag: [UInt8] = []
    public var principalWriteOff: [Int64] = []
    /// `Y` or `N`.
    public var servicingActivity: [UInt8] = []

    public init() {}

    public var count: Int { loanID.count }

    mutating func reserve(_ n: Int) {
        loanID.reserveCapacity(n); period.reserveCapacity(n); servicer.reserveCapacity(n)
        rate.reserveCapacity(n); upb.reserveCapacity(n); loanAge.reserveCapacity(n)
        remainingMonths.reserveCapacity(n); adjRemainingMonths.reserveCapacity(n)
        maturityMonth.reserveCapacity(n); msa.reserveCapacity(n); status.reserveCapacity(n)
        modFlag.reserveCapacity(n); zeroBalanceCode.reserveCapacity(n); zeroBalanceMonth.reserveCapacity(n)
        lastPaidMonth.reserveCapacity(n); foreclosureDay.reserveCapacity(n); dispositionDay.reserveCapacity(n)
        foreclosureCosts.reserveCapacity(n); preservationCosts.reserveCapacity(n)
        assetRecoveryCosts.reserveCapacity(n); miscHoldingExpenses.reserveCapacity(n)
        holdingTaxes.reserveCapacity(n); netSaleProceeds.reserveCapacity(n)
        creditEnhancementProceeds.reserveCapacity(n); repurchaseProceeds.reserveCapacity(n)
        otherForeclosureProceeds.reserveCapacity(n); nonInterestBearingUPB.reserveCapacity(n)
        principalForgivenessUPB.reserveCapacity(n); repurchaseFlag.reserveCapacity(n)
        principalWriteOff.reserveCapacity(n); servicingActivity.reserveCapacity(n)
    }

    mutating func removeAll() {
        loanID.removeAll(keepingCapacity: true); period.removeAll(keepingCapacity: true)
        servicer.removeAll(keepingCapacity: true); rate.removeAll(keepingCapacity: true)
        upb.removeAll(keepingCapacity: true); loanAge.removeAll(keepingCapacity: true)
        remainingMonths.removeAll(keepingCapacity: true); adjRemainingMonths.removeAll(keepingCapacity: true)
        maturityMonth.removeAll(keepingCapacity: true); msa.removeAll(keepingCapacity: true)
        status.removeAll(keepingCapacity: true); modFlag.removeAll(keepingCapacity: true)
        zeroBalanceCode.removeAll(keepingCapacity: true); zeroBalanceMonth.removeAll(keepingCapacity: true)
        lastPaidMonth.removeAll(keepingCapacity: true); foreclosureDay.removeAll(keepingCapacity: true)
        dispositionDay.removeAll(keepingCapacity: true); foreclosureCosts.removeAll(keepingCapacity: true)
        preservationCosts.removeAll(keepingCapacity: true); assetRecoveryCosts.removeAll(keepingCapacity: true)
        miscHoldingExpenses.removeAll(keepingCapacity: true); holdingTaxes.removeAll(keepingCapacity: true)
        netSaleProceeds.removeAll(keepingCapacity: true); creditEnhancementProceeds.removeAll(keepingCapacity: true)
        repurchaseProceeds.removeAll(keepingCapacity: true); otherForeclosureProceeds.removeAll(keepingCapacity: true)
        nonInterestBearingUPB.removeAll(keepingCapacity: true); principalForgivenessUPB.removeAll(keepingCapacity: true)
        repurchaseFlag.removeAll(keepingCapacity: true); principalWriteOff.removeAll(keepingCapacity: true)
        servicingActivity.removeAll(keepingCapacity: true)
    }
}

/// Codes shared by the model and the formatters.
enum LoanCodes {
    /// Property type codes, indexed by `AcquisitionColumns.propertyType`.
    static let propertyTypes = ["SF", "PU", "CO", "MH", "CP"]
}
