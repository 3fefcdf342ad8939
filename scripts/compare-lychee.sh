#!/usr/bin/env bash
# Compare vigil's local-link findings with lychee --offline --include-fragments on a docs tree.
#
# Usage: scripts/compare-lychee.sh [DIR]
#   DIR defaults to the benchmark corpus of scripts/bench-docs.sh (/tmp/vigil-docs-corpus), or
#   pass any folder of Markdown files, e.g. ~/.cargo/registry/src/*/clap-4.*.
#
# Both tools' broken local links are normalised to `page<TAB>resolved target[#fragment]` and
# split into: found by both, only by vigil, only by lychee. Read the differences: each is a
# place where the two tools disagree about GitHub's rules (anchors, folders, case, HTML), and
# one of them is wrong. Needs target/release/vigil, lychee and python3.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$(cd "${1:-/tmp/vigil-docs-corpus}" && pwd)"
VIGIL="${VIGIL:-$ROOT/target/release/vigil}"
LYCHEE="${LYCHEE:-$(command -v lychee || echo "$HOME/.cargo/bin/lychee")}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

[ -x "$VIGIL" ] || { echo "build vigil first: cargo build --release" >&2; exit 2; }
[ -x "$LYCHEE" ] || { echo "install lychee first: cargo install lychee" >&2; exit 2; }

# vigil: the docs pipeline with its own defaults; findings from report.json.
"$VIGIL" check "$DIR" --pipeline docs --offline --format json --out "$WORK/vigil" --quiet || true
# lychee: local files only, anchors checked; JSON with every failure.
"$LYCHEE" --offline --include-fragments --no-progress --format json --output "$WORK/lychee.json" \
  "$DIR" > /dev/null 2>&1 || true

python3 - "$DIR" "$WORK/vigil/latest/report.json" "$WORK/lychee.json" <<'PY'
import json, os, sys, urllib.parse

root, vigil_report, lychee_report = sys.argv[1:4]
LINK_RULES = {"broken-link", "broken-image", "broken-anchor", "link-outside-repo"}

def norm(page, target):
    return f"{page}\t{target}"

vigil = set()
report = json.load(open(vigil_report))
for p in report["pipelines"]:
    for f in p["findings"]:
        if f["rule_id"] not in LINK_RULES:
            continue
        page = f["location"]["path"]
        dest = f["message"].split("`")[1] if "`" in f["message"] else ""
        frag = dest.split("#", 1)[1] if "#" in dest else ""
        target = f.get("properties", {}).get("target")
        if target is None:  # outside the repository, or a same-page anchor
            base = os.path.dirname(page)
            path = urllib.parse.unquote(dest.split("#")[0].split("?")[0])
            target = os.path.normpath(os.path.join(base, path)) if path else page
        vigil.add(norm(page, target + ("#" + frag if frag else "")))

lychee = set()
data = json.load(open(lychee_report)) if os.path.getsize(lychee_report) else {}
for page, failures in (data.get("error_map") or data.get("fail_map") or {}).items():
    rel_page = os.path.relpath(page, root) if os.path.isabs(page) else page
    for e in failures:
        url = e.get("url", "")
        if not url.startswith("file://"):
            continue
        parsed = urllib.parse.urlparse(url)
        path = urllib.parse.unquote(parsed.path)
        rel = os.path.relpath(path, root)
        lychee.add(norm(rel_page, rel + ("#" + parsed.fragment if parsed.fragment else "")))

both, only_v, only_l = vigil & lychee, sorted(vigil - lychee), sorted(lychee - vigil)
print(f"tree: {root}")
print(f"broken local links — vigil: {len(vigil)}, lychee: {len(lychee)}, both: {len(both)}")
print(f"\nonly vigil ({len(only_v)}):")
for x in only_v[:60]:
    print("  " + x)
print(f"\nonly lychee ({len(only_l)}):")
for x in only_l[:60]:
    print("  " + x)
PY
