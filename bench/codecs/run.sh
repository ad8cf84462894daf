#!/usr/bin/env bash
# Codec micro benchmark (release mode): Ember's snappy, LZ4 (raw and frame), zstd and gzip
# on 1 MiB pages of text, an int64 column and random bytes.
#
#   bench/codecs/run.sh            # Ember's numbers
#   bench/codecs/run.sh --peer     # also Arrow C++ (pyarrow) on the same pages, and a
#                                  # check that Arrow decodes every page Ember wrote
#
# Builds only EmberCore + EmberCodecs + bench/codecs/main.swift, in a scratch package under
# bench/out/codecs (symlinks to the sources), under the shared build lock.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
pkg=bench/out/codecs
mkdir -p "$pkg/Sources/codecbench" "$pkg/data"
ln -sfn "$root/Sources/EmberCore" "$pkg/Sources/EmberCore"
ln -sfn "$root/Sources/EmberCodecs" "$pkg/Sources/EmberCodecs"
ln -sfn "$root/bench/codecs/main.swift" "$pkg/Sources/codecbench/main.swift"
cat > "$pkg/Package.swift" <<'SWIFT'
// swift-tools-version:6.0
import PackageDescription
let settings: [SwiftSetting] = [.swiftLanguageMode(.v5)]
let package = Package(name: "codecbench", targets: [
    .target(name: "EmberCore", swiftSettings: settings),
    .target(name: "EmberCodecs", dependencies: ["EmberCore"], swiftSettings: settings),
    .executableTarget(name: "codecbench", dependencies: ["EmberCodecs"], swiftSettings: settings),
])
SWIFT
(cd "$pkg" && flock /tmp/ember-build.lock swift build -c release >&2)
if [[ "${1:-}" == "--peer" ]]; then
  "$pkg/.build/release/codecbench" "$pkg/data"
  python3 bench/codecs/reference.py "$pkg/data"
else
  "$pkg/.build/release/codecbench"
fi
