#!/usr/bin/env python3
"""The mortgage demo's pipeline in PySpark, for timings next to `ember demo mortgage`:
the same ETL in Spark SQL (local[2]) over the same raw files, then xgboost (hist, nthread 2,
100 rounds, depth 6, eta 0.1, 256 bins) on the same loans split (xxhash64(loan_id) % 5 == 0
is the test set), then accuracy and AUC. Prints the phases as the Ember demo does.

  ember demo mortgage --loans 60000 --dir /tmp/ember-mortgage      # writes /tmp/ember-mortgage/raw
  python3 bench/demo_pyspark.py /tmp/ember-mortgage/raw
"""
import os
import sys
import time

ACQ = ("loan_id BIGINT, orig_channel STRING, seller_name STRING, orig_interest_rate DOUBLE, orig_upb INT, orig_loan_term INT, "
       "orig_date STRING, first_pay_date STRING, orig_ltv INT, orig_cltv INT, num_borrowers INT, dti INT, borrower_credit_score INT, "
       "first_home_buyer STRING, loan_purpose STRING, property_type STRING, num_units INT, occupancy_status STRING, property_state STRING, "
       "zip INT, mortgage_insurance_percent DOUBLE, product_type STRING, coborrow_credit_score INT, mortgage_insurance_type INT, "
       "relocation_mortgage_indicator STRING")
PERF = ("loan_id BIGINT, monthly_reporting_period STRING, servicer STRING, interest_rate DOUBLE, current_actual_upb DOUBLE, loan_age INT, "
        "remaining_months_to_legal_maturity INT, adj_remaining_months_to_maturity INT, maturity_date STRING, msa INT, "
        "current_loan_delinquency_status STRING, mod_flag STRING, zero_balance_code STRING, zero_balance_effective_date STRING, "
        "last_paid_installment_date STRING, foreclosed_after STRING, disposition_date STRING, foreclosure_costs DOUBLE, "
        "prop_preservation_and_repair_costs DOUBLE, asset_recovery_costs DOUBLE, misc_holding_expenses DOUBLE, holding_taxes DOUBLE, "
        "net_sale_proceeds DOUBLE, credit_enhancement_proceeds DOUBLE, repurchase_make_whole_proceeds DOUBLE, "
        "other_foreclosure_proceeds DOUBLE, non_interest_bearing_upb DOUBLE, principal_forgiveness_upb DOUBLE, "
        "repurchase_make_whole_proceeds_flag STRING, foreclosure_principal_write_off_amount DOUBLE, servicing_activity_indicator STRING")
CATEGORICAL = ["orig_channel", "seller_name", "first_home_buyer", "loan_purpose", "property_type", "occupancy_status", "property_state",
               "product_type", "relocation_mortgage_indicator", "servicer", "mod_flag"]
NUMERIC = ["orig_interest_rate", "orig_upb", "orig_loan_term", "orig_ltv", "orig_cltv", "num_borrowers", "dti", "borrower_credit_score",
           "num_units", "zip", "mortgage_insurance_percent", "coborrow_credit_score", "interest_rate", "current_actual_upb", "loan_age",
           "remaining_months_to_legal_maturity", "msa", "status", "prior_status", "months_reported"]


def main():
    raw = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ember-mortgage/raw"
    out = os.path.join(os.path.dirname(raw.rstrip("/")), "features-pyspark")
    t = time.time()

    def phase(name):
        nonlocal t
        print(f"{name} takes {time.time() - t:.2f} s", flush=True)
        t = time.time()

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").config("spark.driver.memory", "8g")
             .config("spark.sql.shuffle.partitions", "8").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    phase("Spark start")
    spark.read.option("delimiter", "|").schema(ACQ).csv(os.path.join(raw, "acquisition")).createOrReplaceTempView("mortgage_acq")
    spark.read.option("delimiter", "|").schema(PERF).csv(os.path.join(raw, "performance")).createOrReplaceTempView("mortgage_perf")
    base = spark.sql("""
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
        SELECT l.*, a.orig_channel, a.seller_name, a.orig_interest_rate, a.orig_upb, a.orig_loan_term, a.orig_ltv, a.orig_cltv,
               a.num_borrowers, a.dti, a.borrower_credit_score, a.first_home_buyer, a.loan_purpose, a.property_type, a.num_units,
               a.occupancy_status, a.property_state, a.zip, a.mortgage_insurance_percent, a.product_type, a.coborrow_credit_score,
               a.relocation_mortgage_indicator
        FROM labelled l JOIN mortgage_acq a ON l.loan_id = a.loan_id""").cache()
    base.createOrReplaceTempView("mortgage_base")
    joins = "\n".join(
        f"LEFT JOIN (SELECT {c}, CAST(row_number() OVER (ORDER BY n DESC, {c}) - 1 AS DOUBLE) AS {c}_idx "
        f"FROM (SELECT {c}, count(*) AS n FROM mortgage_base WHERE {c} IS NOT NULL GROUP BY {c})) i_{c} ON base.{c} = i_{c}.{c}"
        for c in CATEGORICAL)
    cols = ", ".join([f"CAST(base.{c} AS DOUBLE) AS {c}" for c in NUMERIC] + [f"coalesce(i_{c}.{c}_idx, -1.0) AS {c}_idx" for c in CATEGORICAL])
    spark.sql(f"SELECT base.loan_id, {cols}, base.delinquency_12 FROM mortgage_base base {joins}").write.mode("overwrite").parquet(out)
    phase("ETL")

    import numpy as np
    import pyarrow.parquet as pq
    import xgboost as xgb
    from sklearn.metrics import accuracy_score, roc_auc_score
    table = pq.read_table(out)
    feats = [c for c in table.column_names if c not in ("loan_id", "delinquency_12")]
    x = np.column_stack([table.column(c).to_numpy(zero_copy_only=False).astype(np.float64) for c in feats])
    y = table.column("delinquency_12").to_numpy(zero_copy_only=False).astype(np.float64)
    test = spark.createDataFrame([(int(v),) for v in np.unique(table.column("loan_id").to_numpy())], "loan_id BIGINT") \
        .selectExpr("loan_id", "pmod(xxhash64(loan_id), 5) = 0 AS is_test").toPandas()
    is_test = dict(zip(test["loan_id"], test["is_test"]))
    mask = np.array([is_test[v] for v in table.column("loan_id").to_numpy()])
    print(f"Training on {int((~mask).sum())} rows, testing on {int(mask.sum())}")
    t = time.time()
    dtrain = xgb.DMatrix(x[~mask], label=y[~mask], missing=np.nan, nthread=2)
    booster = xgb.train({"tree_method": "hist", "max_depth": 6, "eta": 0.1, "max_bin": 256, "objective": "binary:logistic", "nthread": 2},
                        dtrain, num_boost_round=100)
    phase("Training")
    p = booster.predict(xgb.DMatrix(x[mask], missing=np.nan, nthread=2))
    phase("Transformation")
    acc, auc = accuracy_score(y[mask], p > 0.5), roc_auc_score(y[mask], p)
    phase("Evaluation")
    print(f"Accuracy is {acc}")
    print(f"AUC is {auc}")
    spark.stop()


if __name__ == "__main__":
    main()
