/// Scratch storage the simulation writes performance rows into: one raw buffer per
/// column, grown before each loan, so a row is 31 plain stores (no Array append,
/// uniqueness or capacity check per value). Its rows are then appended to a
/// `PerformanceColumns` with one bulk copy per column. Owners call `deallocate()`.
struct PerformanceBuffer {
    private(set) var capacity = 0
    var count = 0
    var loanID = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var period = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var servicer = UnsafeMutablePointer<Int16>.allocate(capacity: 0)
    var rate = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var upb = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var loanAge = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var remainingMonths = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var adjRemainingMonths = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var maturityMonth = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var msa = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var status = UnsafeMutablePointer<Int16>.allocate(capacity: 0)
    var modFlag = UnsafeMutablePointer<UInt8>.allocate(capacity: 0)
    var zeroBalanceCode = UnsafeMutablePointer<UInt8>.allocate(capacity: 0)
    var zeroBalanceMonth = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var lastPaidMonth = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var foreclosureDay = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var dispositionDay = UnsafeMutablePointer<Int32>.allocate(capacity: 0)
    var foreclosureCosts = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var preservationCosts = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var assetRecoveryCosts = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var miscHoldingExpenses = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var holdingTaxes = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var netSaleProceeds = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var creditEnhancementProceeds = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var repurchaseProceeds = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var otherForeclosureProceeds = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var nonInterestBearingUPB = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var principalForgivenessUPB = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var repurchaseFlag = UnsafeMutablePointer<UInt8>.allocate(capacity: 0)
    var principalWriteOff = UnsafeMutablePointer<Int64>.allocate(capacity: 0)
    var servicingActivity = UnsafeMutablePointer<UInt8>.allocate(capacity: 0)

    /// Makes room for `extra` more rows.
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let c = max(count + extra, capacity * 2, 1024)
        func grow<T>(_ p: inout UnsafeMutablePointer<T>) {
            let q = UnsafeMutablePointer<T>.allocate(capacity: c)
            q.moveInitialize(from: p, count: count)
            p.deallocate()
            p = q
        }
        grow(&loanID); grow(&period); grow(&servicer); grow(&rate); grow(&upb); grow(&loanAge)
        grow(&remainingMonths); grow(&adjRemainingMonths); grow(&maturityMonth); grow(&msa); grow(&status)
        grow(&modFlag); grow(&zeroBalanceCode); grow(&zeroBalanceMonth); grow(&lastPaidMonth)
        grow(&foreclosureDay); grow(&dispositionDay); grow(&foreclosureCosts); grow(&preservationCosts)
        grow(&assetRecoveryCosts); grow(&miscHoldingExpenses); grow(&holdingTaxes); grow(&netSaleProceeds)
        grow(&creditEnhancementProceeds); grow(&repurchaseProceeds); grow(&otherForeclosureProceeds)
        grow(&nonInterestBearingUPB); grow(&principalForgivenessUPB); grow(&repurchaseFlag)
        grow(&principalWriteOff); grow(&servicingActivity)
        capacity = c
    }

    /// Appends every row to `c` and empties the buffer.
    mutating func drain(into c: inout PerformanceColumns) {
        let n = count
        func move<T>(_ p: UnsafeMutablePointer<T>, _ a: inout [T]) {
            a.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        }
        move(loanID, &c.loanID); move(period, &c.period); move(servicer, &c.servicer); move(rate, &c.rate)
        move(upb, &c.upb); move(loanAge, &c.loanAge); move(remainingMonths, &c.remainingMonths)
        move(adjRemainingMonths, &c.adjRemainingMonths); move(maturityMonth, &c.maturityMonth); move(msa, &c.msa)
        move(status, &c.status); move(modFlag, &c.modFlag); move(zeroBalanceCode, &c.zeroBalanceCode)
        move(zeroBalanceMonth, &c.zeroBalanceMonth); move(lastPaidMonth, &c.lastPaidMonth)
        move(foreclosureDay, &c.foreclosureDay); move(dispositionDay, &c.dispositionDay)
        move(foreclosureCosts, &c.foreclosureCosts); move(preservationCosts, &c.preservationCosts)
        move(assetRecoveryCosts, &c.assetRecoveryCosts); move(miscHoldingExpenses, &c.miscHoldingExpenses)
        move(holdingTaxes, &c.holdingTaxes); move(netSaleProceeds, &c.netSaleProceeds)
        move(creditEnhancementProceeds, &c.creditEnhancementProceeds); move(repurchaseProceeds, &c.repurchaseProceeds)
        move(otherForeclosureProceeds, &c.otherForeclosureProceeds)
        move(nonInterestBearingUPB, &c.nonInterestBearingUPB)
        move(principalForgivenessUPB, &c.principalForgivenessUPB); move(repurchaseFlag, &c.repurchaseFlag)
        move(principalWriteOff, &c.principalWriteOff); move(servicingActivity, &c.servicingActivity)
        count = 0  // every column holds trivial values: nothing to deinitialize
    }

    func deallocate() {
        loanID.deallocate(); period.deallocate(); servicer.deallocate(); rate.deallocate(); upb.deallocate()
        loanAge.deallocate(); remainingMonths.deallocate(); adjRemainingMonths.deallocate()
        maturityMonth.deallocate(); msa.deallocate(); status.deallocate(); modFlag.deallocate()
        zeroBalanceCode.deallocate(); zeroBalanceMonth.deallocate(); lastPaidMonth.deallocate()
        foreclosureDay.deallocate(); dispositionDay.deallocate(); foreclosureCosts.deallocate()
        preservationCosts.deallocate(); assetRecoveryCosts.deallocate(); miscHoldingExpenses.deallocate()
        holdingTaxes.deallocate(); netSaleProceeds.deallocate(); creditEnhancementProceeds.deallocate()
        repurchaseProceeds.deallocate(); otherForeclosureProceeds.deallocate(); nonInterestBearingUPB.deallocate()
        principalForgivenessUPB.deallocate(); repurchaseFlag.deallocate(); principalWriteOff.deallocate()
        servicingActivity.deallocate()
    }
}
