#!/usr/bin/env bash
# Compare vigil's per-function cyclomatic complexity with lizard's on real code.
#
# Runs lizard (CSV) and `vigil check --pipeline quality` (with every complexity limit at 0, so
# each function becomes a finding carrying its measurements) on the same trees, matches
# functions by file and start line (the line of the name; by name too when several functions
# start on one line), and prints, per language, how many matched and the share whose
# cyclomatic complexity agrees exactly and within ±1. Exits 1 when the overall share within ±1
# is below MIN_AGREEMENT.
#
# Usage: scripts/compare-lizard.sh [TREE...]
#   Without TREE: a few Rust crates from ~/.cargo/registry/src, the tree-sitter C runtime,
#   the Python package `click` (pip), JavaScript from `npm i express`, Java from the JDK's
#   src.zip (java.util) and Go from the Debian package golang-1.19-src when installed.
# Environment:
#   MIN_AGREEMENT  required share within ±1, in % (default 95)
#   VIGIL          vigil binary (default: built with `cargo build --release`)
#   WORK           scratch folder (default /tmp/vigil-compare-lizard)
#   SHOW           disagreements to list (default 15)
# Needs: python3 with pip (installs lizard when missing); npm for the default JavaScript tree.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=${WORK:-/tmp/vigil-compare-lizard}
min=${MIN_AGREEMENT:-95}
mkdir -p "$work"

if ! command -v lizard >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check lizard \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages lizard
fi
if [ -z "${VIGIL:-}" ]; then
    cargo build --release --quiet
    VIGIL=target/release/vigil
fi

