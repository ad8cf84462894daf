"""Expected values for Tests/EmberMLTests/Word2VecTests.swift, from Apache Spark 4.1.1.

Run: python3 scripts/ml/expected_w2v.py  (writes Tests/EmberMLTests/expected/w2v.json)
The generated corpus is written into the JSON, so the Swift tests read the same sentences.

What is compared (Ember reproduces Spark's XORShiftRandom sequence but not its float BLAS
summation order, so trained vectors are compared with a tolerance):
- vocabulary: words with count >= minCount and their counts (Python's Counter, checked here
  to be exactly the words of Spark's fitted model);
- transform of a fixed model: Spark's model vectors (getVectors) are given to Ember's
  model, and Spark's averages for the given sentences are the expected output;
- findSynonyms of that fixed model: Spark's words and cosine similarities in order;
- trained vectors of Spark (one partition, sentences in order; compared within 1e-3) and the topic check:
  each topic word's nearest synonyms are words of the same topic.
"""
import json, os, random
from collections import Counter
from pyspark.sql import SparkSession
from pyspark.ml.feature import Word2Vec, Word2VecModel

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
out = {}

# Two topics of 10 words; each sentence draws from one topic with Zipf-like weights, plus a
# few rare words (fewer than 5 occurrences: dropped by minCount 5).
rng = random.Random(7)
fruit = ["apple", "banana", "cherry", "grape", "lemon", "mango", "melon", "peach", "pear", "plum"]
tools = ["hammer", "wrench", "drill", "saw", "chisel", "pliers", "rasp", "level", "clamp", "vise"]
rare = ["zebra", "quartz", "oboe", "yacht"]
weights = [1.0 / (k + 1) ** 0.7 for k in range(10)]
corpus = []
for s in range(400):
    topic = fruit if s % 2 == 0 else tools
    n = rng.randint(6, 14)
    sent = rng.choices(topic, weights=weights, k=n)
    if s % 53 == 0:
        sent.insert(rng.randint(0, len(sent)), rare[(s // 53) % len(rare)])
    corpus.append(sent)
out["corpus"] = corpus
out["fruit"] = fruit
out["tools"] = tools

counts = Counter(w for s in corpus for w in s)
vocab = sorted([(w, c) for w, c in counts.items() if c >= 5], key=lambda t: (-t[1], t[0]))
out["vocab_words"] = [w for w, _ in vocab]
out["vocab_counts"] = [c for _, c in vocab]

df = spark.createDataFrame([(i, s) for i, s in enumerate(corpus)], "id INT, words ARRAY<STRING>").coalesce(1)
w2v = Word2Vec(inputCol="words", outputCol="vec", vectorSize=10, seed=42, maxIter=5)
out["explain"] = Word2Vec().explainParams()
model = w2v.fit(df)
vectors = {r["word"]: [float(x) for x in r["vector"].toArray()] for r in model.getVectors().collect()}
assert set(vectors) == set(out["vocab_words"]), (sorted(vectors), out["vocab_words"])
out["spark_vectors"] = [vectors[w] for w in out["vocab_words"]]

# Topic check on Spark's own model: each word's 3 nearest synonyms are of its topic.
for topic in (fruit, tools):
    for w in topic:
        syn = [s for s, _ in model.findSynonymsArray(w, 3)]
        assert all(s in topic for s in syn), (w, syn)

# Transform of the fixed model (Spark's vectors) on given sentences.
sentences = [
    ["apple", "banana", "cherry"],
    [],
    ["unknown", "words", "only"],
    ["hammer", "unknown", "hammer", "drill"],
    ["plum"],
    ["zebra", "apple"],
    fruit + tools,
]
out["sentences"] = sentences
tdf = spark.createDataFrame([(i, s) for i, s in enumerate(sentences)], "id INT, words ARRAY<STRING>")
res = model.transform(tdf).orderBy("id").collect()
out["transform"] = [
    {"size": int(r["vec"].size), "indices": [int(i) for i in r["vec"].indices], "values": [float(x) for x in r["vec"].values]}
    if hasattr(r["vec"], "indices") else {"dense": [float(x) for x in r["vec"].toArray()]}
    for r in res
]

# findSynonyms of the fixed model, by word and by vector.
out["synonyms"] = []
for w, n in [("apple", 5), ("hammer", 3), ("plum", 19), ("saw", 1)]:
    syn = model.findSynonymsArray(w, n)
    out["synonyms"].append({"word": w, "num": n, "words": [s for s, _ in syn], "similarities": [float(x) for _, x in syn]})
    frame = model.findSynonyms(w, n).collect()
    assert [r["word"] for r in frame] == [s for s, _ in syn]
qvec = vectors["apple"]
from pyspark.ml.linalg import Vectors
syn = model.findSynonymsArray(Vectors.dense([x * 2.0 + 0.1 for x in qvec]), 4)
out["synonyms_vector"] = {"query": [x * 2.0 + 0.1 for x in qvec], "num": 4,
                          "words": [s for s, _ in syn], "similarities": [float(x) for _, x in syn]}

path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "EmberMLTests", "expected", "w2v.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
spark.stop()
