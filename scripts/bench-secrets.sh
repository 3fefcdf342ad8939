#!/usr/bin/env bash
# Benchmark of the secrets check: `vigil check --pipeline security` against `rg` searching the
# same keywords, and against `detect-secrets scan`, on
#   1. a generated tree (>= 50,000 files, >= 500 MB) of code and config with planted secrets,
#   2. a real checkout: the crates under ~/.cargo/registry/src,
#   3. a smaller generated tree (detect-secrets is too slow for the big one).
# Each command runs BENCH_RUNS times after one warm-up; the table shows the median wall time
# and the peak resident memory (from GNU time) of the median run.
#
# Usage: scripts/bench-secrets.sh
# Environment:
#   BENCH_TREE        big generated tree (default /tmp/vigil-bench-secrets/big-FILES)
#   BENCH_FILES       files in the big tree (default 50000; the small tree has a tenth)
#   BENCH_RUNS        timed runs per command (default 3)
#   BENCH_REAL        real checkout (default: the first ~/.cargo/registry/src/*/)
#   BENCH_DS          1 to run detect-secrets (default 1)
#   BENCH_DS_RUNS     timed runs of detect-secrets (default BENCH_RUNS; it is slow)
#   VIGIL_BIN         a vigil binary to use instead of building target/release/vigil
# Needs: cargo, python3, rg, GNU time (/usr/bin/time); detect-secrets for the comparison.
# On Debian: apt-get install -y ripgrep time && pip install detect-secrets
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
base=/tmp/vigil-bench-secrets
files=${BENCH_FILES:-50000}
big=${BENCH_TREE:-$base/big-$files}
small=$base/small-$((files / 10))
runs=${BENCH_RUNS:-3}
real=${BENCH_REAL:-$(ls -d "$HOME"/.cargo/registry/src/*/ 2>/dev/null | head -1)}
run_ds=${BENCH_DS:-1}
ds_runs=${BENCH_DS_RUNS:-$runs}
out=$base/out

[ -x /usr/bin/time ] || { echo "GNU time is required: apt-get install -y time" >&2; exit 2; }
command -v rg >/dev/null || { echo "ripgrep is required: apt-get install -y ripgrep" >&2; exit 2; }
if [ "$run_ds" = 1 ] && ! command -v detect-secrets >/dev/null; then
    echo "detect-secrets not found (pip install detect-secrets); skipping it" >&2
    run_ds=0
fi

# The keywords of every built-in secret format (src/pipelines/security/secrets/rules.rs; a unit
# test keeps this list in step with the table), searched by rg as fixed strings, ignoring case.
keywords=(
    "-----BEGIN DSA PRIVATE KEY" "-----BEGIN EC PRIVATE KEY" "-----BEGIN ENCRYPTED PRIVATE KEY"
    "-----BEGIN OPENSSH PRIVATE KEY" "-----BEGIN PGP PRIVATE KEY BLOCK" "-----BEGIN PRIVATE KEY"
    "-----BEGIN RSA PRIVATE KEY" "\"auths\"" "://" ":AA" "A3T" "ABIA" "ACCA" "AIza" "AKIA"
    "ASIA" "AccountKey" "GOCSPX-" "GR1348941" "HRKU-" "PuTTY-User-Key-File-" "Q~" "SG."
    "T3BlbkFJ" "_authToken" "access-key" "access_key" "accesskey" "api-key" "api.key" "api_key"
    "apikey" "app_key" "appkey" "auth" "auth-token" "auth_token" "authtoken" "aws-secret"
    "aws_secret" "awssecret" "azure" "client_key" "clientkey" "cred" "dckr_oat_" "dckr_pat_"
    "discord" "doo_v1_" "dop_v1_" "dor_v1_" "eyA" "eyJ" "encryption_key" "encryptionkey" "ghp_"
    "gho_" "ghr_" "ghs_" "ghu_" "github" "github_pat_" "glagent-" "glcbt-" "gldt-" "glffct-"
    "glft-" "glimt-" "gloas-" "glpat-" "glptt-" "glrt-" "glsoat-" "heroku" "hooks.slack.com"
    "key-" "master_key" "masterkey" "npm_" "pass" "private-key" "private_key" "privatekey"
    "pwd" "pypi-AgENdGVzdC5weXBpLm9yZw" "pypi-AgEIcHlwaS5vcmc" "rk_live_" "rk_test_"
    "secret" "secret-access-key" "secret_access_key" "secretaccesskey" "service_account"
    "shpat_" "shpca_" "shppa_" "shpss_" "signing_key" "signingkey" "sk-admin-" "sk-ant-admin01-"
    "sk-ant-api03-" "sk-proj-" "sk-svcacct-" "sk_live_" "sk_test_" "storage" "sv=20" "token"
    "twilio" "whsec_" "xapp-" "xoxa-" "xoxb-" "xoxe-" "xoxp-" "xoxr-"
)
rg_args=(-c -i -F --hidden --no-require-git --max-filesize 5M)
for k in "${keywords[@]}"; do rg_args+=(-e "$k"); done

generate() { # generate DIR FILES
    [ -f "$1/.bench-complete" ] && return 0
    echo "generating $2 files under $1 ..."
    rm -rf "$1"
    python3 - "$1" "$2" <<'PY'
import os, random, string, sys

root, total = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
words = ("value index buffer count result parse render config walk token state error request "
         "reply cache entry node child parent offset length limit window frame password secret "
         "auth key client session user account storage github").split()
AN = string.ascii_letters + string.digits

def ident():
    return "_".join(rng.choice(words) for _ in range(rng.randint(1, 3)))

def code_line():
    r = rng.random()
    a, b = ident(), ident()
    if r < 0.55:
        return f"    {a} = {b}({ident()}, {rng.randint(0, 999)})"
    if r < 0.75:
        return f"    # the {a} is passed to {b} before the {ident()} is checked"
    if r < 0.9:
        return f'    {a} = "{rng.choice(words)}-{rng.randint(0, 99)}"'
    if r < 0.9997:
        return f"    if {a} == {b}: return {ident()}"
    # now and then, a random value assigned to a secret-looking name (a generic finding)
    return f'    {rng.choice(words)}_token = "{"".join(rng.choice(AN) for _ in range(24))}"'

def yaml_line():
    return f"  {ident()}: {rng.choice(words)}-{rng.randint(0, 9999)}"

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

made = secrets = 0
while made < total:
    folder = os.path.join(root, *(f"{rng.choice(words)}{rng.randint(0, 9)}"
                                  for _ in range(rng.randint(3, 6))))
    for _ in range(40):
        if made >= total:
            break
        kind = rng.random()
        if kind < 0.8:
            ext, lines = rng.choice(["py", "rs", "js", "go", "java"]), [code_line() for _ in range(rng.randint(150, 400))]
        else:
            ext, lines = rng.choice(["yml", "env", "properties"]), [yaml_line() for _ in range(rng.randint(150, 400))]
        if rng.random() < 0.01:  # a provider token now and then
            lines.insert(rng.randrange(len(lines)), "    GH = \"ghp_" + "".join(rng.choice(AN) for _ in range(36)) + "\"")
            secrets += 1
        write(os.path.join(folder, f"{ident()}_{made}.{ext}"), "\n".join(lines) + "\n")
        made += 1
print(f"{made} files, {secrets} planted provider tokens")
PY
    touch "$1/.bench-complete"
}

generate "$big" "$files"
generate "$small" "$((files / 10))"

vigil=${VIGIL_BIN:-}
if [ -z "$vigil" ]; then
    echo "building vigil (release) ..."
    cargo build --release --quiet
    vigil=$(pwd)/target/release/vigil
fi

# measure NAME RUNS CMD...: runs the command RUNS times (after a warm-up of the page cache)
# and prints "NAME median_seconds peak_rss_mb" for the median run.
measure() {
    local name=$1 n=$2; shift 2
    if [ "$n" -gt 1 ]; then "$@" >/dev/null 2>&1 || true; fi
    local results=()
    for _ in $(seq "$n"); do
        local log; log=$(mktemp)
        /usr/bin/time -v -o "$log" "$@" >/dev/null 2>&1 || true
        local secs rss
        secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$log")
        rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
        results+=("$secs $rss")
        rm -f "$log"
    done
    printf '%s\n' "${results[@]}" | sort -n | awk -v name="$name" -v r="$n" 'NR == int((r + 1) / 2) {printf "%s %s %s\n", name, $1, $2}'
}

report() { # report LABEL DIR WITH_DS
    local label=$1 dir=$2 with_ds=$3
    local nfiles size
    nfiles=$(find "$dir" -type f | wc -l)
    size=$(du -sh "$dir" | cut -f1)
    echo
    echo "## $label: $dir ($nfiles files, $size)"
    rm -rf "$out"
    local rows=()
    rows+=("$(measure vigil "$runs" "$vigil" check "$dir" --pipeline security --offline --quiet --out "$out")")
    rows+=("$(measure rg "$runs" rg "${rg_args[@]}" "$dir")")
    if [ "$with_ds" = 1 ]; then
        # From inside the folder: run from a git work tree, detect-secrets scans that instead.
        rows+=("$(measure detect-secrets "$ds_runs" sh -c "cd '$dir' && detect-secrets scan --all-files .")")
    fi
    printf '%s\n' "${rows[@]}" | python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.strip()]
t = {r[0]: float(r[1]) for r in rows}
print("| tool | median wall time | peak RSS |")
print("|---|---:|---:|")
for name, secs, rss in rows:
    print(f"| {name} | {float(secs):.2f} s | {rss} MB |")
v, g, d = t["vigil"], t["rg"], t.get("detect-secrets")
line = "\nvigil / rg = %.2f" % (v / g)
if d is not None:
    line += "; detect-secrets / vigil = %.1f" % (d / v)
print(line)
'
    python3 - "$out/latest/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = next(p for p in r["pipelines"] if p["pipeline"] == "security")
secrets = sum(1 for f in p["findings"] if f.get("properties", {}).get("format"))
checks = ", ".join(f"{c['id']} {c['duration_ms']} ms" for c in p["checks"])
print(f"vigil: {r['walk']['files_scanned']} files, {r['walk']['bytes_scanned'] / 1e6:.0f} MB read, "
      f"{secrets} secret findings; check time (summed over threads): {checks}")
PY
}

echo "# secrets benchmark ($(nproc) CPUs, median of $runs runs; detect-secrets: $ds_runs)"
report "generated tree" "$big" 0
if [ -n "$real" ] && [ -d "$real" ]; then
    report "real checkout" "$real" "$run_ds"
fi
report "small generated tree" "$small" "$run_ds"
