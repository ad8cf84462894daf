import Foundation

/// The binned training matrix the tree builder reads (XGBoost's `GHistIndexMatrix`), in two
/// layouts of the same bins:
///
/// - **Rows** (`slots`, row-major, `S` each): for each stored feature of a row, its
///   histogram slot: the feature's first slot `offsets[f]` plus its local bin. A missing
///   value goes to the feature's spare slot (`offsets[f]` + its bin count), which split
///   finding never reads, so a histogram pass adds every value without a branch or an
///   offset load. Only features that can be split are stored (not one whose values are all
///   missing, nor one with one bin and no missing value).
/// - **Columns** (`columns[f × n + r]`, `B` each): local bins, for routing rows at a split,
///   which reads one feature of many rows. A missing value is stored as the feature's bin
///   count; a feature whose bins use every value of `B` (256 bins in `UInt8`) stores it as
///   bin 0 and marks it in a per-feature bit set.
///
/// The buffers are owned here (allocated once, freed on deinit) so the hot loops take plain
/// pointers; every buffer has at least one element.
final class XGBoostBinned<B: FixedWidthInteger & UnsignedInteger, S: FixedWidthInteger & UnsignedInteger> {
    let n: Int
    let d: Int
    /// Features stored per row in `slots`.
    let stored: Int
    /// The histogram slots, `stored` a row: `rowSlots[r × stored + j]` is row `r`'s slot of
    /// feature `feature[j]`.
    let rowSlots: UnsafeMutablePointer<S>
    /// The original feature at each storage position.
    let feature: UnsafeMutablePointer<Int>
    /// Every feature's local bins column-major (zeros for features not stored).
    let columns: UnsafeMutablePointer<B>
    /// First histogram slot of each feature; `offsets[d]` is the total.
    let offsets: UnsafeMutablePointer<Int>
    /// The stored missing marker of each feature in `columns` (its bin count), or −1 for a
    /// feature whose bins fill `B`.
    let marker: UnsafeMutablePointer<Int>
    /// Per feature, bit `r` set when row `r`'s value is missing and stored as bin 0 in
    /// `columns` (a full feature's missing values); other features share `zeroBits`.
    let missingBits: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    private let zeroBits: UnsafeMutablePointer<UInt64>
    /// Whether each feature has a split candidate (it is stored).
    let splittable: [Bool]

    /// Histogram slots: every feature's bins and its spare slot.
    var slots: Int { offsets[d] }

    /// Whether `XGBoostBinned<B, S>` holds the bins of `cuts`: every feature's bins and
    /// missing marker in `B` (a full feature marks missing values apart), every slot in `S`.
    static func fits(_ cuts: XGBoostCuts, features d: Int) -> Bool {
        var total = 0
        for f in 0..<d {
            if cuts.numBins(f) > Int(B.max) + 1 { return false }
            total += cuts.numBins(f) + 1
        }
        return total <= Int(S.max) + 1
    }

    /// The caller checks `fits` first.
    init(_ m: XGBoostMatrix, cuts: XGBoostCuts) {
        let dd = m.numFeatures, rowCount = m.count
        // Each feature's missing values, counted on all cores.
        let counted: [[Int]] = m.x.withUnsafeBufferPointer { x in
            Parallel.mapRanges(rowCount) { range -> [Int] in
                var missing = [Int](repeating: 0, count: dd)
                missing.withUnsafeMutableBufferPointer { a in
                    for i in range { for f in 0..<dd { a[f] &+= x[i &* dd &+ f].isNaN ? 1 : 0 } }
                }
                return missing
            }
        }
        let missing = (0..<dd).map { f in counted.reduce(0) { $0 + $1[f] } }
        let full = (0..<dd).map { cuts.numBins($0) > Int(B.max) }
        // A split needs rows on both sides: two bins, or one and missing values.
        let canSplit = (0..<dd).map { f in missing[f] < rowCount && (cuts.numBins(f) > 1 || (cuts.numBins(f) == 1 && missing[f] > 0)) }
        let order = (0..<dd).filter { canSplit[$0] }
        n = rowCount
        d = dd
        stored = order.count
        splittable = canSplit
        offsets = .allocate(capacity: d + 1)
        marker = .allocate(capacity: max(d, 1))
        offsets[0] = 0
        for f in 0..<d {
            let nb = cuts.numBins(f)
            marker[f] = full[f] ? -1 : nb
            offsets[f + 1] = offsets[f] + nb + 1
        }
        feature = .allocate(capacity: max(stored, 1))
        for (j, f) in order.enumerated() { feature[j] = f }
        // Bins into both layouts, row blocks on all cores: the rows first, then each feature's
        // column from the block's rows while they are in cache.
        let width = stored, fs = feature, off = offsets
        rowSlots = .allocate(capacity: max(n * width, 1))
        columns = .allocate(capacity: max(n * d, 1))
        let out = rowSlots, cols = columns
        for f in 0..<dd where !canSplit[f] { (cols + f * rowCount).initialize(repeating: 0, count: rowCount) }
        m.x.withUnsafeBufferPointer { xb in
            Parallel.forEachRange(rowCount, parts: ProcessInfo.processInfo.activeProcessorCount) { _, range in
                var start = range.lowerBound
                while start < range.upperBound {
                    let end = min(range.upperBound, start + 4096)
                    for i in start..<end {
                        for j in 0..<width {
                            let f = fs[j], v = xb[i &* dd &+ f]
                            let local = v.isNaN ? off[f + 1] &- 1 &- off[f] : cuts.bin(v, f)
                            (out + (i &* width &+ j)).initialize(to: S(truncatingIfNeeded: off[f] &+ local))
                        }
                    }
                    for j in 0..<width {
                        let f = fs[j], base = off[f], nb = off[f + 1] &- 1 &- base
                        // A full feature's missing value (its spare slot) is bin 0 in the column.
                        let missingBin = nb > Int(B.max) ? 0 : nb
                        for i in start..<end {
                            let local = Int(out[i &* width &+ j]) &- base
                            (cols + (f &* rowCount &+ i)).initialize(to: B(truncatingIfNeeded: local == nb ? missingBin : local))
                        }
                    }
                    start = end
                }
            }
        }
        let words = max((m.count + 63) / 64, 1)
        zeroBits = .allocate(capacity: words)
        zeroBits.initialize(repeating: 0, count: words)
        missingBits = .allocate(capacity: max(dd, 1))
        missingBits.initialize(repeating: zeroBits, count: max(dd, 1))
        for f in 0..<dd where full[f] && missing[f] > 0 {
            let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
            bits.initialize(repeating: 0, count: words)
            m.x.withUnsafeBufferPointer { x in
                for i in 0..<rowCount where x[i * dd + f].isNaN { bits[i >> 6] |= 1 << UInt64(i & 63) }
            }
            missingBits[f] = bits
        }
    }

