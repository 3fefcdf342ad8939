#!/usr/bin/env bash
# Overhead of vigil's benchmark runner against hyperfine on a command that does nothing.
#
# Both tools run `true` RUNS times after 3 warm-up runs, once without a shell (vigil's argv
# form, hyperfine -N) and once through `sh -c` (vigil's string form, hyperfine's default,
# which subtracts its measured shell start-up time from every run). Printed per tool:
#   measured  the mean run time the tool reports;
#   per run   the wall time of the whole tool invocation divided by RUNS (start-up, warm-up,
#             reports included).
# and the ratios vigil / hyperfine. The target is vigil within 1.5x of hyperfine.
#
# Usage: scripts/bench-overhead.sh
# Environment: RUNS (default 100), BENCH_DIR (default: a new temp folder).
# Needs: cargo, hyperfine, python3. On Debian: apt-get install -y hyperfine
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${RUNS:-100}
dir=${BENCH_DIR:-$(mktemp -d)}
command -v hyperfine >/dev/null || { echo "hyperfine is required: apt-get install -y hyperfine" >&2; exit 2; }

echo "building vigil (release) ..."
cargo build --release --quiet
vigil=$(pwd)/target/release/vigil

repo="$dir/repo"
mkdir -p "$repo"
cat > "$repo/vigil.yml" <<EOF
version: 1
performance:
  benchmarks:
    - { name: argv, command: [true], runs: $runs, warmup: 3 }
    - { name: shell, command: "true", runs: $runs, warmup: 3 }
EOF

now() { date +%s%N; }

t0=$(now)
"$vigil" monitor --once --quiet --out "$dir/out" "$repo" || true
t1=$(now)
hyperfine -N --runs "$runs" --warmup 3 --export-json "$dir/h-argv.json" true >/dev/null 2>&1
t2=$(now)
hyperfine --runs "$runs" --warmup 3 --export-json "$dir/h-shell.json" true >/dev/null 2>&1
t3=$(now)

python3 - "$dir" "$runs" "$t0" "$t1" "$t2" "$t3" <<'PY'
import json, sys
d, runs = sys.argv[1], int(sys.argv[2])
t0, t1, t2, t3 = (int(x) for x in sys.argv[3:7])
report = json.load(open(f"{d}/out/latest/monitor.json"))
metrics = {m["name"]: m["value"] for p in report["pipelines"] for m in p["metrics"]}
h_argv = json.load(open(f"{d}/h-argv.json"))["results"][0]["mean"] * 1000
h_shell = json.load(open(f"{d}/h-shell.json"))["results"][0]["mean"] * 1000
v_argv, v_shell = metrics["performance.argv.mean_ms"], metrics["performance.shell.mean_ms"]
# vigil ran both benchmarks in one invocation: (2 x (runs + 3 warm-ups)) runs.
v_total = (t1 - t0) / 1e6 / (2 * runs)
h_total_argv = (t2 - t1) / 1e6 / runs
h_total_shell = (t3 - t2) / 1e6 / runs
print(f"{'':24}{'vigil':>10}{'hyperfine':>12}{'ratio':>8}")
print(f"{'measured, no shell':24}{v_argv:>8.3f}ms{h_argv:>10.3f}ms{v_argv / h_argv:>8.2f}")
print(f"{'measured, sh -c':24}{v_shell:>8.3f}ms{h_shell:>10.3f}ms{v_shell / h_shell:>8.2f}"
      "   (hyperfine subtracts the shell's start-up)")
h_total = (h_total_argv + h_total_shell) / 2
print(f"{'whole tool / run':24}{v_total:>8.3f}ms{h_total:>10.3f}ms{v_total / h_total:>8.2f}")
print(f"\nvigil's run took {(t1 - t0) / 1e6:.0f} ms for {2 * runs} measured runs "
      f"(+ {2 * 3} warm-ups, the walk, the host snapshot and the reports)")
PY
