import Foundation

/// The binned training matrix the tree builder reads (XGBoost's `GHistIndexMatrix`): local
/// bins per row, row-major, in the narrowest integer that holds them, and the histogram
/// layout: feature `f`'s slots start at `offsets[f]` (pairs g, h).
///
/// A missing value is stored as the feature's bin count (one slot past its last bin, so a
/// histogram pass adds it to a slot that split finding never reads, without a branch).
/// Only a feature whose bins already use every value of `B` (256 bins in `UInt8`) cannot
/// do that: its missing values are stored as bin 0 and marked in a per-row mask, which
/// sends them to one spare slot at the end of the histogram, and in a per-feature bit set
/// for routing rows. At most 63 features can be tracked so; `init` fails beyond that and
/// the caller takes 16-bit bins.
///
/// A row stores its features in an order of its own: the plain ones first, then the
/// tracked ones, so a row without masked values is one tight loop and a row with them
/// checks the mask for the tracked few only. A feature that can never be split (every value
/// missing, or one bin and no missing value) is not stored at all.
///
/// The buffers are owned here (allocated once, freed on deinit) so the hot loops take plain
/// pointers; every buffer has at least one element.
final class XGBoostBinned<B: FixedWidthInteger & UnsignedInteger> {
    let n: Int
    let d: Int
    /// Features stored per row in `bins`; the first `plain` of them are not tracked.
    let stored: Int
    let plain: Int
    /// The bins, `stored` a row: `bins[r × stored + j]` is row `r`'s bin of feature `feature[j]`.
    let bins: UnsafeMutablePointer<B>
    /// The original feature at each storage position, and its first histogram slot.
    let feature: UnsafeMutablePointer<Int>
    let slotBase: UnsafeMutablePointer<Int>
    /// Every feature's bins column-major (`columns[f × n + r]`, zeros for features not
    /// stored): routing rows reads one feature of many rows, so a column touches far fewer
    /// cache lines than the rows.
    let columns: UnsafeMutablePointer<B>
    /// First histogram slot of each feature; `offsets[d]` is the total.
    let offsets: UnsafeMutablePointer<Int>
    /// The stored missing marker of each feature (its bin count), or −1 for a full feature.
    let marker: UnsafeMutablePointer<Int>
    /// Per row, its tracked features' missing values (bit `j − plain` for storage position
    /// `j`); nil when no feature is tracked.
    let rowMask: UnsafeMutablePointer<UInt64>?
    /// Per feature, bit `r` set when row `r`'s value is missing and stored as bin 0 (a
    /// tracked feature's missing values); other features share `zeroBits`.
    let missingBits: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    private let zeroBits: UnsafeMutablePointer<UInt64>
    /// Whether each feature has a split candidate (it is stored).
    let splittable: [Bool]

    /// Histogram slots: every feature's, then the spare slot for masked missing values.
    var slots: Int { offsets[d] + 1 }

