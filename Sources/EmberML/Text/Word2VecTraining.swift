import EmberCore
import Foundation

/// Spark's `XORShiftRandom` (a xorshift generator seeded through MurmurHash3) with
/// `java.util.Random`'s `nextInt(bound)` and `nextFloat()` on top. The sequence follows
/// Spark's algorithm, but Word2Vec results are not bit for bit Spark's: Spark shuffles the
/// sentences into partitions, and its float BLAS sums in another order.
struct XORShiftRandom: JavaRandomBits {
    private var state: UInt64

    init(seed: Int64) {
        let s = UInt64(bitPattern: seed)
        let bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: s >> UInt64(56 - 8 * $0)) }
        let (low, high) = bytes.withUnsafeBytes { p -> (UInt32, UInt32) in
            let lo = UInt32(bitPattern: Murmur3.hashBytes(p, seed: 0x3c07_4a61))
            return (lo, UInt32(bitPattern: Murmur3.hashBytes(p, seed: lo)))
        }
        state = UInt64(high) << 32 | UInt64(low)
    }

    @inline(__always)
    mutating func next(_ bits: Int) -> Int32 {
        var x = state ^ (state << 21)
        x ^= x >> 35
        x ^= x << 4
        state = x
        return Int32(truncatingIfNeeded: x & ((1 << UInt64(bits)) - 1))
    }
}

/// The vocabulary of a corpus with its Huffman coding (Spark's `learnVocab` and
/// `createBinaryTree`): words by count descending, each with its code bits and the inner
/// nodes on its path from the root.
struct Word2VecVocabulary {
    var words: [String]
    var counts: [Int]
    /// Code bits and inner-node points of word `w` at `codeOffsets[w]..<codeOffsets[w + 1]`.
    var codes: [Int32] = []
    var points: [Int32] = []
    var codeOffsets: [Int] = [0]

    init(words: [String], counts: [Int]) {
        self.words = words
        self.counts = counts
        buildTree()
    }

    var count: Int { words.count }
    var trainWordsCount: Int { counts.reduce(0, +) }

    /// Spark's `createBinaryTree`: two-queue Huffman over the sorted counts.
    private mutating func buildTree() {
        let n = words.count
        guard n > 0 else { return }
        var count = [Int](repeating: 1_000_000_000, count: 2 * n + 1)
        var binary = [Int32](repeating: 0, count: 2 * n + 1)
        var parent = [Int](repeating: 0, count: 2 * n + 1)
        for a in 0..<n { count[a] = counts[a] }
        var pos1 = n - 1, pos2 = n
        for a in 0..<(n - 1) {
            var mins = (0, 0)
            for pick in 0..<2 {
                let m: Int
                if pos1 >= 0 && count[pos1] < count[pos2] { m = pos1; pos1 -= 1 } else { m = pos2; pos2 += 1 }
                if pick == 0 { mins.0 = m } else { mins.1 = m }
            }
            count[n + a] = count[mins.0] &+ count[mins.1]
            parent[mins.0] = n + a
            parent[mins.1] = n + a
            binary[mins.1] = 1
        }
        var code: [Int32] = [], point: [Int32] = []
        for a in 0..<n {
            code.removeAll(keepingCapacity: true); point.removeAll(keepingCapacity: true)
            var b = a
            while b != n * 2 - 2 {
                code.append(binary[b]); point.append(Int32(b))
                b = parent[b]
            }
            let len = code.count
            // Spark: point[0] = n - 2 (the root), point[len - b] = point_b - n.
            var pts = [Int32](repeating: 0, count: len + 1)
            pts[0] = Int32(n - 2)
            for k in 0..<len { pts[len - k] = point[k] - Int32(n) }
            for k in 0..<len { codes.append(code[len - k - 1]); points.append(pts[k]) }
            codeOffsets.append(codes.count)
        }
    }
}

/// Skip-gram with hierarchical softmax, as Spark's `mllib.feature.Word2Vec.doFit`.
struct Word2VecTrainer {
    static let expTableSize = 1000
    static let maxExp = 6

    let vocab: Word2VecVocabulary
    let vectorSize: Int
    let window: Int
    let learningRate: Double
    let numPartitions: Int
    let iterations: Int
    let seed: Int64

    /// Spark's sigmoid table.
    static let expTable: [Float] = (0..<expTableSize).map { i in
        let t = exp((2.0 * Double(i) / Double(expTableSize) - 1.0) * Double(maxExp))
        return Float(t / (t + 1.0))
    }

