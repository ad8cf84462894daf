import Foundation

/// The feed-forward network of Spark's `MultilayerPerceptronClassifier`: affine layers with
/// sigmoid activations between them and a softmax output with cross-entropy loss. Weights
/// are laid out as Spark's `FeedForwardTopology`: per layer the numOut × numIn matrix in
/// column-major order (element (o, i) at i·numOut + o), then the numOut biases.
struct PerceptronNetwork {
    let layers: [Int]
    /// Where each affine layer's weights start.
    let offsets: [Int]

    init(layers: [Int]) {
        self.layers = layers
        var offs: [Int] = []
        var off = 0
        for l in 0..<max(layers.count - 1, 0) { offs.append(off); off += layers[l] * layers[l + 1] + layers[l + 1] }
        offsets = offs
    }

    var numWeights: Int { PerceptronNetwork.numWeights(layers) }

    static func numWeights(_ layers: [Int]) -> Int {
        var s = 0
        for l in 0..<(layers.count - 1) { s += layers[l] * layers[l + 1] + layers[l + 1] }
        return s
    }

    /// Spark's random initialization shape (uniform in ±√(6/(in + out)) for weights and
    /// biases) from a seeded SplitMix64 stream (Spark's XORShiftRandom stream is not reproduced).
    func randomWeights(seed: Int) -> [Double] {
        var state = UInt64(bitPattern: Int64(seed))
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53)
        }
        var w: [Double] = []
        w.reserveCapacity(numWeights)
        for l in 0..<(layers.count - 1) {
            let scale = (6.0 / Double(layers[l] + layers[l + 1])).squareRoot()
            for _ in 0..<(layers[l] * layers[l + 1] + layers[l + 1]) { w.append((next() * 2 - 1) * scale) }
        }
        return w
    }

    /// Scratch buffers for one row: the activations of every layer and the deltas.
    final class Scratch {
        var activations: [UnsafeMutableBufferPointer<Double>]
        var deltas: [UnsafeMutableBufferPointer<Double>]
        init(_ layers: [Int]) {
            activations = layers.map { UnsafeMutableBufferPointer<Double>.allocate(capacity: max($0, 1)) }
            deltas = layers.map { UnsafeMutableBufferPointer<Double>.allocate(capacity: max($0, 1)) }
        }
        deinit {
            for b in activations { b.deallocate() }
            for b in deltas { b.deallocate() }
        }
    }

    /// Forward pass from `activations[0]` (already filled): fills every layer, the last
    /// with the affine output (raw prediction) when `softmax` is false, else probabilities.
    func forward(_ w: UnsafeBufferPointer<Double>, _ s: Scratch, softmax: Bool) {
        var off = 0
        let last = layers.count - 2
        for l in 0...last {
            let nIn = layers[l], nOut = layers[l + 1]
            let a = s.activations[l], z = s.activations[l + 1]
            let bOff = off + nIn * nOut
            for o in 0..<nOut { z[o] = w[bOff + o] }
            for i in 0..<nIn {
                let ai = a[i]
                if ai == 0 { continue }
                let col = off + i * nOut
                for o in 0..<nOut { z[o] += w[col + o] * ai }
            }
            if l < last {
                for o in 0..<nOut { z[o] = 1 / (1 + exp(-z[o])) }
            } else if softmax {
                PerceptronNetwork.softmaxInPlace(z, nOut)
            }
            off = bOff + nOut
        }
    }

    static func softmaxInPlace(_ z: UnsafeMutableBufferPointer<Double>, _ n: Int) {
        var mx = -Double.infinity
        for o in 0..<n where z[o] > mx { mx = z[o] }
        var sum = 0.0
        for o in 0..<n { let e = exp(z[o] - mx); z[o] = e; sum += e }
        for o in 0..<n { z[o] /= sum }
    }

    /// Cross-entropy loss of one row with class `label` (probabilities already in the last
    /// layer); adds `scale`·∂loss/∂w into `g`.
    func backward(_ w: UnsafeBufferPointer<Double>, _ s: Scratch, label: Int, scale: Double, _ g: UnsafeMutableBufferPointer<Double>) -> Double {
        let L = layers.count - 1
        let p = s.activations[L]
        let loss = -log(p[label])
        let dL = s.deltas[L]
        for o in 0..<layers[L] { dL[o] = p[o] - (o == label ? 1 : 0) }
        for l in stride(from: L - 1, through: 0, by: -1) {
            let nIn = layers[l], nOut = layers[l + 1]
            let a = s.activations[l], delta = s.deltas[l + 1], prev = s.deltas[l]
            let base = offsets[l], bOff = base + nIn * nOut
            for o in 0..<nOut { g[bOff + o] += scale * delta[o] }
            for i in 0..<nIn {
                let col = base + i * nOut
                let ai = a[i] * scale
                var back = 0.0
                for o in 0..<nOut {
                    g[col + o] += delta[o] * ai
                    back += w[col + o] * delta[o]
                }
                prev[i] = back
            }
            if l > 0 { for i in 0..<nIn { prev[i] *= a[i] * (1 - a[i]) } }
        }
        return loss
    }
}

/// The MLP objective as Spark computes it: rows are stacked in consecutive blocks of
/// `blockSize`; each block contributes its mean loss and mean gradient, and the objective is
/// the mean over blocks (so with one block per `blockSize` rows, as Spark's stacking within
/// one partition). Blocks are processed in parallel ranges.
struct PerceptronLoss {
    let network: PerceptronNetwork
    let data: Instances
    let blockSize: Int

    var numBlocks: Int { (data.count + blockSize - 1) / blockSize }

    func evaluate(_ x: [Double], _ grad: inout [Double]) -> Double {
        let nw = network.numWeights, d = data.numFeatures
        let nb = numBlocks
        let parts = Parallel.mapRanges(nb) { range -> (Double, [Double]) in
            var g = [Double](repeating: 0, count: nw)
            var loss = 0.0
            let s = PerceptronNetwork.Scratch(network.layers)
            x.withUnsafeBufferPointer { w in
                g.withUnsafeMutableBufferPointer { gv in
                    let dense = data.dense
                    for blk in range {
                        let lo = blk * blockSize, hi = min(lo + blockSize, data.count)
                        let scale = 1 / Double(hi - lo)
                        var blockLoss = 0.0
                        for i in lo..<hi {
                            let a0 = s.activations[0]
                            if let m = dense {
                                for j in 0..<d { a0[j] = m[i * d + j] }
                            } else {
                                for j in 0..<d { a0[j] = 0 }
                                for k in data.offsets[i]..<data.offsets[i + 1] { a0[Int(data.indices[k])] = data.values[k] }
                            }
                            network.forward(w, s, softmax: true)
                            blockLoss += network.backward(w, s, label: Int(data.labels[i]), scale: scale, gv)
                        }
                        loss += blockLoss * scale
                    }
                }
            }
            return (loss, g)
        }
        var loss = 0.0
        for (l, g) in parts { loss += l; BLAS.axpy(1, g, &grad) }
        let inv = 1 / Double(nb)
        BLAS.scal(inv, &grad)
        return loss * inv
    }
}
