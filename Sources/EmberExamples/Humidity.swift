import Ember
import EmberColumnar
import EmberDatagen
import EmberML
import Foundation

/// `ember example humidity`: random-forest regression of daily humidity from temperature,
/// wind, rainfall and calendar features, on a generated 30-year daily weather series (the
/// humidity-forecast example of Spark's users).
public enum HumidityExample {
    /// One row per day from 1990-01-01: date, year, month, day_of_year, temperature (°C),
    /// wind (km/h), rainfall (mm), pressure (hPa) and humidity (%), with seasonal cycles,
    /// day-to-day persistence and noise; humidity rises with rain and falls with heat and
    /// wind. Deterministic for a seed.
    public static func weather(_ spark: Session, years: Int = 30, seed: UInt64 = 7) throws -> DataFrame {
        let days = years * 365 + years / 4
        var r = Xoshiro256(seed: seed, stream: 0)
        func normal() -> Double {
            let u = max(r.uniform(), 1e-300), v = r.uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        var date: [Int32] = [], year: [Int32] = [], month: [Int32] = [], doy: [Int32] = []
        var temp: [Double] = [], wind: [Double] = [], rain: [Double] = [], pressure: [Double] = [], humidity: [Double] = []
        let start = Int32(7305)  // 1990-01-01 as days since the epoch
        var t = 0.0, w = 0.0, p = 0.0
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC") ?? c.timeZone
        for d in 0..<days {
            let day = start + Int32(d)
            let when = Date(timeIntervalSince1970: Double(day) * 86400)
            let parts = c.dateComponents([.year, .month], from: when)
            let dayOfYear = Int32(c.ordinality(of: .day, in: .year, for: when) ?? 1)
            let season = cos(2 * .pi * (Double(dayOfYear) - 200) / 365.25)
            t = 0.7 * t + 0.3 * normal() * 3
            w = 0.6 * w + 0.4 * abs(normal()) * 8
            p = 0.8 * p + 0.2 * normal() * 6
            let temperature = 12 + 10 * season + t
            let pr = 1013 + p
            let rainy = r.uniform() < 0.25 + 0.1 * (1 - season) - (pr - 1013) / 60
            let rainfall = rainy ? -log(max(r.uniform(), 1e-12)) * 6 : 0
            let h = 72 - 1.1 * (temperature - 12) - 0.35 * w + 2.2 * rainfall.squareRoot() * 2 - 0.25 * (pr - 1013) + normal() * 4
            date.append(day); year.append(Int32(parts.year ?? 1990)); month.append(Int32(parts.month ?? 1)); doy.append(dayOfYear)
            temp.append((temperature * 10).rounded() / 10); wind.append((w * 10).rounded() / 10)
            rain.append((rainfall * 10).rounded() / 10); pressure.append((pr * 10).rounded() / 10)
            humidity.append(min(100, max(5, (h * 10).rounded() / 10)))
        }
        let schema = Schema([StructField("date", .date), StructField("year", .int), StructField("month", .int), StructField("day_of_year", .int),
                             StructField("temperature", .double), StructField("wind", .double), StructField("rainfall", .double),
                             StructField("pressure", .double), StructField("humidity", .double)])
        let n = date.count
        let cols: [EmberColumnar.Column] = [
            .init(type: .date, count: n, validity: nil, storage: .i32(date)), .init(type: .int, count: n, validity: nil, storage: .i32(year)),
            .init(type: .int, count: n, validity: nil, storage: .i32(month)), .init(type: .int, count: n, validity: nil, storage: .i32(doy)),
            .init(type: .double, count: n, validity: nil, storage: .f64(temp)), .init(type: .double, count: n, validity: nil, storage: .f64(wind)),
            .init(type: .double, count: n, validity: nil, storage: .f64(rain)), .init(type: .double, count: n, validity: nil, storage: .f64(pressure)),
            .init(type: .double, count: n, validity: nil, storage: .f64(humidity)),
        ]
        return spark.createDataFrame(batches: [RecordBatch(schema: schema, columns: cols, count: n)], schema: schema)
    }

    /// Trains on the first `years − 5` years and tests on the last 5; returns the test RMSE.
    public static func run(_ spark: Session, years: Int = 30, numTrees: Int = 50, maxDepth: Int = 8, log: (String) -> Void = { print($0) }) throws -> Double {
        let data = try weather(spark, years: years)
        // Yesterday's humidity and rain are features too (a forecast uses what is known).
        try data.createOrReplaceTempView("weather")
        let features = try spark.sql("""
            SELECT *, lag(humidity) OVER (ORDER BY date) AS humidity_yesterday, lag(rainfall) OVER (ORDER BY date) AS rain_yesterday
            FROM weather
            """).filter(col("humidity_yesterday").isNotNull())
        let cutoff = Int32(1990 + years - 5)
        let train = try features.filter(col("year") < lit(.int(cutoff))).cache(), test = try features.filter(col("year") >= lit(.int(cutoff))).cache()
        log("Weather: \(try train.count()) training days, \(try test.count()) test days")
        let spec = """
            {"stages": [
              {"class": "VectorAssembler", "params": {"inputCols": ["month", "day_of_year", "temperature", "wind", "rainfall", "pressure",
                "humidity_yesterday", "rain_yesterday"], "outputCol": "features"}},
              {"class": "RandomForestRegressor", "params": {"labelCol": "humidity", "numTrees": \(numTrees), "maxDepth": \(maxDepth), "seed": 42}}]}
            """
        var t = Date()
        let model = try MLJobs.pipeline(spec: Data(spec.utf8)).fit(train)
        log("Training takes \(String(format: "%.2f", Date().timeIntervalSince(t))) s")
        t = Date()
        let ev = try MLJobs.evaluator("regression", metric: "rmse")
        try ev.set(name: "labelCol", json: "humidity")
        let rmse = try ev.evaluate(try model.transform(test))
        log("Evaluation takes \(String(format: "%.2f", Date().timeIntervalSince(t))) s")
        log("RMSE is \(rmse)")
        return rmse
    }
}