    /// Trains on `sentences` (vocabulary ids, flat, sentence `s` at
    /// `offsets[s]..<offsets[s + 1]`) and returns the word vectors (row-major floats).
    func train(sentences: [Int32], offsets: [Int]) -> [Float] {
        let n = vocab.count, d = vectorSize
        var initRandom = XORShiftRandom(seed: seed)
        var syn0 = [Float](unsafeUninitializedCapacity: n * d) { b, c in
            for i in 0..<(n * d) { b[i] = (initRandom.nextFloat() - 0.5) / Float(d) }
            c = n * d
        }
        var syn1 = [Float](repeating: 0, count: n * d)
        let parts = numPartitions
        // Sentences dealt round-robin to partitions (Spark's `repartition`).
        let numSentences = offsets.count - 1
        let partSentences: [[Int]] = (0..<parts).map { p in Array(stride(from: p, to: numSentences, by: parts)) }
        let trainWords = vocab.trainWordsCount
        for k in stride(from: 1, through: iterations, by: 1) {
            let previous = (k - 1) * trainWords
            if parts == 1 {
                var s0 = syn0, s1 = syn1
                var m0 = [Bool](repeating: false, count: n), m1 = m0
                trainPartition(0, iteration: k, previousWords: previous, sentences: sentences, offsets: offsets,
                               ids: partSentences[0], syn0: &s0, syn1: &s1, modified0: &m0, modified1: &m1)
                syn0 = s0; syn1 = s1
                continue
            }
            let g0 = syn0, g1 = syn1
            let results = Parallel.mapRanges(parts, parts: parts) { range -> [(Int, [Float], [Float], [Bool], [Bool])] in
                range.map { p in
                    var s0 = g0, s1 = g1
                    var m0 = [Bool](repeating: false, count: n), m1 = m0
                    trainPartition(p, iteration: k, previousWords: previous, sentences: sentences, offsets: offsets,
                                   ids: partSentences[p], syn0: &s0, syn1: &s1, modified0: &m0, modified1: &m1)
                    return (p, s0, s1, m0, m1)
                }
            }.flatMap { $0 }.sorted { $0.0 < $1.0 }
            // Average each vector over the partitions that changed it (Spark's reduceByKey).
            average(&syn0, results.map { ($0.1, $0.3) })
            average(&syn1, results.map { ($0.2, $0.4) })
        }
        return syn0
    }

    private func average(_ global: inout [Float], _ locals: [([Float], [Bool])]) {
        let n = vocab.count, d = vectorSize
        var sum = [Float](repeating: 0, count: d)
        for w in 0..<n {
            var c = 0
            for (vec, modified) in locals where modified[w] {
                if c == 0 { for i in 0..<d { sum[i] = vec[w * d + i] } } else { for i in 0..<d { sum[i] += vec[w * d + i] } }
                c += 1
            }
            guard c > 0 else { continue }
            let inv = 1 / Float(c)
            for i in 0..<d { global[w * d + i] = sum[i] * inv }
        }
    }

    /// One partition's pass over its sentences (Spark's `mapPartitionsWithIndex` body).
    private func trainPartition(_ idx: Int, iteration k: Int, previousWords: Int, sentences: [Int32], offsets: [Int], ids: [Int],
                                syn0: inout [Float], syn1: inout [Float], modified0: inout [Bool], modified1: inout [Bool]) {
        let d = vectorSize, window = Int32(self.window)
        let mix = Int64(Int32(truncatingIfNeeded: idx + 1) << 16) ^ Int64(Int32(truncatingIfNeeded: -k - 1) << 8)
        var random = XORShiftRandom(seed: seed ^ mix)
        let totalWords = Double(iterations * vocab.trainWordsCount + 1)
        let maxExp = Float(Self.maxExp)
        let scale = Double(Self.expTableSize / Self.maxExp) / 2.0
        var alpha = learningRate
        var lastWordCount = 0, wordCount = 0
        var neu1e = [Float](repeating: 0, count: d)
        let expTable = Self.expTable
        sentences.withUnsafeBufferPointer { sent in
        vocab.codes.withUnsafeBufferPointer { codes in
        vocab.points.withUnsafeBufferPointer { points in
        vocab.codeOffsets.withUnsafeBufferPointer { codeOffsets in
        expTable.withUnsafeBufferPointer { table in
        syn0.withUnsafeMutableBufferPointer { s0 in
        syn1.withUnsafeMutableBufferPointer { s1 in
        neu1e.withUnsafeMutableBufferPointer { e in
            for s in ids {
                if wordCount - lastWordCount > 10000 {
                    lastWordCount = wordCount
                    alpha = learningRate * (1 - (Double(numPartitions) * Double(wordCount) + Double(previousWords)) / totalWords)
                    if alpha < learningRate * 0.0001 { alpha = learningRate * 0.0001 }
                }
                let lo = offsets[s], len = offsets[s + 1] - lo
                wordCount += len
                for pos in 0..<len {
                    let word = Int(sent[lo + pos])
                    let b = Int(random.nextInt(window))
                    let c0 = codeOffsets[word], c1 = codeOffsets[word + 1]
                    var a = b
                    while a < Int(window) * 2 + 1 - b {
                        defer { a += 1 }
                        if a == Int(window) { continue }
                        let c = pos - Int(window) + a
                        guard c >= 0 && c < len else { continue }
                        let lastWord = Int(sent[lo + c])
                        let l1 = lastWord * d
                        for i in 0..<d { e[i] = 0 }
                        for q in c0..<c1 {
                            let inner = Int(points[q])
                            let l2 = inner * d
                            var f: Float = 0
                            for i in 0..<d { f += s0[l1 + i] * s1[l2 + i] }
                            guard f > -maxExp && f < maxExp else { continue }
                            let ind = Int(Double(f + maxExp) * scale)
                            let sig = table[ind]
                            let g = Float(Double(Float(1 - codes[q]) - sig) * alpha)
                            for i in 0..<d { e[i] += g * s1[l2 + i] }
                            for i in 0..<d { s1[l2 + i] += g * s0[l1 + i] }
                            modified1[inner] = true
                        }
                        for i in 0..<d { s0[l1 + i] += e[i] }
                        modified0[lastWord] = true
                    }
                }
            }
        }}}}}}}}
    }
}
