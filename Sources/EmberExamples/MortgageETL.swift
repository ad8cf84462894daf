import Ember
import EmberDatagen
import EmberIO
import Foundation

/// The ETL of the mortgage demo, in the shape of the Spark-RAPIDS XGBoost mortgage job:
/// raw pipe-delimited acquisition and performance files → one row per performance month
/// with the loan's origination features, the month's servicing features and the label
/// `delinquency_12`: whether the loan first becomes 90+ days delinquent within the next 12
/// months. Months already 90+ days delinquent are dropped (their outcome is known).
/// Categorical columns are indexed by frequency (Spark's StringIndexer default order).
public enum MortgageETL {
    /// The categorical columns of the output, indexed into `<name>_idx` doubles.
    public static let categorical = ["orig_channel", "seller_name", "first_home_buyer", "loan_purpose", "property_type",
                                     "occupancy_status", "property_state", "product_type", "relocation_mortgage_indicator",
                                     "servicer", "mod_flag"]
    /// The numeric feature columns of the output.
    public static let numeric = ["orig_interest_rate", "orig_upb", "orig_loan_term", "orig_ltv", "orig_cltv", "num_borrowers", "dti",
                                 "borrower_credit_score", "num_units", "zip", "mortgage_insurance_percent", "coborrow_credit_score",
                                 "interest_rate", "current_actual_upb", "loan_age", "remaining_months_to_legal_maturity", "msa",
                                 "status", "prior_status", "months_reported"]

    /// The feature columns a model reads (numeric, then the indexed categoricals).
    public static var featureColumns: [String] { numeric + categorical.map { $0 + "_idx" } }

    /// Reads the raw tables of `dir` (`ember datagen loans` output) and returns the labelled
    /// feature table. The joined loan-months are computed once and kept in memory; the
    /// category indexes are small aggregates over them.
    public static func features(_ spark: Session, dir: String) throws -> DataFrame {
        let acq = spark.read.option("delimiter", "|").schema(try LoanSchemas.acquisition(typed: false)).csv(dir + "/acquisition")
        let perf = spark.read.option("delimiter", "|").schema(try LoanSchemas.performance(typed: false)).csv(dir + "/performance")
        try acq.createOrReplaceTempView("mortgage_acq")
        try perf.createOrReplaceTempView("mortgage_perf")
        let base = try spark.sql("""
            WITH perf AS (
                SELECT loan_id, to_date(monthly_reporting_period, 'MM/dd/yyyy') AS period, servicer, interest_rate,
                       current_actual_upb, loan_age, remaining_months_to_legal_maturity, msa, mod_flag,
                       CAST(nullif(current_loan_delinquency_status, 'X') AS INT) AS status
                FROM mortgage_perf),
            windowed AS (
                SELECT *, lag(status) OVER (PARTITION BY loan_id ORDER BY period) AS prior_status,
                       row_number() OVER (PARTITION BY loan_id ORDER BY period) AS months_reported
                FROM perf),
            first90 AS (SELECT loan_id, min(period) AS delinquency_90 FROM perf WHERE status >= 3 GROUP BY loan_id),
            labelled AS (
                SELECT w.*, CASE WHEN f.delinquency_90 > w.period AND f.delinquency_90 <= add_months(w.period, 12) THEN 1.0D ELSE 0.0D END
                       AS delinquency_12
                FROM windowed w LEFT JOIN first90 f ON w.loan_id = f.loan_id
                WHERE w.status IS NULL OR w.status < 3)
            SELECT l.loan_id, l.period, l.servicer, l.interest_rate, l.current_actual_upb, l.loan_age,
                   l.remaining_months_to_legal_maturity, l.msa, l.mod_flag, l.status, l.prior_status, l.months_reported,
                   l.delinquency_12, a.orig_channel, a.seller_name, a.orig_interest_rate, a.orig_upb, a.orig_loan_term,
                   a.orig_ltv, a.orig_cltv, a.num_borrowers, a.dti, a.borrower_credit_score, a.first_home_buyer,
                   a.loan_purpose, a.property_type, a.num_units, a.occupancy_status, a.property_state, a.zip,
                   a.mortgage_insurance_percent, a.product_type, a.coborrow_credit_score, a.relocation_mortgage_indicator
            FROM labelled l JOIN mortgage_acq a ON l.loan_id = a.loan_id
            """).cache()
        try base.createOrReplaceTempView("mortgage_base")
        let indexed = categorical.map { c in
            "(SELECT \(c), CAST(row_number() OVER (ORDER BY n DESC, \(c)) - 1 AS DOUBLE) AS \(c)_idx FROM (SELECT \(c), count(*) AS n FROM mortgage_base WHERE \(c) IS NOT NULL GROUP BY \(c)))"
        }
        let joins = zip(categorical, indexed).map { c, q in "LEFT JOIN \(q) i_\(c) ON base.\(c) = i_\(c).\(c)" }.joined(separator: "\n")
        let idxCols = categorical.map { "coalesce(i_\($0).\($0)_idx, -1.0) AS \($0)_idx" }.joined(separator: ", ")
        return try spark.sql("""
            SELECT base.loan_id, base.period, \(numeric.map { "CAST(base.\($0) AS DOUBLE) AS \($0)" }.joined(separator: ", ")),
                   \(idxCols), base.delinquency_12
            FROM mortgage_base base
            \(joins)
            """)
    }
}
