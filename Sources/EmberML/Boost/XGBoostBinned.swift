import Foundation

/// The binned training matrix the tree builder reads (XGBoost's `GHistIndexMatrix`): one
/// local bin per (row, feature), row-major, in the narrowest integer that holds them, and
/// the histogram layout: feature `f`'s slots start at `offsets[f]` (pairs g, h).
///
/// A missing value is stored as the feature's bin count (one slot past its last bin, so a
/// histogram pass adds it to a slot that split finding never reads, without a branch).
/// Only a feature whose bins already use every value of `B` (256 bins in `UInt8`) cannot
/// do that: its missing values are stored as bin 0 and marked in a per-row mask (bit
/// `maskBit[f]`, so at most 63 such features; `init` fails beyond that and the caller takes
/// 16-bit bins), which sends them to one spare slot at the end of the histogram, and in a
/// per-feature bit set for routing rows.
///
/// The buffers are owned here (allocated once, freed on deinit) so the hot loops take plain
/// pointers; every buffer has at least one element.
final class XGBoostBinned<B: FixedWidthInteger & UnsignedInteger> {
    let n: Int
    let d: Int
    let bins: UnsafeMutablePointer<B>
    /// The same bins column-major (`columns[f × n + r]`): routing rows reads one feature of
    /// many rows, so a column touches far fewer cache lines than the rows.
    let columns: UnsafeMutablePointer<B>
    /// First histogram slot of each feature; `offsets[d]` is the total.
    let offsets: UnsafeMutablePointer<Int>
    /// The stored missing marker of each feature (its bin count), or −1 for a full feature.
    let marker: UnsafeMutablePointer<Int>
    /// Per row, the mask bits of its missing values in full features; nil when there are none.
    let rowMask: UnsafeMutablePointer<UInt64>?
    /// Each feature's bit in `rowMask` (63, never set, for features not tracked there).
    let maskBit: UnsafeMutablePointer<Int>
    /// Per feature, bit `r` set when row `r`'s value is missing and stored as bin 0 (a full
    /// feature's missing values); features without such values share `zeroBits`.
    let missingBits: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    private let zeroBits: UnsafeMutablePointer<UInt64>

    /// Histogram slots: every feature's, then the spare slot for masked missing values.
    var slots: Int { offsets[d] + 1 }

    /// Nil when more than 63 full features have missing values.
    init?(_ m: XGBoostMatrix, cuts: XGBoostCuts) {
        let full = (0..<m.numFeatures).filter { cuts.numBins($0) > Int(B.max) }
        var fullMissing: [Int] = []
        m.x.withUnsafeBufferPointer { x in
            for f in full where stride(from: f, to: x.count, by: max(m.numFeatures, 1)).contains(where: { x[$0].isNaN }) { fullMissing.append(f) }
        }
        if fullMissing.count > 63 { return nil }
        n = m.count
        d = m.numFeatures
        offsets = .allocate(capacity: d + 1)
        marker = .allocate(capacity: max(d, 1))
        offsets[0] = 0
        for f in 0..<d {
            let nb = cuts.numBins(f)
            let full = nb > Int(B.max)
            marker[f] = full ? -1 : nb
            offsets[f + 1] = offsets[f] + nb + (full ? 0 : 1)
        }
        bins = .allocate(capacity: max(n * d, 1))
        let dd = d, out = bins, mk = marker
        m.x.withUnsafeBufferPointer { xb in
            _ = Parallel.mapRanges(m.count) { range -> Int in
                for i in range {
                    for f in 0..<dd {
                        let v = xb[i * dd + f]
                        (out + i * dd + f).initialize(to: v.isNaN ? B(truncatingIfNeeded: max(mk[f], 0)) : B(truncatingIfNeeded: cuts.bin(v, f)))
                    }
                }
                return 0
            }
        }
        columns = .allocate(capacity: max(n * d, 1))
        let rowCount = n, cols = columns
        _ = Parallel.mapRanges(dd) { features -> Int in
            // Blocks of rows keep the source lines in cache while each feature is copied.
            var start = 0
            while start < rowCount {
                let end = min(rowCount, start + 4096)
                for f in features {
                    for i in start..<end { (cols + f * rowCount + i).initialize(to: out[i * dd + f]) }
                }
                start = end
            }
            return 0
        }
        maskBit = .allocate(capacity: max(dd, 1))
        maskBit.initialize(repeating: 63, count: max(dd, 1))
        for (j, f) in fullMissing.enumerated() { maskBit[f] = j }
        let words = max((m.count + 63) / 64, 1)
        zeroBits = .allocate(capacity: words)
        zeroBits.initialize(repeating: 0, count: words)
        missingBits = .allocate(capacity: max(dd, 1))
        missingBits.initialize(repeating: zeroBits, count: max(dd, 1))
        guard !fullMissing.isEmpty else { rowMask = nil; return }
        let masks = UnsafeMutablePointer<UInt64>.allocate(capacity: max(n, 1))
        masks.initialize(repeating: 0, count: max(n, 1))
        for (j, f) in fullMissing.enumerated() {
            let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
            bits.initialize(repeating: 0, count: words)
            m.x.withUnsafeBufferPointer { x in
                for i in 0..<rowCount where x[i * dd + f].isNaN {
                    bits[i >> 6] |= 1 << UInt64(i & 63)
                    masks[i] |= 1 << UInt64(j)
                }
            }
            missingBits[f] = bits
        }
        rowMask = masks
    }

