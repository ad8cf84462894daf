// Codec micro benchmark: Ember's codecs on 1 MiB pages (Parquet's page size) of three
// inputs, compress and decompress MB/s (of plain bytes), best of 3. Run by
// bench/codecs/run.sh, which builds this file with EmberCore and EmberCodecs in release
// mode. With a directory argument it also writes the inputs (<name>.bin) and Ember's
// compressed pages (<name>.<codec>, each page as a 4-byte little-endian length and its
// bytes) for bench/codecs/reference.py.
import EmberCodecs
import Foundation

func randomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    var s = seed
    return (0..<n).map { _ in
        s ^= s >> 12; s ^= s << 25; s ^= s >> 27
        return UInt8(truncatingIfNeeded: (s &* 0x2545_F491_4F6C_DD1D) >> 56)
    }
}

/// CSV-like text lines: counters, words, numbers, some empty fields.
func text(_ n: Int) -> [UInt8] {
    let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "Smith", "Johnson", "2024-01-02", "N/A"]
    var out: [UInt8] = []
    out.reserveCapacity(n + 100)
    var s: UInt64 = 12345
    var i = 0
    while out.count < n {
        s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let r = Int(s >> 33)
        out += Array("\(i),\(words[r % 12]),\(words[(r >> 4) % 12]),\(r % 100000).\(r % 97),\(r % 3 == 0 ? "" : "note \(r % 1000)")\n".utf8)
        i += 1
    }
    return Array(out.prefix(n))
}

/// A PLAIN-encoded int64 column of timestamps with small random steps.
func int64Page(_ n: Int) -> [UInt8] {
    var v: Int64 = 1_700_000_000_000
    var s: UInt64 = 99
    var out: [UInt8] = []
    out.reserveCapacity(n)
    while out.count < n {
        s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        v += Int64(s >> 58)
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }
    return Array(out.prefix(n))
}

func seconds(_ reps: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<reps {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return best
}

let dump = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : nil
let inputs: [(String, [UInt8])] = [("text", text(64 << 20)), ("int64", int64Page(64 << 20)), ("random", randomBytes(16 << 20, seed: 7))]
let page = 1 << 20
print("input   codec      ratio   compress MB/s   decompress MB/s")
for (name, data) in inputs {
    if let d = dump { _ = FileManager.default.createFile(atPath: "\(d)/\(name).bin", contents: Data(data)) }
    for codec in [Codec.snappy, .lz4Raw, .lz4Frame, .zstd, .gzip] {
        let reps = codec == .gzip ? 1 : 3
        var pages: [[UInt8]] = []
        let tc = try seconds(reps) {
            pages = []
            var p = 0
            while p < data.count {
                var out: [UInt8] = []
                try data[p..<min(p + page, data.count)].withUnsafeBytes { try codec.compress($0, into: &out) }
                pages.append(out)
                p += page
            }
        }
        var dst = [UInt8](repeating: 0, count: page)
        let td = try seconds(reps) {
            var p = 0
            for c in pages {
                let n = min(page, data.count - p)
                try c.withUnsafeBytes { src in
                    try dst.withUnsafeMutableBytes { try codec.decompress(src, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<n])) }
                }
                p += n
            }
        }
        var back: [UInt8] = []
        var p = 0
        for c in pages {
            let n = min(page, data.count - p)
            back += try c.withUnsafeBytes { try codec.decompress($0, uncompressedSize: n) }
            p += n
        }
        guard back == data else {
            print("\(codec) did not round-trip \(name)")
            exit(1)
        }
        if let d = dump {
            var all: [UInt8] = []
            for c in pages { withUnsafeBytes(of: UInt32(c.count).littleEndian) { all += $0 }; all += c }
            _ = FileManager.default.createFile(atPath: "\(d)/\(name).\(codec.rawValue)", contents: Data(all))
        }
        let mb = Double(data.count) / 1e6
        let ratio = Double(pages.reduce(0) { $0 + $1.count }) / Double(data.count)
        print(
            name.padding(toLength: 8, withPad: " ", startingAt: 0) + codec.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: "%6.3f   %13.0f   %15.0f", ratio, mb / tc, mb / td))
    }
}
