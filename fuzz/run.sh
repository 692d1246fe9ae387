#!/usr/bin/env bash
# fuzz/run.sh BUILD_DIR [SECONDS] — runs every fuzz_* target in BUILD_DIR for SECONDS each
# (default 60) on a scratch copy of its seed corpus, with its dictionary, under ASan/UBSan.
# Exits non-zero on the first crash, leak or hang; the reproducer is left in the scratch dir.
set -euo pipefail
build_dir=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/callgate-fuzz-XXXXXX)
echo "fuzz: scratch corpora and artifacts in $work"

status=0
for binary in "$build_dir"/fuzz/fuzz_*; do
  [[ -x "$binary" ]] || continue
  name=$(basename "$binary" | sed 's/^fuzz_//')
  corpus="$work/$name"
  mkdir -p "$corpus"
  [[ -d "$here/corpus/$name" ]] && cp -r "$here/corpus/$name/." "$corpus/"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/$name-")
  [[ -f "$here/$name.dict" ]] && args+=(-dict="$here/$name.dict")
  echo "fuzz: $name for ${seconds}s"
  if ! "$binary" "${args[@]}" "$corpus" > "$work/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; see $work/$name.log"; tail -30 "$work/$name.log"
    status=1
  else
    grep -E '^Done|#[0-9]+.*DONE' "$work/$name.log" | tail -1 || true
  fi
done
exit $status
