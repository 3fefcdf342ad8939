#!/usr/bin/env bash
# Benchmark vigil's documentation pipeline against lychee --offline and markdown-link-check on a
# corpus of real Markdown files (>= 2,000).
#
# The corpus is built from the Markdown files already on this machine: the crates in
# ~/.cargo/registry/src and, when present, the npm packages under $NPM_DIR (default
# /tmp/mlc/node_modules). Their relative folder layout is kept; only `.md` files are copied, so
# every tool sees the same files (links to non-Markdown files of those packages are broken for
# all three alike). When fewer than $MIN_FILES files are found, the set is copied again under
# another folder (copy-2/, …) until there are enough: the content stays real.
#
# Usage: scripts/bench-docs.sh [RUNS]          (default 5 runs per tool; the median is reported)
# Wall and CPU (user + sys) time are both reported: on a shared machine wall time also
# measures everyone else's load.
# Needs: target/release/vigil (cargo build --release), lychee (cargo install lychee) and
# markdown-link-check (npm install markdown-link-check, in $NPM_DIR/..). A tool that is not
# installed is reported as missing, not faked.
set -euo pipefail

RUNS="${1:-5}"
MIN_FILES="${MIN_FILES:-2000}"
CORPUS="${CORPUS:-/tmp/vigil-docs-corpus}"
NPM_DIR="${NPM_DIR:-/tmp/mlc/node_modules}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VIGIL="${VIGIL:-$ROOT/target/release/vigil}"
LYCHEE="${LYCHEE:-$(command -v lychee || echo "$HOME/.cargo/bin/lychee")}"
MLC="${MLC:-$NPM_DIR/.bin/markdown-link-check}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

build_corpus() {
  rm -rf "$CORPUS"
  mkdir -p "$CORPUS/copy-1"
  local n=0
  while IFS= read -r -d '' f; do
    local rel="${f#"$HOME"/.cargo/registry/src/}"
    mkdir -p "$CORPUS/copy-1/cargo/$(dirname "$rel")"
    cp "$f" "$CORPUS/copy-1/cargo/$rel"
    n=$((n + 1))
  done < <(find "$HOME"/.cargo/registry/src -name '*.md' -type f -print0 2>/dev/null)
  if [ -d "$NPM_DIR" ]; then
    while IFS= read -r -d '' f; do
      local rel="${f#"$NPM_DIR"/}"
      mkdir -p "$CORPUS/copy-1/npm/$(dirname "$rel")"
      cp "$f" "$CORPUS/copy-1/npm/$rel"
      n=$((n + 1))
    done < <(find "$NPM_DIR" -name '*.md' -type f -print0)
  fi
  if [ "$n" -eq 0 ]; then
    echo "no Markdown files found in ~/.cargo/registry/src or $NPM_DIR" >&2
    exit 2
  fi
  local copies=1 total=$n
  while [ "$total" -lt "$MIN_FILES" ]; do
    copies=$((copies + 1))
    cp -r "$CORPUS/copy-1" "$CORPUS/copy-$copies"
    total=$((total + n))
  done
  echo "corpus: $CORPUS — $total Markdown files ($n distinct, $copies copies), $(du -sh "$CORPUS" | cut -f1)"
}

# "wall cpu" seconds taken by "$@" (cpu = user + sys), output discarded; the exit code is
# ignored (broken links exit non-zero).
time_once() {
  /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$@" > /dev/null 2>&1 || true
  tail -n 1 "$WORK/time" | awk '{printf "%s %.2f\n", $1, $2 + $3}'
}

median() {
  sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2] + a[NR/2+1]) / 2}'
}

bench() {
  local name="$1"
  shift
  local walls=() cpus=()
  "$@" > /dev/null 2>&1 || true   # warm-up: file cache
  for _ in $(seq "$RUNS"); do
    read -r wall cpu < <(time_once "$@")
    walls+=("$wall")
    cpus+=("$cpu")
  done
  local med cpu_med
  med=$(printf '%s\n' "${walls[@]}" | median)
  cpu_med=$(printf '%s\n' "${cpus[@]}" | median)
  printf '%-40s wall median %7.2f s  cpu median %7.2f s   wall runs: %s\n' \
    "$name" "$med" "$cpu_med" "${walls[*]}"
  echo "$name=$med" >> "$WORK/results"
}

build_corpus
echo "runs per tool: $RUNS (after one warm-up run); machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

if [ -x "$VIGIL" ]; then
  bench "vigil check --pipeline docs --offline" \
    "$VIGIL" check "$CORPUS" --pipeline docs --offline --format json --out "$WORK/vigil-out" --quiet
else
  echo "vigil: $VIGIL not built (cargo build --release)"
fi
if [ -x "$LYCHEE" ]; then
  bench "lychee --offline" "$LYCHEE" --offline --no-progress "$CORPUS"
  bench "lychee --offline --include-fragments" \
    "$LYCHEE" --offline --no-progress --include-fragments "$CORPUS"
else
  echo "lychee: not installed (cargo install lychee)"
fi
if [ -x "$MLC" ]; then
  # Local links only: every http(s) URL is ignored, as the other two run offline.
  printf '{"ignorePatterns":[{"pattern":"^https?://"}]}\n' > "$WORK/mlc.json"
  bench "markdown-link-check (http ignored)" "$MLC" -q -c "$WORK/mlc.json" "$CORPUS"
else
  echo "markdown-link-check: not installed (npm install markdown-link-check)"
fi

echo
v=$(sed -n 's/^vigil[^=]*=//p' "$WORK/results" || true)
if [ -n "$v" ]; then
  while IFS='=' read -r name t; do
    case "$name" in vigil*) continue ;; esac
    printf 'vigil is %.1fx faster than %s\n' "$(echo "$t / $v" | bc -l)" "$name"
  done < "$WORK/results"
fi
