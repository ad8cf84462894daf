#!/usr/bin/env bash
# The ML benchmark: bench/ml.sh [lr linreg text] (see bench/ml.py).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x /usr/bin/time ]]; then
  apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  flock /tmp/ember-build.lock swift build -c release --product ember >&2
  mkdir -p bench/out/bin
  cp "$(swift build -c release --show-bin-path)/ember" bench/out/bin/ember.tmp
  mv bench/out/bin/ember.tmp bench/out/bin/ember
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) from commit $(git rev-parse --short HEAD)$( [[ -n "$(git status --porcelain --untracked-files=no)" ]] && echo ' + uncommitted changes')" > bench/out/bin/ember.info
fi
python3 bench/ml_data.py --ember bench/out/bin/ember >&2
exec python3 bench/ml.py "$@"
