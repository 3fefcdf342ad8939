#!/usr/bin/env bash
# Benchmark: vigil's duplication check against jscpd 5.3.2 on the same tree of real Rust code,
# with the same settings. Prints medians of wall time, CPU time and peak memory, and compares
# what the two tools found.
#
# Usage: scripts/bench-duplication.sh
# Environment:
#   BENCH_SRC     folder of crate sources to copy from (default: the cargo registry's first
#                 source folder, ~/.cargo/registry/src/*/)
#   BENCH_FILES   copy whole crates, in name order, until this many .rs files (default 3000)
#   BENCH_TREE    where the tree is made, if absent (default /tmp/vigil-dup-bench-tree)
#   BENCH_RUNS    timed runs per command (default 3)
#   BENCH_OUT     scratch folder for reports (default /tmp/vigil-dup-bench-out)
#   JSCPD_DIR     where jscpd is installed with npm (default /tmp/vigil-jscpd-5.3.2)
#   MEMORY_TREE   a large tree for one extra vigil run that reports peak memory (default: none)
#   VIGIL         vigil binary (default: built with `cargo build --release`)
# Needs: cargo, python3, npm (jscpd is installed from the npm registry on first use).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
src=${BENCH_SRC:-$(ls -d "$HOME"/.cargo/registry/src/*/ 2>/dev/null | head -1)}
files=${BENCH_FILES:-3000}
tree=${BENCH_TREE:-/tmp/vigil-dup-bench-tree}
runs=${BENCH_RUNS:-3}
out=${BENCH_OUT:-/tmp/vigil-dup-bench-out}
jscpd_dir=${JSCPD_DIR:-/tmp/vigil-jscpd-5.3.2}
min_tokens=50
min_lines=5

if [ ! -f "$tree/.bench-complete" ]; then
    [ -d "$src" ] || { echo "no source folder: set BENCH_SRC (e.g. ~/.cargo/registry/src/*/)" >&2; exit 2; }
    echo "copying crates from $src until $files .rs files into $tree ..."
    rm -rf "$tree"
    mkdir -p "$tree"
    python3 - "$src" "$tree" "$files" <<'PY'
import os, shutil, sys
src, dst, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
copied = 0
for crate in sorted(os.listdir(src)):
    if copied >= want:
        break
    for folder, _, names in os.walk(os.path.join(src, crate)):
        for name in names:
            if name.endswith(".rs"):
                rel = os.path.relpath(os.path.join(folder, name), src)
                os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
                shutil.copyfile(os.path.join(src, rel), os.path.join(dst, rel))
                copied += 1
print(f"{copied} .rs files")
PY
    touch "$tree/.bench-complete"
fi
echo "tree: $tree ($(find "$tree" -name '*.rs' | wc -l) .rs files, $(du -sh "$tree" | cut -f1))"

if [ ! -x "$jscpd_dir/node_modules/.bin/jscpd" ]; then
    echo "installing jscpd 5.3.2 into $jscpd_dir ..."
    mkdir -p "$jscpd_dir"
    (cd "$jscpd_dir" && npm init -y >/dev/null && npm i -E jscpd@5.3.2 >/dev/null)
fi
jscpd="$jscpd_dir/node_modules/.bin/jscpd"

if [ -n "${VIGIL:-}" ]; then
    vigil=$VIGIL
else
    echo "building vigil (release) ..."
    cargo build --release --quiet
    vigil=$(pwd)/target/release/vigil
fi
rm -rf "$out"
mkdir -p "$out"
cat > "$out/vigil.yml" <<EOF
version: 1
quality:
  duplication:
    min_tokens: $min_tokens
    min_lines: $min_lines
EOF

# The same settings for both: 50 tokens, 5 lines, comments skipped (jscpd's `weak` mode),
# Rust only (the tree holds nothing else). jscpd runs twice: as it is by default (exact
# copies) and with identifiers and literals ignored, which is what vigil always does.
common="--min-tokens $min_tokens --min-lines $min_lines --format rust --mode weak --no-colors --reporters json"
python3 - "$runs" "$out" "$tree" \
    "vigil" "$vigil check $tree --pipeline quality --check duplication --config $out/vigil.yml --out $out/vigil --quiet" \
    "jscpd-exact" "$jscpd $common --output $out/jscpd-exact $tree" \
    "jscpd-renamed" "$jscpd $common --ignore-identifiers --ignore-literals --output $out/jscpd-renamed $tree" <<'PY'
import json, os, shlex, statistics, subprocess, sys, time

runs, out, tree = int(sys.argv[1]), sys.argv[2], sys.argv[3]
commands = list(zip(sys.argv[4::2], sys.argv[5::2]))

def measure(cmd):
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # vigil exits 1 when a gate fails: a normal outcome here
        sys.exit(f"`{cmd}` exited {code}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

results = {}
for name, cmd in commands:
    measure(cmd)  # warm the page cache
    samples = [measure(cmd) for _ in range(runs)]
    results[name] = [statistics.median(s[i] for s in samples) for i in range(3)]
    wall, cpu, rss = results[name]
    print(f"{name:14} median of {runs}: wall {wall:7.2f} s   cpu {cpu:7.2f} s   peak RSS {rss:7.0f} MiB")

# What each tool found.
report = json.load(open(f"{out}/vigil/latest/report.json"))
quality = next(p for p in report["pipelines"] if p["pipeline"] == "quality")
metrics = {m["name"]: m["value"] for m in quality["metrics"]}
checks = {c["id"]: c for c in quality["checks"]}
clones = [f for f in quality["findings"] if f["rule_id"] == "duplicated-block"]
print()
print(f"vigil run wall in its report: {report['duration_ms']} ms; "
      f"duplication check: {checks['duplication']['duration_ms']} ms "
      f"(file hooks summed over threads + the repository hook)")
print()
print(f"{'tool':14} {'clones':>8} {'dup. lines':>11} {'of lines':>10} {'dup. %':>7}")
print(f"{'vigil':14} {len(clones):8} {metrics['quality.duplicated_lines']:11.0f} {'-':>10} "
      f"{metrics['quality.duplication']:7.2f}   (classes, {metrics['quality.duplicated_blocks']:.0f} copies; "
      f"% of code lines)")
for name in ("jscpd-exact", "jscpd-renamed"):
    t = json.load(open(f"{out}/{name}/jscpd-report.json"))["statistics"]["total"]
    print(f"{name:14} {t['clones']:8} {t['duplicatedLines']:11} {t['lines']:10} {t['percentage']:7.2f}   (pairs; all lines)")
print()
v = results["vigil"]
for name in ("jscpd-exact", "jscpd-renamed"):
    j = results[name]
    print(f"{name} / vigil: wall x{j[0] / v[0]:.1f}, cpu x{j[1] / v[1]:.1f}, "
          f"peak RSS x{j[2] / v[2]:.1f}")
PY

if [ -n "${MEMORY_TREE:-}" ]; then
    echo
    echo "memory: one vigil run on $MEMORY_TREE ($(find "$MEMORY_TREE" -type f | wc -l) files) ..."
    python3 - "$vigil check $MEMORY_TREE --pipeline quality --config $out/vigil.yml --out $out/memory --quiet" <<'PY'
import os, shlex, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(shlex.split(sys.argv[1]), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(f"wall {time.perf_counter() - start:.1f} s, cpu {usage.ru_utime + usage.ru_stime:.1f} s, "
      f"peak RSS {usage.ru_maxrss / 1024:.0f} MiB, exit {os.waitstatus_to_exitcode(status)}")
PY
fi
