# bench/lib.sh — sourced by logging.sh, busy-cpu.sh and ab.sh: callgate instances on loopback
# port 0 that are stopped (with everything else in `pids`) and whose files are removed when the
# script exits. The sourcing script sets `repo`, `work` (a directory of its own) and `build`
# (or passes start_callgate a binary).
# shellcheck shell=bash disable=SC2154

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# start_callgate NAME YAML [BINARY]: callgate (BINARY, default $build/callgate) in plain HTTP on
# 127.0.0.1, port 0, no admin listener, the sample directory, plus YAML; sets `port` once it is
# ready. Not to be called in a subshell: the pid must reach the trap. Exits with its output when
# it does not start.
start_callgate() {
  printf 'insecure_mode: true\nlisten_host: 127.0.0.1\nlisten_port: 0\nadmin_listen: ""\ncsv_file_path: %s\n%s\n' \
    "$repo/data/phone_directory.csv" "$2" > "$work/$1.yaml"
  "${3:-$build/callgate}" --config "$work/$1.yaml" > "$work/$1.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do grep -qs "callgate ready" "$work/$1.out" && break; sleep 0.05; done
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\) (main).*|\1|p' "$work/$1.out")
  if [[ -z $port ]] || ! grep -q "callgate ready" "$work/$1.out"; then
    echo "callgate ($1) did not start:" >&2
    cat "$work/$1.out" >&2
    exit 1
  fi
}

# median < "numbers separated by spaces or lines"
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