    /// Nil when more than 63 full features have missing values.
    init?(_ m: XGBoostMatrix, cuts: XGBoostCuts) {
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
        let hasMissing = missing.map { $0 > 0 }
        let full = (0..<dd).map { cuts.numBins($0) > Int(B.max) }
        let tracked = (0..<dd).filter { full[$0] && hasMissing[$0] }
        if tracked.count > 63 { return nil }
        // A split needs rows on both sides: two bins, or one and missing values.
        let canSplit = (0..<dd).map { f in missing[f] < rowCount && (cuts.numBins(f) > 1 || (cuts.numBins(f) == 1 && hasMissing[f])) }
        let order = (0..<dd).filter { canSplit[$0] && !tracked.contains($0) } + tracked
        n = rowCount
        d = dd
        stored = order.count
        plain = order.count - tracked.count
        splittable = canSplit
        offsets = .allocate(capacity: d + 1)
        marker = .allocate(capacity: max(d, 1))
        offsets[0] = 0
        for f in 0..<d {
            let nb = cuts.numBins(f)
            marker[f] = full[f] ? -1 : nb
            offsets[f + 1] = offsets[f] + nb + (full[f] ? 0 : 1)
        }
        feature = .allocate(capacity: max(stored, 1))
        slotBase = .allocate(capacity: max(stored, 1))
        for (j, f) in order.enumerated() { feature[j] = f; slotBase[j] = offsets[f] }
        let width = stored, mk = marker, fs = feature
        bins = .allocate(capacity: max(n * width, 1))
        let out = bins
        let masks: UnsafeMutablePointer<UInt64>? = tracked.isEmpty ? nil : .allocate(capacity: max(n, 1))
        let firstTracked = plain
        m.x.withUnsafeBufferPointer { xb in
            Parallel.forEachRange(rowCount, parts: ProcessInfo.processInfo.activeProcessorCount) { _, range in
                for i in range {
                    var mask: UInt64 = 0
                    for j in 0..<width {
                        let f = fs[j]
                        let v = xb[i &* dd &+ f]
                        if v.isNaN && j >= firstTracked { mask |= 1 << UInt64(j - firstTracked) }
                        (out + (i &* width &+ j)).initialize(to: v.isNaN ? B(truncatingIfNeeded: max(mk[f], 0)) : B(truncatingIfNeeded: cuts.bin(v, f)))
                    }
                    masks?[i] = mask
                }
            }
        }
        rowMask = masks
        columns = .allocate(capacity: max(n * d, 1))
        let cols = columns
        var position = [Int](repeating: -1, count: dd)
        for (j, f) in order.enumerated() { position[f] = j }
        let where_ = position
        Parallel.forEachRange(dd, parts: ProcessInfo.processInfo.activeProcessorCount) { _, features in
            // Blocks of rows keep the source lines in cache while each feature is copied.
            var start = 0
            while start < rowCount {
                let end = min(rowCount, start + 4096)
                for f in features {
                    let j = where_[f]
                    if j < 0 { (cols + f * rowCount + start).initialize(repeating: 0, count: end - start); continue }
                    for i in start..<end { (cols + f * rowCount + i).initialize(to: out[i * width + j]) }
                }
                start = end
            }
        }
        let words = max((m.count + 63) / 64, 1)
        zeroBits = .allocate(capacity: words)
        zeroBits.initialize(repeating: 0, count: words)
        missingBits = .allocate(capacity: max(dd, 1))
        missingBits.initialize(repeating: zeroBits, count: max(dd, 1))
        for f in tracked {
            let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
            bits.initialize(repeating: 0, count: words)
            m.x.withUnsafeBufferPointer { x in
                for i in 0..<rowCount where x[i * dd + f].isNaN { bits[i >> 6] |= 1 << UInt64(i & 63) }
            }
            missingBits[f] = bits
        }
    }

    deinit {
        bins.deallocate()
        feature.deallocate()
        slotBase.deallocate()
        columns.deallocate()
        offsets.deallocate()
        marker.deallocate()
        rowMask?.deallocate()
        for f in 0..<d where missingBits[f] != zeroBits { missingBits[f].deallocate() }
        zeroBits.deallocate()
        missingBits.deallocate()
    }

    /// The buffers as plain values, for hot loops (no class field reloads).
    var view: View {
        View(bins: bins, columns: columns, n: n, stored: stored, plain: plain, slotBase: slotBase, spare: offsets[d], rowMask: rowMask,
             marker: marker, missingBits: missingBits)
    }

    /// The matrix's pointers and the per-row kernels over them.
    struct View {
        let bins: UnsafeMutablePointer<B>
        let columns: UnsafeMutablePointer<B>
        let n: Int
        let stored: Int
        let plain: Int
        let slotBase: UnsafeMutablePointer<Int>
        let spare: Int
        let rowMask: UnsafeMutablePointer<UInt64>?
        let marker: UnsafeMutablePointer<Int>
        let missingBits: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>

        /// Adds row `r`'s gradient pair to its bins in `hist` (missing values excluded).
        @inline(__always)
        func add(_ r: Int, _ gg: Double, _ hh: Double, _ hist: UnsafeMutablePointer<Double>) {
            let row = bins + r &* stored
            var count = stored
            if let masks = rowMask {
                let mask = masks[r]
                if mask != 0 {
                    // The tracked features' masked missing values go to the spare slot.
                    for j in plain..<stored {
                        let i = ((mask >> UInt64(j &- plain)) & 1 != 0 ? spare : slotBase[j] &+ Int(row[j])) &* 2
                        hist[i] += gg
                        hist[i + 1] += hh
                    }
                    count = plain
                }
            }
            for j in 0..<count {
                let i = (slotBase[j] &+ Int(row[j])) &* 2
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