    deinit {
        bins.deallocate()
        columns.deallocate()
        offsets.deallocate()
        marker.deallocate()
        rowMask?.deallocate()
        maskBit.deallocate()
        for f in 0..<d where missingBits[f] != zeroBits { missingBits[f].deallocate() }
        zeroBits.deallocate()
        missingBits.deallocate()
    }

    /// The buffers as plain values, for hot loops (no class field reloads).
    var view: View {
        View(bins: bins, columns: columns, n: n, d: d, offsets: offsets, marker: marker, rowMask: rowMask, maskBit: maskBit, missingBits: missingBits)
    }

    /// The matrix's pointers and the per-row kernels over them.
    struct View {
        let bins: UnsafeMutablePointer<B>
        let columns: UnsafeMutablePointer<B>
        let n: Int
        let d: Int
        let offsets: UnsafeMutablePointer<Int>
        let marker: UnsafeMutablePointer<Int>
        let rowMask: UnsafeMutablePointer<UInt64>?
        let maskBit: UnsafeMutablePointer<Int>
        let missingBits: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>

        /// Adds row `r`'s gradient pair to its bins in `hist` (missing values excluded).
        @inline(__always)
        func add(_ r: Int, _ gg: Double, _ hh: Double, _ hist: UnsafeMutablePointer<Double>) {
            let row = bins + r &* d
            if let masks = rowMask {
                let mask = masks[r]
                if mask != 0 {
                    // Masked missing values go to the spare slot.
                    let spare = offsets[d]
                    for f in 0..<d {
                        let i = ((mask >> UInt64(maskBit[f])) & 1 != 0 ? spare : offsets[f] &+ Int(row[f])) &* 2
                        hist[i] += gg
                        hist[i + 1] += hh
                    }
                    return
                }
            }
            for f in 0..<d {
                let i = (offsets[f] &+ Int(row[f])) &* 2
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

        /// The route of a split on feature `f` to children `left` / `right` (histogram slots
        /// `slotLeft` / `slotRight`, −1 for none).
        func route(feature f: Int, leftMaxBin: Int, defaultLeft: Bool, left: Int, right: Int, slotLeft: Int = -1, slotRight: Int = -1) -> XGBoostRoute {
            XGBoostRoute(column: f * n, bits: missingBits[f], marker: Int32(truncatingIfNeeded: marker[f]), leftMaxBin: Int32(truncatingIfNeeded: leftMaxBin),
                         defaultLeft: defaultLeft ? 1 : 0, left: Int32(truncatingIfNeeded: left), right: Int32(truncatingIfNeeded: right),
                         slotLeft: Int32(truncatingIfNeeded: slotLeft), slotRight: Int32(truncatingIfNeeded: slotRight))
        }

        /// The route of a node that is not split: its rows stay.
        func stay(_ node: Int) -> XGBoostRoute {
            XGBoostRoute(column: 0, bits: missingBits[0], marker: -1, leftMaxBin: 0, defaultLeft: 0,
                         left: Int32(truncatingIfNeeded: node), right: Int32(truncatingIfNeeded: node), slotLeft: -1, slotRight: -1)
        }
    }
}

/// Where the rows of one node go in a pass: its split (the feature's column offset, missing
/// bits and marker, the last left bin, the default side) and both children with the
/// histogram slots they are added to (−1: none).
struct XGBoostRoute {
    var column: Int
    var bits: UnsafeMutablePointer<UInt64>
    var marker: Int32
    var leftMaxBin: Int32
    var defaultLeft: Int32
    var left: Int32
    var right: Int32
    var slotLeft: Int32
    var slotRight: Int32

    /// The child for `left` (1: left, 0: right), without a branch.
    @inline(__always)
    func child(_ left: Int) -> Int32 { right &+ (self.left &- right) &* Int32(truncatingIfNeeded: left) }

    /// The histogram slot of that child.
    @inline(__always)
    func slot(_ left: Int) -> Int32 { slotRight &+ (slotLeft &- slotRight) &* Int32(truncatingIfNeeded: left) }
}
