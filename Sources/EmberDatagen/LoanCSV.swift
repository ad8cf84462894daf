/// Formats generated loan columns as the real files' text: pipe-delimited, no header,
/// no quoting, empty fields for missing values, one `\n` per row.
enum LoanCSV {
    static let sellerNames = PackedStrings(LoanTables.sellers.map(\.name))
    static let servicerNames = PackedStrings(LoanTables.servicers)
    static let stateCodes = PackedStrings(LoanTables.states.map(\.code))
    static let propertyTypes = PackedStrings(LoanCodes.propertyTypes)

    /// Longest row either table can produce, with room to spare.
    static let maxRowBytes = 1024

    static func write(_ c: AcquisitionColumns, to w: ByteFileWriter) throws {
        let bar = Put.pipe
        try sellerNames.bytes.withUnsafeBufferPointer { sb in
            try stateCodes.bytes.withUnsafeBufferPointer { stb in
                try propertyTypes.bytes.withUnsafeBufferPointer { pb in
                    guard let sellers = sb.baseAddress, let states = stb.baseAddress, let props = pb.baseAddress else { return }
                    let so = sellerNames.offsets, sto = stateCodes.offsets, po = propertyTypes.offsets
                    for i in 0..<c.count {
                        try w.reserve(maxRowBytes)
                        var p = w.cursor
                        p = Put.uint(UInt64(c.loanID[i]), p); p = Put.byte(bar, p)
                        p = Put.byte(c.channel[i], p); p = Put.byte(bar, p)
                        let s = Int(c.seller[i])
                        p = Put.bytes(sellers + so[s], so[s + 1] - so[s], p); p = Put.byte(bar, p)
                        p = Put.thousandths(c.origRate[i], p); p = Put.byte(bar, p)
                        p = Put.uint(UInt64(c.origUPB[i]), p); p = Put.byte(bar, p)
                        p = Put.uint(UInt64(c.origTerm[i]), p); p = Put.byte(bar, p)
                        p = Put.monthYear(c.origMonth[i], p); p = Put.byte(bar, p)
                        p = Put.monthYear(c.firstPayMonth[i], p); p = Put.byte(bar, p)
                        p = Put.uint(UInt64(c.ltv[i]), p); p = Put.byte(bar, p)
                        p = Put.uint(UInt64(c.cltv[i]), p); p = Put.byte(bar, p)
                        p = Put.uint(UInt64(c.borrowers[i]), p); p = Put.byte(bar, p)
                        if c.dti[i] >= 0 { p = Put.uint(UInt64(c.dti[i]), p) }
                        p = Put.byte(bar, p)
                        if c.creditScore[i] >= 0 { p = Put.uint(UInt64(c.creditScore[i]), p) }
                        p = Put.byte(bar, p)
                        p = Put.byte(c.firstTimeBuyer[i], p); p = Put.byte(bar, p)
                        p = Put.byte(c.purpose[i], p); p = Put.byte(bar, p)
                        let t = Int(c.propertyType[i])
                        p = Put.bytes(props + po[t], po[t + 1] - po[t], p); p = Put.byte(bar, p)
                        p = Put.uint(UInt64(c.units[i]), p); p = Put.byte(bar, p)
                        p = Put.byte(c.occupancy[i], p); p = Put.byte(bar, p)
                        let st = Int(c.state[i])
                        p = Put.bytes(states + sto[st], sto[st + 1] - sto[st], p); p = Put.byte(bar, p)
                        p = Put.padded(Int(c.zip3[i]), width: 3, p); p = Put.byte(bar, p)
                        if c.miPercent[i] >= 0 { p = Put.uint(UInt64(c.miPercent[i]), p) }
                        p = Put.byte(bar, p)
                        p[0] = UInt8(ascii: "F"); p[1] = UInt8(ascii: "R"); p[2] = UInt8(ascii: "M"); p += 3
                        p = Put.byte(bar, p)
                        if c.coScore[i] >= 0 { p = Put.uint(UInt64(c.coScore[i]), p) }
                        p = Put.byte(bar, p)
                        if c.miType[i] >= 0 { p = Put.uint(UInt64(c.miType[i]), p) }
                        p = Put.byte(bar, p)
                        p = Put.byte(c.relocation[i], p)
                        p = Put.byte(10, p)
                        w.advance(to: p)
                    }
                }
            }
        }
    }

