#!/usr/bin/env bash
# Benchmark: `vigil check --check markers` (the quality pipeline's marker check alone: the same
# job as `rg -c`) against `rg -c` for the same markers on one large generated tree
# (>= 50,000 files). Set BENCH_CHECKS=all to time the whole quality pipeline instead.
# Prints both medians and their ratio.
#
# Usage: scripts/bench-markers.sh
# Environment:
#   BENCH_TREE   where the tree is generated, if absent (default /tmp/vigil-bench-tree)
#   BENCH_FILES  number of files to generate (default 50000)
#   BENCH_RUNS   timed runs per command, interleaved (default 11)
#   BENCH_OUT    vigil's output folder (default /tmp/vigil-bench-out)
# Needs: cargo, python3, rg (ripgrep). On Debian: apt-get install -y ripgrep
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
tree=${BENCH_TREE:-/tmp/vigil-bench-tree}
files=${BENCH_FILES:-50000}
runs=${BENCH_RUNS:-11}
out=${BENCH_OUT:-/tmp/vigil-bench-out}
# The tags as one word each side of a comma, so this script is not itself full of markers.
tags='TODO,FIXME'
pattern=${tags/,/|}

command -v rg >/dev/null || { echo "ripgrep (rg) is required: apt-get install -y ripgrep" >&2; exit 2; }

# Bump when the generator changes, so an old tree is regenerated.
layout="v2 files=$files"
if [ "$(cat "$tree/.bench-complete" 2>/dev/null)" != "$layout" ]; then
    echo "generating $files files under $tree ..."
    rm -rf "$tree"
    python3 - "$tree" "$files" "$tags" <<'PY'
import os
import random
import sys

root, total, tags = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
rng = random.Random(42)
words = ("value index buffer count result parse render config walk token state error "
         "request reply cache entry node child parent offset length limit window frame").split()
# Per language: extension, comment prefix, file header, function opening, statement,
# condition opening, block end, function end, file footer. Files parse as valid syntax, as
# most of a real repository does.
langs = [
    ("rs", "//", "", "fn {f}(x: u32) -> u32 {{", "    let {a}_{b} = {a}.{b}({c});",
     "    if {a}_{b} > x {{", "    }}", "    x\n}}", ""),
    ("py", "#", "", "def {f}(x):", "    {a}_{b} = {a}.{b}({c})",
     "    if {a}_{b} > x:\n        x = {a}_{b}", "", "    return x", ""),
    ("js", "//", "", "function {f}(x) {{", "  const {a}{B} = {a}.{b}({c});",
     "  if ({a}{B} > x) {{", "  }}", "  return x;\n}}", ""),
    ("go", "//", "package {a}\n", "func {f}(x int) int {{", "\t{a}{B} := {a}.{B}({c})",
     "\tif {a}{B} > x {{", "\t}}", "\treturn x\n}}", ""),
    ("java", "//", "class {B}{n} {{", "  int {f}(int x) {{", "    var {a}{B} = {a}.{b}({c});",
     "    if ({a}{B} > x) {{", "    }}", "    return x;\n  }}", "}}"),
    ("md", "", "# The {a} {b}\n", "", "The {a} {b} takes a {c} and returns the {a}.", "", "", "", ""),
]

def fill(template, n=0):
    a, b, c = rng.choice(words), rng.choice(words), rng.choice(words)
    return template.format(a=a, b=b, c=c, B=b.capitalize(), f=f"{a}_{n}", n=n)

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

made = markers = 0
# Ignored folders: present on disk, listed in .gitignore, never read by either tool.
write(os.path.join(root, ".gitignore"), "/target/\nnode_modules/\n*.log\n")
for d in ("target/debug", "node_modules/left-pad"):
    for i in range(200):
        write(os.path.join(root, d, f"f{i}.js"), f"// {tags[0]}: ignored {i}\n" * 20)
