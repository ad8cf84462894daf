import EmberColumnar
import EmberCore
import EmberPlan

/// Accumulators that can run in two phases: a partial pass per input partition emits
/// its per-group state as columns, and after the shuffle a final pass merges them.
/// Holistic aggregates (DISTINCT, percentiles, max_by…) do not conform and make the
/// planner shuffle raw rows instead.
protocol PartialAccumulator: Accumulator {
    func stateTypes() -> [DataType]
    func states(groupCount: Int) throws -> [Column]
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws
}

extension CountAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [.long] }
    func states(groupCount: Int) throws -> [Column] { [try finish(groupCount: groupCount)] }
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&counts, groupCount, 0)
        let x = states[0].asInt64s()
        counts.withUnsafeMutableBufferPointer { c in
            for (i, g) in groups.enumerated() { c[Int(g)] &+= x[i] }
        }
    }
}

extension CountIfAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [.long] }
    func states(groupCount: Int) throws -> [Column] { [try finish(groupCount: groupCount)] }
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&counts, groupCount, 0)
        let x = states[0].asInt64s()
        for (i, g) in groups.enumerated() { counts[Int(g)] &+= x[i] }
    }
}

extension SumLongAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [.long] }
    func states(groupCount: Int) throws -> [Column] { [try finish(groupCount: groupCount)] }
    /// Partial sums add like inputs (NULL = no rows seen).
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {
        try update(states, groups: groups, groupCount: groupCount)
    }
}

extension SumDoubleAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [.double, .long] }
    func states(groupCount: Int) throws -> [Column] {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        return [.doubles(sums, validity: nil), .int64s(counts, validity: nil)]
    }
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        let s = states[0].asDoubles(), n = states[1].asInt64s()
        sums.withUnsafeMutableBufferPointer { sb in
            counts.withUnsafeMutableBufferPointer { cb in
                for (i, g) in groups.enumerated() {
                    sb[Int(g)] += s[i]
                    cb[Int(g)] &+= n[i]
                }
            }
        }
    }
}

extension SumDecimalAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [.decimal(precision: 38, scale: scale), .long] }
    func states(groupCount: Int) throws -> [Column] {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        return [Column(type: .decimal(precision: 38, scale: scale), count: groupCount, validity: nil, storage: .i128(sums)), .int64s(counts, validity: nil)]
    }
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&sums, groupCount, 0)
        grow(&counts, groupCount, 0)
        guard case .i128(let s) = states[0].storage else { return }
        let n = states[1].asInt64s()
        for (i, g) in groups.enumerated() {
            let (r, o) = sums[Int(g)].addingReportingOverflow(s[i])
            if o { throw EmberError.arithmeticOverflow("decimal sum") }
            sums[Int(g)] = r
            counts[Int(g)] &+= n[i]
        }
    }
}

extension MinMaxAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [type] }
    func states(groupCount: Int) throws -> [Column] { [try finish(groupCount: groupCount)] }
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {
        try update(states, groups: groups, groupCount: groupCount)
    }
}

extension BoolAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [.boolean] }
    func states(groupCount: Int) throws -> [Column] { [try finish(groupCount: groupCount)] }
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {
        try update(states, groups: groups, groupCount: groupCount)
    }
}

extension FirstLastAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [type, .boolean] }
    func states(groupCount: Int) throws -> [Column] {
        grow(&set, groupCount, false)
        grow(&values, groupCount, .null)
        return [try Column.from(values, type: type), .booleans(set, validity: nil)]
    }
    /// Partitions merge in order: `first` keeps the earliest set value, `last` the latest.
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {
        grow(&set, groupCount, false)
        grow(&values, groupCount, .null)
        let flags = states[1].bools ?? []
        for (i, g) in groups.enumerated() where i < flags.count && flags[i] {
            let k = Int(g)
            if last || !set[k] { values[k] = states[0].value(at: i); set[k] = true }
        }
    }
}

extension MomentsAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [.double, .double, .double] }
    func states(groupCount: Int) throws -> [Column] {
        grow(groupCount)
        return [.doubles(n, validity: nil), .doubles(mean, validity: nil), .doubles(m2, validity: nil)]
    }
    func grow(_ groupCount: Int) {

        if n.count < groupCount {
            let k = groupCount - n.count
            n += [Double](repeating: 0, count: k); mean += [Double](repeating: 0, count: k)
            m2 += [Double](repeating: 0, count: k); m3 += [Double](repeating: 0, count: k); m4 += [Double](repeating: 0, count: k)
        }
    }
    /// Chan et al.'s pairwise update of count, mean and M2.
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {
        grow(groupCount)
        let nb = states[0].asDoubles(), mb = states[1].asDoubles(), m2b = states[2].asDoubles()
        for (i, g) in groups.enumerated() where nb[i] > 0 {
            let k = Int(g)
            let na = n[k], nn = na + nb[i]
            if na == 0 {
                // Merging into an empty state keeps the partial exactly.
                n[k] = nb[i]; mean[k] = mb[i]; m2[k] = m2b[i]
                continue
            }
            let delta = mb[i] - mean[k]
            mean[k] += delta * nb[i] / nn
            m2[k] += m2b[i] + delta * delta * na * nb[i] / nn
            n[k] = nn
        }
    }
}

extension CollectAccumulator: PartialAccumulator {
    func stateTypes() -> [DataType] { [type] }
    func states(groupCount: Int) throws -> [Column] { [try finish(groupCount: groupCount)] }
    func merge(_ states: [Column], groups: [Int32], groupCount: Int) throws {

        if lists.count < groupCount {
            lists += [[Value]](repeating: [], count: groupCount - lists.count)
            if distinct { grow(&seen, groupCount, []) }
        }
        for (i, g) in groups.enumerated() {
            guard case .array(let xs) = states[0].value(at: i) else { continue }
            for v in xs {
                if distinct { if !seen[Int(g)].insert(v).inserted { continue } }
                lists[Int(g)].append(v)
            }
        }
    }
}

enum PartialSupport {
    /// Whether every call can aggregate in two phases.
    static func supported(_ calls: [FunctionCall]) -> Bool {
        calls.allSatisfy { c in
            guard !c.isDistinct, let acc = try? Accumulators.make(c), acc is PartialAccumulator else { return false }
            if let m = acc as? MomentsAccumulator { return m.kind != "skewness" && m.kind != "kurtosis" }
            return true
        }
    }
}
