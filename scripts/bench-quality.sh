#!/usr/bin/env bash
# Benchmark: vigil's quality pipeline against tokei on a tree of 50,000+ files of real source.
#
# Builds (once) a tree by copying real code from this machine — the cargo registry's crate
# sources, Python's standard library and site-packages, C headers, global node modules, Go's
# standard library — then times, median of BENCH_RUNS runs after one warm-up each:
#
#   tokei      `tokei --hidden TREE` (counts lines by language)
#   loc        `vigil check TREE --pipeline quality --check loc` (lines by language: tokei's job)
#   metrics    `vigil check TREE --pipeline quality --check loc --check complexity --no-cache`
#              (lines of code plus per-function complexity: the "metrics pass", cold: every
#              file parsed)
#   metrics-warm  the same without `--no-cache`, its cache filled by the warm-up run: the
#              repeated CI run on an unchanged tree (no file parsed)
#   quality    `vigil check TREE --pipeline quality --no-cache` (every quality check, cold)
#   parse-floor  `examples/parse_floor.rs`: the same files read and parsed with the same
#              tree-sitter grammars on the same cores, and nothing else — the least time any
#              tree-sitter-based complexity pass can take on the tree
#
# and prints wall time, CPU time (user + system) and peak RSS (from /usr/bin/time -v) of each,
# the ratios to tokei, `uptime` before and after (other work on the
# machine makes wall times noisy), and each check's time from vigil's last report.
#
# Usage: scripts/bench-quality.sh
# Environment:
#   BENCH_TREE    where the tree is made, if absent (default /tmp/vigil-quality-bench-tree)
#   BENCH_FILES   stop copying at this many files (default 55000)
#   BENCH_RUNS    timed runs per command (default 3)
#   BENCH_OUT     scratch folder for vigil's reports (default /tmp/vigil-quality-bench-out)
#   VIGIL         vigil binary (default: built with `cargo build --release`)
# Needs: python3, tokei (`cargo install tokei`), /usr/bin/time (`apt-get install time`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
tree=${BENCH_TREE:-/tmp/vigil-quality-bench-tree}
want=${BENCH_FILES:-55000}
runs=${BENCH_RUNS:-3}
out=${BENCH_OUT:-/tmp/vigil-quality-bench-out}

command -v tokei >/dev/null || { echo "tokei is missing: cargo install tokei" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install time" >&2; exit 2; }

if [ ! -f "$tree/.bench-complete" ]; then
    echo "copying real source into $tree until $want files ..."
    rm -rf "$tree"
    mkdir -p "$tree"
    # Sources in this order; each is copied whole (minus bytecode caches) until the count is met.
    python3 - "$tree" "$want" \
        "cargo" "$(ls -d "$HOME"/.cargo/registry/src/*/ 2>/dev/null | head -1)" \
        "include" "/usr/include" \
        "node" "$(npm root -g 2>/dev/null || true)" \
        "go" "$(ls -d /usr/lib/go-*/src 2>/dev/null | tail -1)" \
        "python" "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" <<'PY'
import os, shutil, sys
dst, want = sys.argv[1], int(sys.argv[2])
sources = list(zip(sys.argv[3::2], sys.argv[4::2]))
copied = 0
for label, src in sources:
    if not src or not os.path.isdir(src):
        print(f"  {label}: absent, skipped")
        continue
    before = copied
    for folder, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if copied >= want:
                break
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            target = os.path.join(dst, label, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                shutil.copyfile(path, target)
            except OSError:
                continue
            copied += 1
    print(f"  {label}: {copied - before} files from {src}")
print(f"{copied} files")
if copied < 50000:
    sys.exit("fewer than 50,000 files copied: the benchmark needs 50k; add a source folder")
PY
    touch "$tree/.bench-complete"
fi
echo "tree: $tree ($(find "$tree" -type f | wc -l) files, $(du -sh "$tree" | cut -f1))"

if [ -z "${VIGIL:-}" ]; then
    echo "building vigil (release) ..."
    cargo build --release --quiet
    VIGIL=$(pwd)/target/release/vigil
fi
echo "building the parse-floor example (release) ..."
cargo build --release --quiet --example parse_floor
floor=$(pwd)/target/release/examples/parse_floor
rm -rf "$out"
mkdir -p "$out"
# Defaults only: the tree's own files must not configure the run.
echo "version: 1" > "$out/vigil.yml"

echo "uptime before: $(uptime)"
python3 - "$runs" "$out" \
    "tokei" "tokei --hidden $tree" \
    "loc" "$VIGIL check $tree --pipeline quality --check loc --config $out/vigil.yml --out $out/loc --quiet --no-cache" \
    "metrics" "$VIGIL check $tree --pipeline quality --check loc --check complexity --config $out/vigil.yml --out $out/metrics --quiet --no-cache" \
    "metrics-warm" "$VIGIL check $tree --pipeline quality --check loc --check complexity --config $out/vigil.yml --out $out/metrics-warm --quiet" \
    "quality" "$VIGIL check $tree --pipeline quality --config $out/vigil.yml --out $out/quality --quiet --no-cache" \
    "parse-floor" "$floor $tree" <<'PY'
import json, re, shlex, statistics, subprocess, sys, time

runs, out = int(sys.argv[1]), sys.argv[2]
commands = list(zip(sys.argv[3::2], sys.argv[4::2]))

def measure(cmd):
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one run."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v"] + shlex.split(cmd),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # vigil exits 1 when a gate fails: a normal outcome
        sys.exit(f"`{cmd}` exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    field = lambda name: float(re.search(rf"{name}: ([0-9.]+)", proc.stderr).group(1))
    cpu = field(r"User time \(seconds\)") + field(r"System time \(seconds\)")
    return wall, cpu, field(r"Maximum resident set size \(kbytes\)") / 1024

results = {}
for name, cmd in commands:
    measure(cmd)  # warm the page cache
    samples = [measure(cmd) for _ in range(runs)]
    results[name] = [statistics.median(s[i] for s in samples) for i in range(3)]
    wall, cpu, rss = results[name]
    walls = " ".join(f"{s[0]:.2f}" for s in samples)
    print(f"{name:12} median of {runs}: wall {wall:7.2f} s   cpu {cpu:7.2f} s   "
          f"peak RSS {rss:6.0f} MiB   (walls: {walls})")

t = results["tokei"]
for name in ("loc", "metrics", "metrics-warm", "quality", "parse-floor"):
    r = results[name]
    print(f"{name} / tokei: wall x{r[0] / t[0]:.2f}, cpu x{r[1] / t[1]:.2f}")

for name in ("metrics", "quality"):
    report = json.load(open(f"{out}/{name}/latest/report.json"))
    quality = next(p for p in report["pipelines"] if p["pipeline"] == "quality")
    metrics = {m["name"]: m["value"] for m in quality["metrics"]}
    print(f"\n{name}: last run {report['duration_ms']} ms; check times (file hooks summed over "
          f"threads + repository hook):")
    for c in quality["checks"]:
        print(f"  {c['id']:12} {c.get('duration_ms', 0):8} ms")
    keys = ("loc.files", "loc.code", "quality.functions", "quality.generated_files",
            "quality.parse_errors", "quality.duplication")
    print("  " + ", ".join(f"{k} {metrics[k]:g}" for k in keys if k in metrics))
PY
echo "uptime after: $(uptime)"
