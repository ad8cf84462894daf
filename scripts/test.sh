#!/usr/bin/env bash
# The test command (README; .ci/run runs exactly this).
#
# Installs the Python peers the interop tests read Ember's files with (pinned; skipped
# quietly where pip cannot reach PyPI, and those tests then skip), then runs the suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v python3 >/dev/null 2>&1; then
  if ! python3 -c "import pyarrow, duckdb, pyspark" >/dev/null 2>&1; then
    echo "test: pip install pyarrow duckdb==2.0.0 pyspark==4.1.1 (for the interop checks)" >&2
    python3 -m pip install --quiet --disable-pip-version-check \
      "pyarrow==26.0.1" "duckdb==2.0.0" "pyspark==4.1.1" py4j pandas >&2 || \
      echo "test: pip install failed; interop checks will be skipped" >&2
  fi
fi

exec swift test "$@"
