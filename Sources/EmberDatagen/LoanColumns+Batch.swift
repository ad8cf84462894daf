import EmberColumnar
import EmberCore

/// Generated columns as RecordBatches with the typed schemas (`LoanSchemas.…Typed`):
/// the columnar path (Parquet) of the generator.
extension AcquisitionColumns {
    public func recordBatch() throws -> RecordBatch {
        let n = count
        let cols: [Column] = [
            BatchColumns.longs(loanID),
            BatchColumns.ascii(channel),
            BatchColumns.strings(seller.map(Int.init), LoanCSV.sellerNames),
            BatchColumns.scaled(origRate, by: 1000),
            BatchColumns.ints(origUPB),
            BatchColumns.ints(origTerm),
            BatchColumns.monthDates(origMonth),
            BatchColumns.monthDates(firstPayMonth),
            BatchColumns.ints(ltv),
            BatchColumns.ints(cltv),
            BatchColumns.ints(borrowers),
            BatchColumns.ints(dti),
            BatchColumns.ints(creditScore),
            BatchColumns.ascii(firstTimeBuyer),
            BatchColumns.ascii(purpose),
            BatchColumns.strings(propertyType.map(Int.init), LoanCSV.propertyTypes),
            BatchColumns.ints(units),
            BatchColumns.ascii(occupancy),
            BatchColumns.strings(state.map(Int.init), LoanCSV.stateCodes),
            BatchColumns.ints(zip3),
            BatchColumns.scaled(miPercent, by: 1),
            BatchColumns.strings([Int](repeating: 0, count: n), PackedStrings(["FRM"])),
            BatchColumns.ints(coScore),
            BatchColumns.ints(miType),
            BatchColumns.ascii(relocation),
        ]
        return RecordBatch(schema: try LoanSchemas.acquisition(typed: true), columns: cols, count: n)
    }
}

extension PerformanceColumns {
    public func recordBatch() throws -> RecordBatch {
        let n = count
        let cols: [Column] = [
            BatchColumns.longs(loanID),
            BatchColumns.monthDates(period),
            BatchColumns.strings(servicer.map(Int.init), LoanCSV.servicerNames),
            BatchColumns.scaled(rate, by: 1000),
            BatchColumns.money(upb),
            BatchColumns.ints(loanAge),
            BatchColumns.ints(remainingMonths),
            BatchColumns.ints(adjRemainingMonths),
            BatchColumns.monthDates(maturityMonth),
            BatchColumns.ints(msa),
            BatchColumns.ints(status.map(Int32.init)),
            BatchColumns.ascii(modFlag),
            BatchColumns.strings(zeroBalanceCode.map { $0 == 0 ? -1 : Int($0) }, BatchColumns.zeroBalanceCodes),
            BatchColumns.monthDates(zeroBalanceMonth),
            BatchColumns.monthDates(lastPaidMonth),
            BatchColumns.dates(foreclosureDay),
            BatchColumns.dates(dispositionDay),
            BatchColumns.money(foreclosureCosts),
            BatchColumns.money(preservationCosts),
            BatchColumns.money(assetRecoveryCosts),
            BatchColumns.money(miscHoldingExpenses),
            BatchColumns.money(holdingTaxes),
            BatchColumns.money(netSaleProceeds),
            BatchColumns.money(creditEnhancementProceeds),
            BatchColumns.money(repurchaseProceeds),
            BatchColumns.money(otherForeclosureProceeds),
            BatchColumns.money(nonInterestBearingUPB),
            BatchColumns.money(principalForgivenessUPB),
            BatchColumns.ascii(repurchaseFlag),
            BatchColumns.money(principalWriteOff),
            BatchColumns.ascii(servicingActivity),
        ]
        return RecordBatch(schema: try LoanSchemas.performance(typed: true), columns: cols, count: n)
    }
}

/// Column builders from the generator's native arrays (negative = NULL; 0 = NULL for ASCII flags).
enum BatchColumns {
    /// `01`…`16` by code value.
    static let zeroBalanceCodes = PackedStrings((0...16).map { $0 < 10 ? "0\($0)" : "\($0)" })

