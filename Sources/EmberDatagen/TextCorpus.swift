import Ember
import EmberColumnar
import EmberCore
import Foundation

/// A synthetic labelled text corpus for classification examples and benchmarks: short
/// "reviews" made of stop words, a shared vocabulary and topic words whose mix depends on
/// the label, so a bag-of-words model can learn it but not perfectly. Deterministic for a
/// seed; each document has its own random stream, so generation is parallel.
public enum TextCorpus {
    static let positive = ["great", "excellent", "love", "wonderful", "best", "amazing", "perfect", "happy", "recommend", "fantastic",
                           "enjoyed", "brilliant", "superb", "delightful", "favorite", "beautiful", "solid", "reliable", "fun", "smooth"]
    static let negative = ["terrible", "awful", "hate", "worst", "boring", "broken", "poor", "disappointing", "refund", "waste",
                           "bad", "useless", "annoying", "slow", "cheap", "horrible", "mediocre", "flimsy", "confusing", "regret"]
    static let stop = ["the", "a", "an", "and", "or", "but", "is", "was", "it", "this", "that", "of", "to", "in", "for", "on",
                       "with", "as", "at", "by", "i", "we", "they", "you", "my", "our", "very", "so", "too", "not"]
    static let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "fi", "gu", "hy", "ja", "be"]

    /// The `i`-th word of the shared vocabulary (3 syllables, 4096 words).
    static func vocab(_ i: Int) -> String {
        syllables[i & 15] + syllables[(i >> 4) & 15] + syllables[(i >> 8) & 15]
    }

    /// `documents` rows of (id BIGINT, label DOUBLE, text STRING).
    public static func generate(session: Session, documents: Int, seed: UInt64 = 42, partitions: Int = 8) throws -> DataFrame {
        let schema = Schema([StructField("id", .long, nullable: false), StructField("label", .double, nullable: false),
                             StructField("text", .string, nullable: false)])
        // Words as bytes, lower and upper case, looked up by table: no per-word allocation.
        let tables: [[[UInt8]]] = [positive, negative, stop, (0..<4096).map(vocab)].map { $0.map { Array($0.utf8) } }
        let upper: [[[UInt8]]] = [positive, negative, stop, (0..<4096).map(vocab)].map { $0.map { Array($0.uppercased().utf8) } }
        let parts = max(1, min(partitions, documents))
        var batches = [RecordBatch?](repeating: nil, count: parts)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let lo = documents * p / parts, hi = documents * (p + 1) / parts
            var ids: [Int64] = [], labels: [Double] = [], offsets: [Int32] = [0], bytes: [UInt8] = []
            ids.reserveCapacity(hi - lo)
            labels.reserveCapacity(hi - lo)
            for d in lo..<hi {
                var r = Xoshiro256(seed: seed, stream: UInt64(d))
                let label = r.uniform() < 0.5 ? 1.0 : 0.0
                let own = label == 1 ? 0 : 1, other = 1 - own
                let n = 12 + r.int(40)
                for w in 0..<n {
                    let u = r.uniform()
                    let table: Int, k: Int
                    if u < 0.10 { table = own; k = r.int(20) } else if u < 0.14 { table = other; k = r.int(20) } else if u < 0.45 {
                        table = 2; k = r.int(stop.count)
                    } else {
                        // Zipf-like: low word numbers are common.
                        let x = r.uniform()
                        table = 3; k = Int(x * x * 4096) & 4095
                    }
                    if w > 0 { bytes.append(32) }
                    bytes.append(contentsOf: r.uniform() < 0.1 ? upper[table][k] : tables[table][k])
                }
                ids.append(Int64(d))
                labels.append(label)
                offsets.append(Int32(bytes.count))
            }
            let cols = [ColumnData(type: .long, count: ids.count, validity: nil, storage: .i64(ids)),
                        ColumnData(type: .double, count: labels.count, validity: nil, storage: .f64(labels)),
                        ColumnData(type: .string, count: ids.count, validity: nil, storage: .bytes(offsets: offsets, data: bytes))]
            let b = RecordBatch(schema: schema, columns: cols, count: ids.count)
            lock.lock(); batches[p] = b; lock.unlock()
        }
        return session.createDataFrame(batches: batches.compactMap { $0 }, schema: schema)
    }
}

typealias ColumnData = EmberColumnar.Column
