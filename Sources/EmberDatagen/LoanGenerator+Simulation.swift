import EmberCore
import Foundation

/// The per-loan simulation: origination attributes, then the monthly walk (model in
/// docs/datagen-loans.md).
extension LoanGenerator {
    /// Simulates loan `i`: draws its origination attributes, then walks its months from the
    /// first payment until it leaves the book or the observation window ends.
    func simulate(_ i: Int, _ acq: inout AcquisitionColumns, _ perf: inout PerformanceBuffer) {
        let A = LoanGenerator.ascii
        var rng = Xoshiro256(seed: seed, stream: UInt64(i))
        let loanID = LoanGenerator.loanID(i)

        // Dates: acquired in its quarter, originated 0–3 months earlier, first payment 1–2 months after.
        let acqMonth = startMonth + 3 * quarter(ofLoan: i) + rng.int(3)
        let lagDraw = rng.uniform()
        let origMonth = acqMonth - (lagDraw < 0.3 ? 0 : lagDraw < 0.7 ? 1 : lagDraw < 0.9 ? 2 : 3)
        let firstPay = origMonth + (rng.uniform() < 0.8 ? 2 : 1)
        let origYear = origMonth / 12

        let channelDraw = rng.uniform()
        let channel = channelDraw < 0.5 ? A.R : channelDraw < 0.85 ? A.C : A.B
        let purposeDraw = rng.uniform()
        let purpose = purposeDraw < 0.5 ? A.P : purposeDraw < 0.78 ? A.R : purposeDraw < 0.98 ? A.C : A.U

        // Borrower credit score: 850 − Gamma(3, 37), left-skewed with mean ≈ 740.
        let score = max(450, min(850, Int((850 - rng.gamma3(37)).rounded())))

        // Loan-to-value: purchases bunch at 80/90/95/97; refinances spread over 20–95.
        var ltv: Int
        if purpose == A.P {
            let d = rng.uniform()
            if d < 0.40 { ltv = 80 } else if d < 0.52 { ltv = 90 } else if d < 0.64 { ltv = 95 }
            else if d < 0.68 { ltv = 97 } else if d < 0.73 { ltv = 85 } else { ltv = 30 + rng.int(50) }
        } else {
            ltv = Int((20 + 75 * (rng.uniform() + rng.uniform()) / 2).rounded())
            if purpose == A.C { ltv = min(ltv, 85) }
        }
        let cltv = ltv < 97 && rng.uniform() < 0.12 ? min(ltv + 5 + rng.int(16), 100) : ltv
        let dti = max(1, min(64, Int((33 + 0.04 * Double(740 - score) + 9 * rng.normal()).rounded())))
        let borrowerDraw = rng.uniform()
        let borrowers = borrowerDraw < 0.45 ? 1 : borrowerDraw < 0.98 ? 2 : borrowerDraw < 0.995 ? 3 : 4
        let coScore = borrowers > 1 ? max(450, min(850, Int((Double(score) + 40 * rng.normal()).rounded()))) : -1
        let termDraw = rng.uniform()
        let term = termDraw < 0.78 ? 360 : termDraw < 0.92 ? 180 : termDraw < 0.96 ? 240 : termDraw < 0.98 ? 300 : 120
        let occDraw = rng.uniform()
        let occupancy = occDraw < 0.90 ? A.P : occDraw < 0.94 ? A.S : A.I
        let propDraw = rng.uniform()
        let propertyType: UInt8 = propDraw < 0.725 ? 0 : propDraw < 0.885 ? 1 : propDraw < 0.985 ? 2 : propDraw < 0.995 ? 3 : 4
        let unitDraw = rng.uniform()
        let units = propertyType != 0 || unitDraw < 0.97 ? 1 : unitDraw < 0.99 ? 2 : unitDraw < 0.995 ? 3 : 4
        let fthbDraw = rng.uniform()
        let firstTimeBuyer = fthbDraw < 0.005 ? A.U : (purpose == A.P && fthbDraw < 0.255 ? A.Y : A.N)

        // Note rate: the month's market rate (lower for short terms) plus a risk-based spread,
        // on a 1/8 grid (5% of loans on a 1/100 grid).
        var marketRate = LoanTables.monthly(LoanTables.rate30, month: origMonth)
        if term <= 180 { marketRate -= 0.5 } else if term <= 240 { marketRate -= 0.25 }
        let spread = 0.15 + 0.25 * Double(740 - score) / 50 + (ltv > 80 ? 0.125 : 0) + (occupancy == A.I ? 0.375 : 0)
        let rawRate = max(1.5, marketRate + spread + 0.2 * rng.normal())
        let origRate = rng.uniform() < 0.95 ? Int32((rawRate * 8).rounded()) * 125 : Int32((rawRate * 100).rounded()) * 10

        // Original UPB: log-normal around 45% of the conforming limit, in whole thousands.
        let limit = LoanTables.yearly(LoanTables.conformingLimit, origYear)
        let upbDraw = 0.45 * limit * exp(0.5 * rng.normal())
        let origUPB = max(10_000, Int(min(upbDraw, limit * (units > 1 ? 1.28 : 1)) / 1000) * 1000)

        let stateIndex = rng.pick(LoanTables.stateCumulative)
        let state = LoanTables.states[stateIndex]
        let zip3 = state.zipLow + rng.int(state.zipHigh - state.zipLow + 1)
        let msa: Int32 = rng.uniform() < 0.12 ? 0 : state.msas[rng.int(state.msas.count)]
        let seller = rng.pick(LoanTables.sellerCumulative)
        let firstServicer = rng.uniform() < 0.25 ? rng.int(LoanTables.sellers.count) : seller
        let transferAge = rng.uniform() < 0.10 ? 6 + rng.int(60) : -1
        let transferServicer = rng.int(LoanTables.servicers.count)
        let miPercent = ltv <= 80 ? -1 : ltv <= 85 ? 12 : ltv <= 90 ? 25 : ltv <= 95 ? 30 : 35
        let miType = miPercent < 0 ? -1 : (rng.uniform() < 0.9 ? 1 : 2)
        let relocation = rng.uniform() < 0.003 ? A.Y : A.N

        // Missing values (~2% each), drawn per loan.
        let scoreMissing = rng.uniform() < 0.02
        let dtiMissing = rng.uniform() < 0.02
        let msaMissing = rng.uniform() < 0.02
        let coScoreMissing = rng.uniform() < 0.02

        acq.loanID.append(loanID)
        acq.channel.append(channel)
        acq.seller.append(Int16(seller))
        acq.origRate.append(origRate)
        acq.origUPB.append(Int32(origUPB))
        acq.origTerm.append(Int32(term))
        acq.origMonth.append(Int32(origMonth))
        acq.firstPayMonth.append(Int32(firstPay))
        acq.ltv.append(Int32(ltv))
        acq.cltv.append(Int32(cltv))
        acq.borrowers.append(Int32(borrowers))
        acq.dti.append(dtiMissing ? -1 : Int32(dti))
        acq.creditScore.append(scoreMissing ? -1 : Int32(score))
        acq.firstTimeBuyer.append(firstTimeBuyer)
        acq.purpose.append(purpose)
        acq.propertyType.append(propertyType)
        acq.units.append(Int32(units))
        acq.occupancy.append(occupancy)
        acq.state.append(UInt8(stateIndex))
        acq.zip3.append(Int32(zip3))
        acq.miPercent.append(Int32(miPercent))
        acq.coScore.append(coScore < 0 || coScoreMissing ? -1 : Int32(coScore))
        acq.miType.append(Int32(miType))
        acq.relocation.append(relocation)

        // Credit behaviour. `risk` is the linear predictor of the logistic hazards: credit
        // score, DTI and combined LTV (plus a few attributes and an unobserved frailty).
        let frailty = 0.5 * rng.normal()
        let risk = 0.65 * Double(740 - score) / 50 + 0.30 * Double(dti - 33) / 10 + 0.35 * Double(cltv - 75) / 10
            + (occupancy == A.I ? 0.25 : 0) + (purpose == A.C ? 0.15 : 0) + (borrowers == 1 ? 0.25 : 0) + frailty
        let missBase = LoanGenerator.sigmoid(-6.0 + risk)
        let roll12 = LoanGenerator.sigmoid(-1.1 + 0.5 * risk)
        let roll23 = LoanGenerator.sigmoid(0.1 + 0.4 * risk)
        let roll3 = LoanGenerator.sigmoid(1.5 + 0.3 * risk)
        let refiFactor = score >= 700 ? 1.0 : score >= 640 ? 0.7 : 0.45
        let curtailDraw = rng.uniform()
        let curtailShare = curtailDraw < 0.15 ? rng.uniform(0.02, 0.3) : 0

        // Monthly state. Balances are integer cents; each installment's interest is rounded
        // to the cent, as a servicer's ledger.
        var rate = origRate
        var r = Double(rate) / 1000 / 1200
        var balance = Int64(origUPB) * 100  // interest-bearing UPB
        var deferred: Int64 = 0  // non-interest-bearing UPB after a modification
        var payment = LoanGenerator.payment(balance, r, term)
        var logGrowth = log1p(r)
        let curtailment = curtailShare > 0 ? Int64(Double(payment) * curtailShare + 0.5) : 0
        var maturity = firstPay + term - 1
        var lastPaid = firstPay - 1  // due month of the last paid installment
        var modified = false
        var modMonth = -1
        var servicer = firstServicer
        let loanMSA: Int32 = msaMissing ? -1 : msa
        let propertyValue = Double(origUPB) * 10_000 / Double(ltv)  // cents
        perf.reserve(max(0, endMonth - firstPay + 1))

        var t = firstPay
        while t <= endMonth {
            let age = t - firstPay
            let previous = t - 1 - lastPaid  // months delinquent at the end of last month
            var zeroBalance: UInt8 = 0
            var activity = A.N
            var forgiven: Int64 = -1
            if age == transferAge {
                servicer = transferServicer
                activity = A.Y
            }

            // Pays `k` installments (plus any curtailment); true when that retires the loan.
            @inline(__always) func pay(_ k: Int) -> Bool {
                for _ in 0..<k {
                    lastPaid += 1
                    let principal = payment - Int64(Double(balance) * r + 0.5)
                    if principal >= balance || lastPaid >= maturity {
                        balance = 0
                        return true
                    }
                    balance -= principal
                }
                if curtailment > 0 {
                    if curtailment >= balance { balance = 0; return true }
                    balance -= curtailment
                }
                return false
            }

            if previous == 0 {
                let seasoning = min(1, 0.25 + Double(age) / 24)
                if rng.uniform() >= missBase * seasoning * stress[t - tableStart] {
                    if pay(1) { zeroBalance = 1 }
                }
            } else {
                let u = rng.uniform()
                let liquidation = previous >= 6 ? min(0.15, 0.02 + 0.01 * Double(previous - 6)) : 0
                let modification = previous >= 3 && !modified ? 0.05 : 0
                if u < liquidation {
                    zeroBalance = LoanGenerator.liquidationCodes[rng.pick(LoanGenerator.liquidationCumulative)]
                } else if u < liquidation + modification {
                    // Modification: arrears capitalized, rate cut 1–3 points, term reset to 40
                    // years; some principal deferred (non-interest bearing) or forgiven.
                    modified = true
                    modMonth = t
                    balance += Int64(Double(previous) * Double(balance) * r + 0.5)
                    rate = max(2000, rate - 1000 - Int32(rng.int(17)) * 125)
                    r = Double(rate) / 1000 / 1200
                    logGrowth = log1p(r)
                    let relief = rng.uniform()
                    if relief < 0.3 {
                        deferred = balance / 5
                        balance -= deferred
                    } else if relief < 0.4 {
                        forgiven = balance / 10
                        balance -= forgiven
                    }
                    maturity = t + 479
                    payment = LoanGenerator.payment(balance, r, maturity - t)
                    lastPaid = t
                    activity = A.Y
                } else {
                    let roll = previous == 1 ? roll12 : previous == 2 ? roll23 : roll3
                    let cure = previous == 1 ? 0.75 : previous == 2 ? 0.6 : 0.5
                    let v = rng.uniform()
                    if v >= roll {
                        // Pays: all arrears (cure) or one installment (stays as delinquent).
                        if pay(v < roll + (1 - roll) * cure ? previous + 1 : 1) { zeroBalance = 1 }
                    }
                }
            }

            let rare = rng.next()
            var status = t - lastPaid
            if zeroBalance == 0 {
                if status == 0 {
                    // Voluntary prepayment: turnover plus refinancing when rates fell.
                    let incentive = Double(rate) / 1000 - market[t - tableStart]
                    let turnover = 0.0051 * min(1, Double(age + 1) / 30)
                    let refi = 0.06 * LoanGenerator.sigmoid(2.5 * (incentive - 0.75)) * refiFactor * (age >= 3 ? 1 : 0.2)
                    if rng.uniform() < turnover + refi { zeroBalance = 1 }
                    else if modified && t - modMonth >= 12 && rng.uniform() < 0.003 { zeroBalance = 16 }
                }
                if zeroBalance == 0 && rare >> 32 < 429_497 { zeroBalance = 6 }  // repurchase, 0.01% a month
            }
            if zeroBalance == 1 {
                lastPaid = t
                status = 0
            }

            // Foreclosure, disposition and loss fields of a liquidation.
            var lastPaidMonth: Int32 = -1
            var foreclosureDay: Int32 = -1
            var dispositionDay: Int32 = -1
            var losses: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (-1, -1, -1, -1, -1, -1, -1, -1)
            if zeroBalance != 0 && zeroBalance != 1 && zeroBalance != 6 {
                lastPaidMonth = Int32(lastPaid)
                var dispositionMonth = -1
                switch zeroBalance {
                case 9:
                    foreclosureDay = LoanGenerator.firstDay(t) + Int32(rng.int(28))
                    dispositionMonth = t + 2 + rng.int(11)
                case 2:
                    foreclosureDay = LoanGenerator.firstDay(t) + Int32(rng.int(28))
                    dispositionMonth = t
                case 3:
                    dispositionMonth = t
                default:
                    break
                }
                if dispositionMonth >= 0 && dispositionMonth <= endMonth {
                    dispositionDay = dispositionMonth == t && foreclosureDay >= 0
                        ? foreclosureDay : LoanGenerator.firstDay(dispositionMonth) + Int32(rng.int(28))
                    losses = liquidationAmounts(
                        &rng, code: zeroBalance, owed: Double(balance + deferred), miPercent: miPercent,
                        value: propertyValue * LoanTables.monthly(LoanTables.housePrice, month: t)
                            / LoanTables.monthly(LoanTables.housePrice, month: origMonth))
                }
            }

            // The row.
            var adjusted: Int32 = 0
            if zeroBalance == 0 {
                let x = 1 - r * Double(balance) / Double(payment)
                adjusted = x > 0 ? Int32((-log(x) / logGrowth - 1e-7).rounded(.up)) + 1 : Int32(max(0, maturity - t + 1))
            }
            let n = perf.count
            perf.loanID[n] = loanID
            perf.period[n] = Int32(t)
            perf.servicer[n] = rare & 0xFFFF < 1311 ? -1 : Int16(servicer)  // 2% missing
            perf.rate[n] = rate
            perf.upb[n] = zeroBalance != 0 ? 0 : age < 6 ? -1 : balance + deferred  // not disclosed before month 6
            perf.loanAge[n] = Int32(age)
            perf.remainingMonths[n] = Int32(max(0, maturity - t + 1))
            perf.adjRemainingMonths[n] = adjusted
            perf.maturityMonth[n] = Int32(maturity)
            perf.msa[n] = loanMSA
            perf.status[n] = zeroBalance == 0 && (rare >> 16) & 0xFFFF < 328 ? -1 : Int16(min(status, 999))  // 0.5% 'X'
            perf.modFlag[n] = modified ? A.Y : A.N
            perf.zeroBalanceCode[n] = zeroBalance
            perf.zeroBalanceMonth[n] = zeroBalance != 0 ? Int32(t) : -1
            perf.lastPaidMonth[n] = lastPaidMonth
            perf.foreclosureDay[n] = foreclosureDay
            perf.dispositionDay[n] = dispositionDay
            perf.foreclosureCosts[n] = losses.0
            perf.preservationCosts[n] = losses.1
            perf.assetRecoveryCosts[n] = losses.2
            perf.miscHoldingExpenses[n] = losses.3
            perf.holdingTaxes[n] = losses.4
            perf.netSaleProceeds[n] = losses.5
            perf.creditEnhancementProceeds[n] = losses.6
            perf.repurchaseProceeds[n] = -1
            perf.otherForeclosureProceeds[n] = losses.7
            perf.nonInterestBearingUPB[n] = deferred > 0 && zeroBalance == 0 ? deferred : -1
            perf.principalForgivenessUPB[n] = forgiven
            perf.repurchaseFlag[n] = zeroBalance == 0 ? 0 : zeroBalance == 6 ? A.Y : A.N
            perf.principalWriteOff[n] = -1
            perf.servicingActivity[n] = activity
            perf.count = n + 1

            if zeroBalance != 0 { break }
            t += 1
        }
    }

