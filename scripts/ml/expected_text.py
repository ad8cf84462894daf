"""Expected values for Tests/EmberMLTests/TextFeatureTests.swift, from Apache Spark 4.1.1.

Run: python3 scripts/ml/expected_text.py  (writes Tests/EmberMLTests/expected/text.json)
The input rows are written into the JSON too, so the Swift tests read the same data.
"""
import json, math, os
from pyspark.sql import SparkSession
from pyspark.sql.types import StructType, StructField, StringType, IntegerType, DoubleType, BooleanType, ArrayType, LongType
from pyspark.ml.feature import (Tokenizer, RegexTokenizer, StopWordsRemover, NGram, HashingTF, IDF, IDFModel,
                                CountVectorizer, FeatureHasher)

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
out = {}


def num(x):
    return "NaN" if math.isnan(x) else x


def vec(v):
    if v is None:
        return None
    if hasattr(v, "indices"):
        return {"size": int(v.size), "indices": [int(i) for i in v.indices], "values": [num(float(x)) for x in v.values]}
    return {"dense": [num(float(x)) for x in v.toArray()]}


texts = [
    "Hi I heard about Spark",
    "I wish Java could use case classes",
    "Logistic regression models are neat",
    "  Leading spaces and  double  spaces ",
    "Tabs\tand\nnewlines\r\nmixed",
    "",
    "The THE the tHe and AND And",
    "Ünïcödé Straße ΣΊΣΥΦΟΣ café naïve",
    "punctuation, commas. and! marks? here's it's don't",
    "a b c d e f g a b c a b a",
    "spark spark spark hadoop hadoop flink",
    "x",
]
rows = [(i, t) for i, t in enumerate(texts)]
out["texts"] = texts
df = spark.createDataFrame(rows, "id INT, text STRING")


def lists(frame, col):
    return [list(r[col]) if r[col] is not None else None for r in frame.orderBy("id").collect()]


tok = Tokenizer(inputCol="text", outputCol="words")
words = tok.transform(df)
out["tokenizer"] = lists(words, "words")

out["regex_default"] = lists(RegexTokenizer(inputCol="text", outputCol="t").transform(df), "t")
out["regex_punct_gaps"] = lists(RegexTokenizer(inputCol="text", outputCol="t", pattern="[,.!? ]+", toLowercase=False).transform(df), "t")
out["regex_match_min2"] = lists(RegexTokenizer(inputCol="text", outputCol="t", pattern="[a-z']+", gaps=False, minTokenLength=2).transform(df), "t")
out["regex_min0_single_space"] = lists(RegexTokenizer(inputCol="text", outputCol="t", pattern=" ", minTokenLength=0).transform(df), "t")

sw = StopWordsRemover(inputCol="words", outputCol="filtered")
filtered = sw.transform(words)
out["stopwords_default"] = lists(filtered, "filtered")
raw = RegexTokenizer(inputCol="text", outputCol="raw", toLowercase=False).transform(df)
out["stopwords_case_sensitive"] = lists(StopWordsRemover(inputCol="raw", outputCol="f", caseSensitive=True).transform(raw), "f")
out["stopwords_insensitive_raw"] = lists(StopWordsRemover(inputCol="raw", outputCol="f").transform(raw), "f")
out["stopwords_custom_multi"] = {
    "a": lists(StopWordsRemover(inputCols=["words", "raw"], outputCols=["fa", "fb"], stopWords=["Spark", "and", "A"]).transform(raw.join(words, "id")), "fa"),
    "b": lists(StopWordsRemover(inputCols=["words", "raw"], outputCols=["fa", "fb"], stopWords=["Spark", "and", "A"]).transform(raw.join(words, "id")), "fb"),
}
out["stopwords_english"] = StopWordsRemover.loadDefaultStopWords("english")

out["ngram2"] = lists(NGram(inputCol="words", outputCol="ng").transform(words), "ng")
out["ngram3"] = lists(NGram(n=3, inputCol="words", outputCol="ng").transform(words), "ng")
out["ngram1"] = lists(NGram(n=1, inputCol="words", outputCol="ng").transform(words), "ng")


def vectors(frame, col):
    return [vec(r[col]) for r in frame.orderBy("id").collect()]


