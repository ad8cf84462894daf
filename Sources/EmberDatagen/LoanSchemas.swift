import EmberCore

/// Schemas of the synthetic loan dataset (`ember datagen loans`), modeled on the Fannie
/// Mae Single-Family Loan Performance files in their pre-2020 layout (a separate
/// acquisition and performance file). Column names and order follow the Spark-RAPIDS
/// mortgage example. Every column is described in docs/datagen-loans.md.
///
/// Read the pipe-delimited text files (no header) with the `…CSV` schemas, whose dates are
/// strings because the files mix `MM/yyyy` and `MM/dd/yyyy` dates:
///
///     spark.read.option("delimiter", "|").schema(LoanSchemas.performanceCSV).csv("out/performance")
///
/// The `…Typed` schemas are the same columns with dates as DATE and the delinquency status
/// as INT (`X` = unknown becomes NULL): the RecordBatches handed to columnar sinks
/// (Parquet) have these schemas.
public enum LoanSchemas {
    /// Acquisition table (one row per loan), for reading the text files.
    public static let acquisitionCSV = """
        loan_id BIGINT, orig_channel STRING, seller_name STRING, orig_interest_rate DOUBLE, orig_upb INT, \
        orig_loan_term INT, orig_date STRING, first_pay_date STRING, orig_ltv INT, orig_cltv INT, num_borrowers INT, \
        dti INT, borrower_credit_score INT, first_home_buyer STRING, loan_purpose STRING, property_type STRING, \
        num_units INT, occupancy_status STRING, property_state STRING, zip INT, mortgage_insurance_percent DOUBLE, \
        product_type STRING, coborrow_credit_score INT, mortgage_insurance_type INT, relocation_mortgage_indicator STRING
        """

    /// Performance table (one row per loan and month), for reading the text files.
    public static let performanceCSV = """
        loan_id BIGINT, monthly_reporting_period STRING, servicer STRING, interest_rate DOUBLE, \
        current_actual_upb DOUBLE, loan_age INT, remaining_months_to_legal_maturity INT, \
        adj_remaining_months_to_maturity INT, maturity_date STRING, msa INT, current_loan_delinquency_status STRING, \
        mod_flag STRING, zero_balance_code STRING, zero_balance_effective_date STRING, last_paid_installment_date STRING, \
        foreclosed_after STRING, disposition_date STRING, foreclosure_costs DOUBLE, \
        prop_preservation_and_repair_costs DOUBLE, asset_recovery_costs DOUBLE, misc_holding_expenses DOUBLE, \
        holding_taxes DOUBLE, net_sale_proceeds DOUBLE, credit_enhancement_proceeds DOUBLE, \
        repurchase_make_whole_proceeds DOUBLE, other_foreclosure_proceeds DOUBLE, non_interest_bearing_upb DOUBLE, \
        principal_forgiveness_upb DOUBLE, repurchase_make_whole_proceeds_flag STRING, \
        foreclosure_principal_write_off_amount DOUBLE, servicing_activity_indicator STRING
        """

    /// Acquisition table with dates as DATE (columnar outputs).
    public static let acquisitionTyped = acquisitionCSV
        .replacingOccurrences(of: "orig_date STRING", with: "orig_date DATE")
        .replacingOccurrences(of: "first_pay_date STRING", with: "first_pay_date DATE")

    /// Performance table with dates as DATE and the delinquency status as INT (columnar outputs).
    public static let performanceTyped = performanceCSV
        .replacingOccurrences(of: "monthly_reporting_period STRING", with: "monthly_reporting_period DATE")
        .replacingOccurrences(of: "maturity_date STRING", with: "maturity_date DATE")
        .replacingOccurrences(of: "current_loan_delinquency_status STRING", with: "current_loan_delinquency_status INT")
        .replacingOccurrences(of: "zero_balance_effective_date STRING", with: "zero_balance_effective_date DATE")
        .replacingOccurrences(of: "last_paid_installment_date STRING", with: "last_paid_installment_date DATE")
        .replacingOccurrences(of: "foreclosed_after STRING", with: "foreclosed_after DATE")
        .replacingOccurrences(of: "disposition_date STRING", with: "disposition_date DATE")

    /// Parsed forms of the DDL strings above.
    public static func acquisition(typed: Bool) throws -> Schema { try Schema(ddl: typed ? acquisitionTyped : acquisitionCSV) }
    public static func performance(typed: Bool) throws -> Schema { try Schema(ddl: typed ? performanceTyped : performanceCSV) }
}
