import Ember
import EmberCore
import Foundation

/// Splits a string column with a regular expression (Spark's `RegexTokenizer`): with
/// `gaps` the pattern matches the separators (Java `Pattern.split` semantics), otherwise
/// the tokens; tokens shorter than `minTokenLength` (UTF-16 units) are dropped. The
/// whitespace patterns `\s+` and `\s` run on bytes with Java's whitespace class; other
/// patterns run on ICU's regex engine, whose dialect differs from Java's in corners
/// (e.g. `\s`, `\w` are Unicode-aware there).
public final class RegexTokenizer: Transformer {
    public override class var sparkPackage: String { "org.apache.spark.ml.feature" }

    public let inputCol = SharedParams.inputCol()
    public let outputCol = SharedParams.outputCol()
    public let minTokenLength = Param<Int>("minTokenLength", "minimum token length (>= 0)", default: 1, .gtEq(0))
    public let gaps = Param<Bool>("gaps", "Set regex to match gaps or tokens", default: true)
    public let pattern = Param<String>("pattern", "regex pattern used for tokenizing", default: "\\s+")
    public let toLowercase = Param<Bool>("toLowercase", "whether to convert all characters to lowercase before tokenizing", default: true)

    public required init(uid: String) {
        super.init(uid: uid)
        setDefault(outputCol, uid + "__output")
    }

    public convenience init(inputCol: String, outputCol: String, pattern: String? = nil, gaps: Bool? = nil,
                            minTokenLength: Int? = nil, toLowercase: Bool? = nil) {
        self.init()
        set(self.inputCol, inputCol)
        set(self.outputCol, outputCol)
        if let p = pattern { set(self.pattern, p) }
        if let g = gaps { set(self.gaps, g) }
        if let m = minTokenLength { set(self.minTokenLength, m) }
        if let l = toLowercase { set(self.toLowercase, l) }
    }

    public override func transformSchema(_ schema: Schema) throws -> Schema {
        try validateParams()
        _ = try compile()
        return try TokenSplitting.checkSchema(self, schema, inputCol: try value(inputCol), outputCol: try value(outputCol))
    }

    func compile() throws -> NSRegularExpression {
        let p = try value(pattern)
        do { return try NSRegularExpression(pattern: p) } catch {
            throw MLError.invalidParam(uid, "pattern", "given invalid regular expression \(p)")
        }
    }

    public override func transform(_ df: DataFrame) throws -> DataFrame {
        _ = try transformSchema(try df.schema())
        let stage = uid
        let p = try value(pattern), g = try value(gaps), minLength = try value(minTokenLength), lower = try value(toLowercase)
        let f: UserDefinedFunction
        if g && (p == "\\s+" || p == "\\s") {
            let runs = p == "\\s+"
            f = udf("regex_tokenizer", returnType: .array(element: .string, containsNull: true)) { cols, n in
                try TokenSplitting.splitColumn(cols[0], count: n, lowercase: lower, runs: runs, minLength: minLength, stage: stage)
            }
        } else {
            f = udf("regex_tokenizer", returnType: .array(element: .string, containsNull: true)) { cols, n in
                let re: NSRegularExpression
                do { re = try NSRegularExpression(pattern: p) } catch {
                    throw MLError.invalidParam(stage, "pattern", "given invalid regular expression \(p)")
                }
                return try RegexTokenizer.tokenize(cols[0], count: n, regex: re, gaps: g, minLength: minLength, lowercase: lower, stage: stage)
            }
        }
        return df.withColumn(try value(outputCol), f(col(try value(inputCol))))
    }

    static func tokenize(_ column: ColumnData, count n: Int, regex: NSRegularExpression, gaps: Bool, minLength: Int,
                         lowercase: Bool, stage: String) throws -> ColumnData {
        var out = StringListAppender(capacity: n, stage: stage)
        var ranges: [NSRange] = []
        for row in 0..<n {
            if column.isNull(row) { out.appendNullRow(); continue }
            var s = column.stringAt(row)
            if lowercase { s = JavaText.lowercased(s) }
            let ns = NSString(string: s)
            let len = ns.length
            let matches = regex.matches(in: s, range: NSRange(location: 0, length: len))
            ranges.removeAll(keepingCapacity: true)
            if gaps {
                // Java's Pattern.split with limit 0.
                var index = 0
                for m in matches {
                    let r = m.range
                    if index == 0 && r.location == 0 && r.length == 0 { continue }
                    ranges.append(NSRange(location: index, length: r.location - index))
                    index = r.location + r.length
                }
                if index == 0 {
                    ranges = [NSRange(location: 0, length: len)]
                } else {
                    ranges.append(NSRange(location: index, length: len - index))
                    while let last = ranges.last, last.length == 0 { ranges.removeLast() }
                }
            } else {
                ranges = matches.map(\.range)
            }
            for r in ranges where r.length >= minLength {
                out.appendElement(bytes: ns.substring(with: r).utf8)
            }
            try out.endRow()
        }
        return out.finish()
    }
}