out["hashing_default"] = vectors(HashingTF(inputCol="words", outputCol="tf").transform(words), "tf")
out["hashing_16_binary"] = vectors(HashingTF(inputCol="words", outputCol="tf", numFeatures=16, binary=True).transform(words), "tf")
ints = spark.createDataFrame([(0, [1, 2, 2, -7]), (1, []), (2, [2147483647, -2147483648, 0])], "id INT, xs ARRAY<INT>")
out["hashing_ints"] = vectors(HashingTF(inputCol="xs", outputCol="tf", numFeatures=1000).transform(ints), "tf")
# The hash of a few single terms, for a direct check of the Murmur3 port.
terms = ["", "a", "ab", "abc", "abcd", "abcde", "spark", "Straße", "ΣΊΣΥΦΟΣ", "hello world!"]
tdf = spark.createDataFrame([(i, [t]) for i, t in enumerate(terms)], "id INT, t ARRAY<STRING>")
out["hash_terms"] = terms
out["hash_terms_index"] = [v["indices"][0] for v in vectors(HashingTF(inputCol="t", outputCol="h", numFeatures=2**31 - 1).transform(tdf), "h")]

tf32 = HashingTF(inputCol="words", outputCol="tf", numFeatures=32).transform(words)
idf = IDF(inputCol="tf", outputCol="tfidf").fit(tf32)
out["idf_model"] = {"idf": list(idf.idf.toArray()), "docFreq": list(idf.docFreq), "numDocs": idf.numDocs}
out["idf_tfidf"] = vectors(idf.transform(tf32), "tfidf")
idf2 = IDF(inputCol="tf", outputCol="tfidf", minDocFreq=2).fit(tf32)
out["idf_min2"] = {"idf": list(idf2.idf.toArray()), "tfidf": vectors(idf2.transform(tf32), "tfidf")}
dense = spark.createDataFrame([(0, [1.0, 0.0, 3.0]), (1, [0.0, 0.0, 2.0]), (2, [-1.0, 4.0, 0.0])], "id INT, a ARRAY<DOUBLE>")
from pyspark.ml.functions import array_to_vector
dense = dense.select("id", array_to_vector("a").alias("v"))
idf3 = IDF(inputCol="v", outputCol="o").fit(dense)
out["idf_dense"] = {"idf": list(idf3.idf.toArray()), "out": vectors(idf3.transform(dense), "o")}

# CountVectorizer on the stop-word-filtered tokens: the counts of the top terms are distinct.
cv = CountVectorizer(inputCol="filtered", outputCol="cv").fit(filtered)
counts = {}
for r in filtered.collect():
    for w in r["filtered"]:
        counts[w] = counts.get(w, 0) + 1
out["cv_vocab"] = list(cv.vocabulary)
out["cv_counts"] = [counts[w] for w in cv.vocabulary]
out["cv_out"] = vectors(cv.transform(filtered), "cv")
cv2 = CountVectorizer(inputCol="filtered", outputCol="cv", minDF=2.0, vocabSize=3, binary=True).fit(filtered)
out["cv2_vocab"] = list(cv2.vocabulary)
out["cv2_out"] = vectors(cv2.transform(filtered), "cv")
cv3 = CountVectorizer(inputCol="filtered", outputCol="cv", maxDF=0.1, minTF=0.3).fit(filtered)
out["cv3_vocab_sorted"] = sorted(cv3.vocabulary)
cv3m = cv3.__class__  # noqa
# minTF as a fraction, with the vocabulary of the first model (a fixed order).
cvm = cv.copy()
cvm.setMinTF(0.3)
out["cv_mintf_frac"] = vectors(cvm.transform(filtered), "cv")

fh_rows = [
    (0, 2.5, 3, True, "red", 1),
    (1, 0.0, -1, False, "green", 2),
    (2, -1.25, 0, True, None, 1),
    (3, None, 7, False, "blue", 3),
    (4, 1e10, 2147483647, True, "Straße", 0),
]
out["fh_rows"] = [list(r) for r in fh_rows]
fdf = spark.createDataFrame(fh_rows, "id INT, real DOUBLE, n INT, flag BOOLEAN, color STRING, cat INT")
out["fh_default"] = vectors(FeatureHasher(inputCols=["real", "n", "flag", "color", "cat"], outputCol="f", categoricalCols=["cat"]).transform(fdf), "f")
out["fh_small"] = vectors(FeatureHasher(inputCols=["real", "n", "flag", "color", "cat"], outputCol="f", numFeatures=8).transform(fdf), "f")
out["fh_double_cat"] = vectors(FeatureHasher(inputCols=["real"], outputCol="f", categoricalCols=["real"], numFeatures=1000).transform(fdf), "f")

with open(os.path.join(os.path.dirname(__file__), "../../Tests/EmberMLTests/expected/text.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True, ensure_ascii=False)
print(json.dumps(out, ensure_ascii=False)[:3000])