    /// Costs and proceeds of a disposed liquidation, in cents: foreclosure costs, property
    /// preservation, asset recovery, miscellaneous holding expenses, holding taxes, net sale
    /// proceeds, credit enhancement (mortgage insurance; -1 without MI), other proceeds.
    func liquidationAmounts(_ rng: inout Xoshiro256, code: UInt8, owed: Double, miPercent: Int, value: Double)
        -> (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64)
    {
        let shortSale = code == 3
        let fc = owed * (shortSale ? rng.uniform(0.005, 0.02) : rng.uniform(0.02, 0.06))
        let pp = shortSale ? 0 : owed * rng.uniform(0.005, 0.03)
        let ar = rng.uniform() < 0.3 ? 0 : owed * rng.uniform(0, 0.01)
        let misc = owed * rng.uniform(0.003, 0.015)
        let taxes = owed * rng.uniform(0.01, 0.04)
        let sale = value * (code == 9 ? rng.uniform(0.6, 0.9) : code == 2 ? rng.uniform(0.75, 0.95) : rng.uniform(0.85, 0.98))
        let loss = max(0, owed + fc + pp + ar + misc + taxes - sale)
        let ce = miPercent > 0 ? min(loss, Double(miPercent) / 100 * (owed + fc + pp)) : -1
        let other = rng.uniform() < 0.5 ? 0 : owed * rng.uniform(0, 0.01)
        // `owed` and `value` are in cents already.
        let c = { (x: Double) -> Int64 in Int64(x.rounded()) }
        return (c(fc), c(pp), c(ar), c(misc), c(taxes), c(sale), ce < 0 ? -1 : c(ce), c(other))
    }
}
