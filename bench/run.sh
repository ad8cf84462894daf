#!/usr/bin/env bash
# Ember vs DuckDB, Polars and Spark on the same data, one engine at a time.
#
#   bench/run.sh [groupby join sort csv etl pq_write pq_scan]      # default: all queries
#   BENCH_SCALE=0.1 bench/run.sh groupby           # smaller data (bench/data/scale-0.1)
#
# Builds `ember` (release) under the shared build lock, copies the binary to
# bench/out/bin/ember (so a concurrent rebuild cannot change it mid-run), generates the
# data (existing files are kept), then runs bench/run.py. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/time ]]; then
  echo "bench: installing GNU time (for peak RSS)" >&2
  apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi

if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  echo "bench: flock /tmp/ember-build.lock swift build -c release --product ember" >&2
  flock /tmp/ember-build.lock swift build -c release --product ember >&2
  mkdir -p bench/out/bin
  cp "$(swift build -c release --show-bin-path)/ember" bench/out/bin/ember.tmp
  mv bench/out/bin/ember.tmp bench/out/bin/ember
  # Provenance of the binary, shown in the results header.
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) from commit $(git rev-parse --short HEAD)$( [[ -n "$(git status --porcelain --untracked-files=no)" ]] && echo ' + uncommitted changes')" > bench/out/bin/ember.info
fi

python3 bench/gen_data.py --scale "${BENCH_SCALE:-1}" --ember "${BENCH_EMBER:-bench/out/bin/ember}" >&2
exec python3 bench/run.py "$@"