while made < total:
    # Nested folders, 3 to 6 levels deep, about 40 files each.
    depth = rng.randint(3, 6)
    folder = os.path.join(root, *(f"{rng.choice(words)}{rng.randint(0, 9)}" for _ in range(depth)))
    for _ in range(40):
        if made >= total:
            break
        ext, comment, head, fn_open, stmt, if_open, block_end, fn_end, foot = rng.choice(langs)
        out = [fill(head, made)] if head else []
        for fn in range(rng.randint(1, 6)):  # ~1-6 KB per file
            if fn_open:
                out.append(fill(fn_open, fn))
            for i in range(rng.randint(5, 30)):
                if comment and rng.random() < 0.01:
                    out.append(f"    {comment} {rng.choice(tags)}: {fill('{a} {b} {c}')}")
                    markers += 1
                elif if_open and rng.random() < 0.1:
                    out.append(fill(if_open))
                    out.append("    " + fill(stmt))
                    if block_end:
                        out.append(block_end.format())
                else:
                    out.append(fill(stmt))
            if fn_end:
                out.append(fn_end.format())
        if foot:
            out.append(foot.format())
        write(os.path.join(folder, f"{rng.choice(words)}_{made}.{ext}"), "\n".join(out) + "\n")
        made += 1
print(f"{made} files, {markers} markers")
PY
    git -C "$tree" init -q # both tools then honour .gitignore the same way
    echo "$layout" > "$tree/.bench-complete"
fi
echo "tree: $tree ($(find "$tree" -type f -not -path '*/.git/*' | wc -l) files, $(du -sh --exclude=.git "$tree" | cut -f1))"

echo "building vigil (release) ..."
cargo build --release --quiet
vigil=$(pwd)/target/release/vigil
rm -rf "$out"
if [ "${BENCH_CHECKS:-markers}" = all ]; then
    vigil_cmd="$vigil check $tree --pipeline quality --out $out"
else
    vigil_cmd="$vigil check $tree --check ${BENCH_CHECKS:-markers} --out $out"
fi
rg_cmd="rg -c '$pattern' $tree"

# Warm the page cache and check that vigil ends normally (0 passed, 1 a gate failed).
code=0
$vigil_cmd --quiet || code=$?
[ "$code" -le 1 ] || { echo "vigil exited $code" >&2; exit 2; }
eval "$rg_cmd" >/dev/null
echo "rg counts $(eval "$rg_cmd" | awk -F: '{s += $NF} END {print s}') matching lines in $(eval "$rg_cmd" | wc -l) files"

# Interleaved runs (vigil, rg, vigil, rg, ...): on a shared, noisy 2-core machine the speed of
# the whole machine drifts over seconds, and timing one command's runs in a block and then the
# other's would put that drift into the ratio.
python3 - "$runs" "$vigil_cmd --quiet" "$rg_cmd" <<'PY'
import statistics, subprocess, sys, time
runs, cmds = int(sys.argv[1]), sys.argv[2:]
times = {name: [] for name in ("vigil", "rg")}
for _ in range(runs):
    for name, cmd in zip(times, cmds):
        t = time.perf_counter()
        subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - t)
for name, ts in times.items():
    q = statistics.quantiles(ts, n=4) if len(ts) > 1 else ts * 3
    print(f"{name:>5}: median {statistics.median(ts):.3f} s  (quartiles {q[0]:.3f} .. {q[2]:.3f}, "
          f"{len(ts)} runs)")
v, g = statistics.median(times["vigil"]), statistics.median(times["rg"])
print(f"\nmedian vigil: {v:.3f} s   median rg: {g:.3f} s   ratio vigil/rg: {v / g:.2f}")
PY

# Where vigil's time goes, from its own report of the last run.
python3 - "$out/latest/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
w = r["walk"]
print(f"last vigil run: {r['duration_ms']} ms in the engine, {w['files_scanned']} files, "
      f"{w['bytes_scanned'] / 1e6:.1f} MB read, "
      f"{sum(len(p['findings']) for p in r['pipelines'])} findings")
for p in r["pipelines"]:
    for c in p["checks"]:
        print(f"  check {c['id']}: {c['duration_ms']} ms of file-hook time (summed over threads)")
PY