    static func write(_ c: PerformanceColumns, to w: ByteFileWriter) throws {
        let bar = Put.pipe
        try servicerNames.bytes.withUnsafeBufferPointer { sb in
            guard let names = sb.baseAddress else { return }
            let so = servicerNames.offsets
            for i in 0..<c.count {
                try w.reserve(maxRowBytes)
                var p = w.cursor
                p = Put.uint(UInt64(c.loanID[i]), p); p = Put.byte(bar, p)
                p = Put.monthDayYear(c.period[i], day: 1, p); p = Put.byte(bar, p)
                let s = Int(c.servicer[i])
                if s >= 0 { p = Put.bytes(names + so[s], so[s + 1] - so[s], p) }
                p = Put.byte(bar, p)
                p = Put.thousandths(c.rate[i], p); p = Put.byte(bar, p)
                if c.upb[i] >= 0 { p = Put.cents(c.upb[i], p) }
                p = Put.byte(bar, p)
                p = Put.uint(UInt64(c.loanAge[i]), p); p = Put.byte(bar, p)
                p = Put.uint(UInt64(c.remainingMonths[i]), p); p = Put.byte(bar, p)
                if c.adjRemainingMonths[i] >= 0 { p = Put.uint(UInt64(c.adjRemainingMonths[i]), p) }
                p = Put.byte(bar, p)
                p = Put.monthYear(c.maturityMonth[i], p); p = Put.byte(bar, p)
                if c.msa[i] >= 0 { p = Put.uint(UInt64(c.msa[i]), p) }
                p = Put.byte(bar, p)
                let st = c.status[i]
                if st >= 0 { p = Put.uint(UInt64(st), p) } else { p = Put.byte(UInt8(ascii: "X"), p) }
                p = Put.byte(bar, p)
                p = Put.byte(c.modFlag[i], p); p = Put.byte(bar, p)
                let zb = c.zeroBalanceCode[i]
                if zb != 0 {
                    p = Put.two(Int(zb), p); p = Put.byte(bar, p)
                    p = Put.monthYear(c.zeroBalanceMonth[i], p); p = Put.byte(bar, p)
                    if c.lastPaidMonth[i] >= 0 { p = Put.monthDayYear(c.lastPaidMonth[i], day: 1, p) }
                    p = Put.byte(bar, p)
                    if c.foreclosureDay[i] >= 0 { p = Put.date(days: c.foreclosureDay[i], p) }
                    p = Put.byte(bar, p)
                    if c.dispositionDay[i] >= 0 { p = Put.date(days: c.dispositionDay[i], p) }
                    p = Put.byte(bar, p)
                } else {
                    // zero balance code, effective date, last paid, foreclosure, disposition: empty
                    // (the generator fills those only on zero-balance rows).
                    for _ in 0..<5 { p = Put.byte(bar, p) }
                }
                p = money(c.foreclosureCosts[i], p)
                p = money(c.preservationCosts[i], p)
                p = money(c.assetRecoveryCosts[i], p)
                p = money(c.miscHoldingExpenses[i], p)
                p = money(c.holdingTaxes[i], p)
                p = money(c.netSaleProceeds[i], p)
                p = money(c.creditEnhancementProceeds[i], p)
                p = money(c.repurchaseProceeds[i], p)
                p = money(c.otherForeclosureProceeds[i], p)
                p = money(c.nonInterestBearingUPB[i], p)
                p = money(c.principalForgivenessUPB[i], p)
                let flag = c.repurchaseFlag[i]
                if flag != 0 { p = Put.byte(flag, p) }
                p = Put.byte(bar, p)
                p = money(c.principalWriteOff[i], p)
                p = Put.byte(c.servicingActivity[i], p)
                p = Put.byte(10, p)
                w.advance(to: p)
            }
        }
    }

    /// A money field (empty when negative) and its delimiter.
    @inline(__always)
    static func money(_ cents: Int64, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var q = p
        if cents >= 0 { q = Put.cents(cents, q) }
        q.pointee = Put.pipe
        return q + 1
    }
}
