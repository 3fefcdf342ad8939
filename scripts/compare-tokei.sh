#!/usr/bin/env bash
# Compare vigil's line counts with tokei's, language by language.
#
# Runs `tokei --hidden -o json` and `vigil check --pipeline quality` on the same trees and
# compares, for every language, code, comment and blank lines and the number of files.
# tokei's numbers are taken per language with embedded blocks folded into their host (its
# "(Total)" rows), which is what vigil's `loc.<language>.*` metrics report. Prints a table per
# tree and exits 1 if any language differs.
#
# Usage: scripts/compare-tokei.sh [TREE...]   (default: this repository and fixtures/quality/loc)
# Environment:
#   VIGIL  vigil binary (default: built with `cargo build --release`)
#   WORK   scratch folder (default /tmp/vigil-compare-tokei)
# Needs: python3; tokei (installed with `cargo install tokei` when missing, which takes minutes).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)
work=${WORK:-/tmp/vigil-compare-tokei}
mkdir -p "$work"

if ! command -v tokei >/dev/null 2>&1; then
    echo "installing tokei (cargo install tokei) ..." >&2
    cargo install --quiet tokei
fi
if [ -z "${VIGIL:-}" ]; then
    cargo build --release --quiet
    VIGIL=target/release/vigil
fi

# No configuration: the tree's own vigil.yml may exclude paths that tokei would count.
echo "version: 1" > "$work/vigil.yml"

trees=("$@")
[ ${#trees[@]} -gt 0 ] || trees=("$repo" "$repo/fixtures/quality/loc")

status=0
i=0
for tree in "${trees[@]}"; do
    i=$((i + 1))
    tree=$(cd "$tree" && pwd)
    echo "== $tree"
    tokei --hidden --exclude .git --exclude reports -o json "$tree" > "$work/tokei-$i.json"
    rm -rf "$work/out-$i"
    "$VIGIL" check --quiet --pipeline quality --config "$work/vigil.yml" --out "$work/out-$i" "$tree" >/dev/null 2>&1 || true
    [ -f "$work/out-$i/latest/report.json" ] || { echo "vigil wrote no report for $tree" >&2; exit 2; }
    python3 - "$work/tokei-$i.json" "$work/out-$i/latest/report.json" \
        "$repo/src/pipelines/quality/loc/languages.json" <<'PY' || status=1
import json, sys

tokei_json, report_json, languages_json = sys.argv[1:4]
with open(languages_json, encoding="utf-8") as fh:
    table = json.load(fh)["languages"]
slug_of = {v.get("name", k): k.lower() for k, v in table.items()}

def folded(stats):
    code, comments, blanks = stats["code"], stats["comments"], stats["blanks"]
    for child in stats.get("blobs", {}).values():
        c, m, b = folded(child)
        code, comments, blanks = code + c, comments + m, blanks + b
    return code, comments, blanks

tokei = {}
with open(tokei_json, encoding="utf-8") as fh:
    for name, lang in json.load(fh).items():
        if name == "Total" or not lang["reports"]:
            continue
        totals = [0, 0, 0, len(lang["reports"])]
        for report in lang["reports"]:
            for k, v in enumerate(folded(report["stats"])):
                totals[k] += v
        tokei[slug_of.get(name, name.lower())] = (name, tuple(totals))

with open(report_json, encoding="utf-8") as fh:
    report = json.load(fh)
metrics = {m["name"]: m["value"] for p in report["pipelines"] for m in p["metrics"]}
vigil = {}
for name, value in metrics.items():
    parts = name.split(".")
    if len(parts) == 3 and parts[0] == "loc":
        vigil.setdefault(parts[1], {})[parts[2]] = int(value)

rows, matched = [], 0
for slug in sorted(set(tokei) | set(vigil)):
    name, t = tokei.get(slug, (slug, None))
    v = vigil.get(slug)
    v = (v["code"], v["comments"], v["blanks"], v["files"]) if v else None
    same = t == v
    matched += same
    fmt = lambda x: "-" if x is None else f"{x[0]}/{x[1]}/{x[2]} ({x[3]} files)"
    rows.append((name, fmt(t), fmt(v), "ok" if same else "DIFF"))
width = max([len(r[0]) for r in rows] + [8])
print(f"{'language':<{width}}  {'tokei code/comments/blanks':<34}{'vigil':<34}")
for name, t, v, s in rows:
    print(f"{name:<{width}}  {t:<34}{v:<34}{s}")
print(f"{matched} of {len(rows)} languages agree exactly")
sys.exit(0 if matched == len(rows) else 1)
PY
done
exit $status