    static func validity<T: BinaryInteger>(_ a: [T], _ valid: (T) -> Bool) -> Bitmap? {
        var bits: Bitmap? = nil
        for i in a.indices where !valid(a[i]) {
            if bits == nil { bits = Bitmap(count: a.count, value: true) }
            bits?[i] = false
        }
        return bits
    }

    static func longs(_ a: [Int64]) -> Column {
        Column(type: .long, count: a.count, validity: nil, storage: .i64(a))
    }

    static func ints(_ a: [Int32]) -> Column {
        Column(type: .int, count: a.count, validity: validity(a) { $0 >= 0 }, storage: .i32(a))
    }

    /// Doubles from integers scaled by 1/`by` (thousandths of a percent → percent).
    static func scaled(_ a: [Int32], by scale: Double) -> Column {
        let values = [Double](unsafeUninitializedCapacity: a.count) { buf, n in
            for i in a.indices { buf[i] = a[i] >= 0 ? Double(a[i]) / scale : 0 }
            n = a.count
        }
        return Column(type: .double, count: a.count, validity: validity(a) { $0 >= 0 }, storage: .f64(values))
    }

    /// Dollars from cents.
    static func money(_ a: [Int64]) -> Column {
        let values = [Double](unsafeUninitializedCapacity: a.count) { buf, n in
            for i in a.indices { buf[i] = a[i] >= 0 ? Double(a[i]) / 100 : 0 }
            n = a.count
        }
        return Column(type: .double, count: a.count, validity: validity(a) { $0 >= 0 }, storage: .f64(values))
    }

    /// DATE (first of the month) from month indexes.
    static func monthDates(_ a: [Int32]) -> Column {
        let values = [Int32](unsafeUninitializedCapacity: a.count) { buf, n in
            for i in a.indices { buf[i] = a[i] >= 0 ? LoanGenerator.firstDay(Int(a[i])) : 0 }
            n = a.count
        }
        return Column(type: .date, count: a.count, validity: validity(a) { $0 >= 0 }, storage: .i32(values))
    }

    /// DATE from days since the epoch.
    static func dates(_ a: [Int32]) -> Column {
        Column(type: .date, count: a.count, validity: validity(a) { $0 >= 0 }, storage: .i32(a))
    }

    /// One-character strings from ASCII codes (0 = NULL).
    static func ascii(_ a: [UInt8]) -> Column {
        let offsets = [Int32](unsafeUninitializedCapacity: a.count + 1) { buf, n in
            var o: Int32 = 0
            buf[0] = 0
            for i in a.indices {
                if a[i] != 0 { o += 1 }
                buf[i + 1] = o
            }
            n = a.count + 1
        }
        var data: [UInt8] = []
        data.reserveCapacity(a.count)
        for b in a where b != 0 { data.append(b) }
        return Column(type: .string, count: a.count, validity: validity(a) { $0 != 0 }, storage: .bytes(offsets: offsets, data: data))
    }

    /// Strings of a table by index (negative = NULL).
    static func strings(_ index: [Int], _ table: PackedStrings) -> Column {
        let o = table.offsets
        var total = 0
        for k in index where k >= 0 { total += o[k + 1] - o[k] }
        let offsets = [Int32](unsafeUninitializedCapacity: index.count + 1) { buf, n in
            var at = 0
            buf[0] = 0
            for i in index.indices {
                let k = index[i]
                if k >= 0 { at += o[k + 1] - o[k] }
                buf[i + 1] = Int32(at)
            }
            n = index.count + 1
        }
        let data = [UInt8](unsafeUninitializedCapacity: total) { buf, n in
            table.bytes.withUnsafeBufferPointer { src in
                guard let from = src.baseAddress, let to = buf.baseAddress else { return }
                var at = 0
                for k in index where k >= 0 {
                    let len = o[k + 1] - o[k]
                    (to + at).initialize(from: from + o[k], count: len)
                    at += len
                }
            }
            n = total
        }
        return Column(type: .string, count: index.count, validity: validity(index) { $0 >= 0 }, storage: .bytes(offsets: offsets, data: data))
    }
}