    deinit {
        rowSlots.deallocate()
        feature.deallocate()
        columns.deallocate()
        offsets.deallocate()
        marker.deallocate()
        for f in 0..<d where missingBits[f] != zeroBits { missingBits[f].deallocate() }
        zeroBits.deallocate()
        missingBits.deallocate()
    }

    /// The buffers as plain values, for hot loops (no class field reloads).
    var view: View {
        View(rowSlots: rowSlots, columns: columns, n: n, stored: stored, marker: marker, missingBits: missingBits)
    }

    /// The matrix's pointers and the per-row kernels over them.
    struct View {
        let rowSlots: UnsafeMutablePointer<S>
        let columns: UnsafeMutablePointer<B>
        let n: Int
        let stored: Int
        let marker: UnsafeMutablePointer<Int>
        let missingBits: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>

        /// Adds row `r`'s gradient pair to its slots in `hist` (missing values to spare slots).
        @inline(__always)
        func add(_ r: Int, _ gg: Double, _ hh: Double, _ hist: UnsafeMutablePointer<Double>) {
            let row = rowSlots + r &* stored
            for j in 0..<stored {
                let i = Int(row[j]) &* 2
                hist[i] += gg
                hist[i + 1] += hh
            }
        }

        /// 1 when row `r` goes left on `route`'s split (local bins `<= leftMaxBin` left, a
        /// missing value to the default side), else 0; without branches.
        @inline(__always)
        func goesLeft(_ r: Int, _ route: XGBoostRoute) -> Int {
            let b = Int(columns[route.column &+ r])
            let bit = Int(truncatingIfNeeded: (route.bits[r >> 6] >> UInt64(r & 63)) & 1)
            let missing = (b == Int(route.marker) ? 1 : 0) | bit
            let le = b <= Int(route.leftMaxBin) ? 1 : 0
            return (missing & Int(route.defaultLeft)) | ((missing ^ 1) & le)
        }

        /// The route of a split on feature `f` to children `left` / `right`.
        func route(feature f: Int, leftMaxBin: Int, defaultLeft: Bool, left: Int, right: Int) -> XGBoostRoute {
            XGBoostRoute(column: f * n, bits: missingBits[f], marker: Int32(truncatingIfNeeded: marker[f]), leftMaxBin: Int32(truncatingIfNeeded: leftMaxBin),
                         defaultLeft: defaultLeft ? 1 : 0, left: Int32(truncatingIfNeeded: left), right: Int32(truncatingIfNeeded: right))
        }
    }
}

/// Where the rows of one split node go: the feature's column offset, missing bits and
/// marker, the last left bin, the default side, and both children.
struct XGBoostRoute {
    var column: Int
    var bits: UnsafeMutablePointer<UInt64>
    var marker: Int32
    var leftMaxBin: Int32
    var defaultLeft: Int32
    var left: Int32
    var right: Int32

    /// The child for `left` (1: left, 0: right), without a branch.
    @inline(__always)
    func child(_ left: Int) -> Int32 { right &+ (self.left &- right) &* Int32(truncatingIfNeeded: left) }
}