trees=("$@")
if [ ${#trees[@]} -eq 0 ]; then
    registry=$(ls -d "$HOME"/.cargo/registry/src/*/ 2>/dev/null | head -1)
    for crate in regex-syntax serde_json clap_builder ignore globset tree-sitter; do
        dir=$(ls -d "$registry$crate"-[0-9]* 2>/dev/null | sort -V | tail -1 || true)
        [ -n "$dir" ] || continue
        # The tree-sitter crate is the C runtime (hand-written C) plus Rust bindings.
        [ "$crate" = tree-sitter ] && dir="$dir/src"
        trees+=("$dir")
    done
    if [ ! -d "$work/py/click" ]; then
        python3 -m pip install --quiet --disable-pip-version-check --target "$work/py" click \
            || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages --target "$work/py" click
    fi
    trees+=("$work/py/click")
    if command -v npm >/dev/null 2>&1; then
        if [ ! -d "$work/js/node_modules/express" ]; then
            mkdir -p "$work/js"
            (cd "$work/js" && npm init -y >/dev/null && npm i --silent --no-audit --no-fund express >/dev/null)
        fi
        trees+=("$work/js/node_modules")
    fi
    srczip=
    for z in /usr/lib/jvm/*/lib/src.zip; do [ -f "$z" ] && { srczip=$z; break; }; done
    if [ -n "$srczip" ]; then
        [ -d "$work/java/java.base/java/util" ] || unzip -q -o "$srczip" 'java.base/java/util/*' -d "$work/java"
        trees+=("$work/java/java.base/java/util")
    fi
    gosrc=$(ls -d /usr/share/go-*/src/net/http 2>/dev/null | head -1 || true)
    [ -n "$gosrc" ] && trees+=("$gosrc")
fi

cat > "$work/vigil.yml" <<'YAML'
quality:
  complexity:
    cyclomatic_max: 0
    cognitive_max: 0
    function_length_max: 0
    parameters_max: 0
YAML

i=0
pairs=()
for tree in "${trees[@]}"; do
    i=$((i + 1))
    echo "measuring $tree ..." >&2
    lizard --csv -l rust -l python -l javascript -l typescript -l go -l java -l cpp "$tree" \
        > "$work/lizard-$i.csv" 2>/dev/null || true
    rm -rf "$work/out-$i"
    "$VIGIL" check --quiet --pipeline quality --config "$work/vigil.yml" --out "$work/out-$i" "$tree" \
        >/dev/null 2>&1 || true
    [ -f "$work/out-$i/latest/report.json" ] || { echo "vigil wrote no report for $tree" >&2; exit 2; }
    pairs+=("$tree" "$work/lizard-$i.csv" "$work/out-$i/latest/report.json")
done

python3 - "$min" "${SHOW:-15}" "${pairs[@]}" <<'PY'
import collections, csv, json, os, sys

minimum, show, args = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
LANG = {"rs": "Rust", "py": "Python", "js": "JavaScript", "mjs": "JavaScript", "cjs": "JavaScript",
        "jsx": "JavaScript", "ts": "TypeScript", "tsx": "TypeScript", "go": "Go", "java": "Java",
        "c": "C/C++", "h": "C/C++", "cc": "C/C++", "cpp": "C/C++", "hpp": "C/C++", "cxx": "C/C++"}
stats = collections.defaultdict(lambda: collections.Counter())
worst = []
for k in range(0, len(args), 3):
    tree, lizard_csv, report = args[k:k + 3]
    root = os.path.abspath(tree)
    liz = collections.defaultdict(list)
    with open(lizard_csv, newline="", encoding="utf-8", errors="replace") as fh:
        for row in csv.reader(fh):
            if len(row) < 11 or not row[1].isdigit():
                continue
            path = os.path.relpath(os.path.abspath(row[6]), root)
            liz[(path, int(row[9]))].append((row[7].split("::")[-1].split(".")[-1].split(" ")[-1], int(row[1])))
    vig = collections.defaultdict(list)
    with open(report, encoding="utf-8") as fh:
        data = json.load(fh)
    for p in data["pipelines"]:
        for f in p["findings"]:
            if f["rule_id"] != "complex-function":
                continue
            loc = f["location"]
            name = f["properties"]["function"].split("::")[-1]
            vig[(loc["path"], loc["region"]["start_line"])].append((name, f["properties"]["cyclomatic"]))
    for key in set(liz) | set(vig):
        lang = LANG.get(key[0].rsplit(".", 1)[-1].lower(), "other")
        a, b = liz.get(key, []), vig.get(key, [])
        if len(a) == 1 and len(b) == 1:
            pairs = [(a[0], b[0])]
        else:  # several functions on one line: pair them by name
            names = {n: c for n, c in b}
            pairs = [((n, c), (n, names[n])) for n, c in a if n in names]
        matched_l = {p[0] for p in pairs}
        matched_v = {p[1] for p in pairs}
        stats[lang]["lizard_only"] += sum(1 for x in a if x not in matched_l)
        stats[lang]["vigil_only"] += sum(1 for x in b if x not in matched_v)
        for (ln, lc), (vn, vc) in pairs:
            s = stats[lang]
            s["matched"] += 1
            s["exact"] += lc == vc
            s["within1"] += abs(lc - vc) <= 1
            if abs(lc - vc) > 1:
                worst.append((abs(lc - vc), f"{os.path.basename(tree)}/{key[0]}:{key[1]}", vn, lc, vc))

print(f"\n{'language':<12}{'matched':>9}{'exact':>9}{'±1':>9}{'lizard-only':>13}{'vigil-only':>12}")
total = collections.Counter()
for lang in sorted(stats):
    s = stats[lang]
    total.update(s)
    m = max(s["matched"], 1)
    print(f"{lang:<12}{s['matched']:>9}{100 * s['exact'] / m:>8.1f}%{100 * s['within1'] / m:>8.1f}%{s['lizard_only']:>13}{s['vigil_only']:>12}")
m = max(total["matched"], 1)
share = 100 * total["within1"] / m
print(f"{'all':<12}{total['matched']:>9}{100 * total['exact'] / m:>8.1f}%{share:>8.1f}%{total['lizard_only']:>13}{total['vigil_only']:>12}")
if worst and show:
    print("\nlargest disagreements (lizard, vigil):")
    for d, where, name, lc, vc in sorted(worst, reverse=True)[:show]:
        print(f"  {where} {name}: {lc} vs {vc}")
print(f"\ncyclomatic complexity within ±1 of lizard: {share:.1f}% of {total['matched']} matched functions (target {minimum:g}%)")
sys.exit(0 if share >= minimum else 1)
PY
