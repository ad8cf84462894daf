import Ember
import Foundation

/// The classic small Spark programs, through the DataFrame API.
public enum SmallExamples {
    /// Monte Carlo π: the fraction of random points of the unit square inside the quarter
    /// circle, times 4 (Spark's SparkPi). Deterministic for a seed.
    public static func pi(_ spark: Session, samples: Int64, seed: Int64 = 42) throws -> Double {
        let inside = try spark.range(samples)
            .select(rand(seed).alias("x"), rand(seed &+ 1).alias("y"))
            .filter(col("x") * col("x") + col("y") * col("y") <= lit(1.0))
            .count()
        return 4.0 * Double(inside) / Double(max(1, samples))
    }

    /// Word counts of a text column: lower-cased words split on whitespace, most frequent
    /// first (ties by word), as Spark's JavaWordCount.
    public static func wordCount(_ lines: DataFrame, column: String = "value") -> DataFrame {
        lines.select(callFunction("explode", split(lower(col(column)), "\\s+")).alias("word"))
            .filter(col("word") =!= lit(""))
            .groupBy("word").agg(count(lit(1)).alias("count"))
            .orderBy(col("count").desc(), col("word").asc())
    }
}

