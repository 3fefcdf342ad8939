#!/usr/bin/env bash
# Benchmark of the secrets check: `vigil check --pipeline security` (and `--check secrets`
# alone, to show its share) against `rg` searching the same keywords, and against
# `detect-secrets scan`, on
#   1. a generated tree (>= 50,000 files, >= 500 MB) of code and config with planted secrets,
#   2. a real checkout: the crates under ~/.cargo/registry/src (several hundred crates),
#   3. deterministic subsets of both for detect-secrets, which reads about 0.1 MB/s and would
#      take hours on the full trees: the first crates of the real checkout in name order up to
#      BENCH_DS_MB megabytes, and the first BENCH_DS_FILES files (in path order) of the
#      generated tree. vigil and rg run on the same subsets, so those ratios are measured, not
#      extrapolated; the detect-secrets time of the full trees is extrapolated per MB and
#      labelled as such.
# vigil (security pipeline, secrets check alone) and rg run BENCH_RUNS times each after one
# warm-up, interleaved (one run of each in turn), so the machine's drift in speed falls on all
# of them alike; detect-secrets runs after them, without warm-up (the page cache is already
# warm). The table shows the median wall time, the peak resident memory (GNU time) of the
# median run, and the one-minute load average before it.
#
# Usage: scripts/bench-secrets.sh
# Environment:
#   BENCH_TREE        big generated tree (default /tmp/vigil-bench-secrets/big-FILES)
#   BENCH_FILES       files in the big tree (default 50000)
#   BENCH_RUNS        timed runs per command (default 3)
#   BENCH_REAL        real checkout (default: the first ~/.cargo/registry/src/*/)
#   BENCH_DS          1 to run detect-secrets (default 1)
#   BENCH_DS_RUNS     timed runs of detect-secrets (default BENCH_RUNS)
#   BENCH_DS_MB       size of the real-checkout subset for detect-secrets (default 10)
#   BENCH_DS_FILES    files of the generated subset for detect-secrets (default 500)
#   BENCH_SUBSETS_ONLY 1 to skip the two full trees (re-running the detect-secrets part)
#   VIGIL_BIN         a vigil binary to use instead of building target/release/vigil
# Needs: cargo, python3, rg, GNU time (/usr/bin/time); detect-secrets for the comparison.
# On Debian: apt-get install -y ripgrep time && pip install detect-secrets
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
base=/tmp/vigil-bench-secrets
files=${BENCH_FILES:-50000}
big=${BENCH_TREE:-$base/big-$files}
ds_mb=${BENCH_DS_MB:-10}
ds_files=${BENCH_DS_FILES:-500}
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

# subset_real SRC DST MB: the first crates of SRC in name order, copied until MB megabytes;
# crates larger than a quarter of MB are passed over, so one vendored C library does not make
# the whole subset.
subset_real() {
    [ -f "$2/.bench-complete" ] && return 0
    rm -rf "$2" && mkdir -p "$2"
    local total=0 limit=$(($3 * 1024 * 1024)) size
    for d in $(ls "$1" | LC_ALL=C sort); do
        [ "$total" -ge "$limit" ] && break
        size=$(du -s --apparent-size --block-size=1 "$1/$d" | cut -f1)
        [ "$size" -gt $((limit / 4)) ] && continue
        cp -r "$1/$d" "$2/"
        total=$((total + size))
    done
    touch "$2/.bench-complete"
}

# subset_files SRC DST N: the first N files of SRC in path order, copied with their folders.
subset_files() {
    [ -f "$2/.bench-complete" ] && return 0
    rm -rf "$2" && mkdir -p "$2"
    # awk rather than head: head closing the pipe early fails the pipeline under pipefail.
    (cd "$1" && find . -type f ! -name .bench-complete | LC_ALL=C sort | awk -v n="$3" 'NR <= n' |
        while read -r f; do mkdir -p "$2/$(dirname "$f")" && cp "$f" "$2/$f"; done)
    touch "$2/.bench-complete"
}

vigil=${VIGIL_BIN:-}
if [ -z "$vigil" ]; then
    echo "building vigil (release) ..."
    cargo build --release --quiet
    vigil=$(pwd)/target/release/vigil
fi

# measure NAME RUNS WARMUP CMD...: runs the command RUNS times (after one warm-up run when
# WARMUP is 1) and prints "NAME median_seconds peak_rss_mb load" for the median run, where load
# is the one-minute load average before that run.
measure() {
    local name=$1 n=$2 warm=$3; shift 3
    if [ "$warm" = 1 ]; then "$@" >/dev/null 2>&1 || true; fi
    local results=()
    for _ in $(seq "$n"); do
        local log load; log=$(mktemp)
        load=$(cut -d' ' -f1 /proc/loadavg)
        /usr/bin/time -v -o "$log" "$@" >/dev/null 2>&1 || true
        local secs rss
        secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$log")
        rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
        results+=("$secs $rss $load")
        rm -f "$log"
    done
    printf '%s\n' "${results[@]}" | sort -n | awk -v name="$name" -v r="$n" 'NR == int((r + 1) / 2) {printf "%s %s %s %s\n", name, $1, $2, $3}'
}

# interleaved NAME CMD [NAME CMD ...]: like `measure` for several commands (each CMD one
# shell-quoted string), but after one warm-up run of each, the timed runs go round-robin — one
# run of each command, RUNS times — so drift of the machine's speed during the benchmark
# lands on every command alike instead of on whichever ran in a slow minute.
interleaved() {
    python3 - "$runs" "$@" <<'PY'
import re, subprocess, sys, time

runs, pairs = int(sys.argv[1]), list(zip(sys.argv[2::2], sys.argv[3::2]))

def once(cmd):
    load = open("/proc/loadavg").read().split()[0]
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", "bash", "-c", cmd],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return wall, round(int(rss.group(1)) / 1024) if rss else 0, load

for _, cmd in pairs:
    once(cmd)
samples = {name: [] for name, _ in pairs}
for _ in range(runs):
    for name, cmd in pairs:
        samples[name].append(once(cmd))
for name, _ in pairs:
    wall, rss, load = sorted(samples[name])[(runs + 1) // 2 - 1]
    print(f"{name} {wall:.3f} {rss} {load}")
PY
}

report() { # report LABEL DIR WITH_DS
    local label=$1 dir=$2 with_ds=$3
    local nfiles size
    nfiles=$(find "$dir" -type f | wc -l)
    size=$(du -s --apparent-size --block-size=1M "$dir" | cut -f1)
    echo
    echo "## $label: $dir ($nfiles files, $size MB)"
    rm -rf "$out" "$out.runs"
    local rows=()
    mapfile -t rows < <(interleaved \
        vigil-security "$(printf '%q ' "$vigil" check "$dir" --pipeline security --offline --quiet --out "$out.runs")" \
        vigil-secrets-only "$(printf '%q ' "$vigil" check "$dir" --check secrets --offline --quiet --out "$out.runs")" \
        rg "$(printf '%q ' rg "${rg_args[@]}" "$dir")")
    if [ "$with_ds" = 1 ]; then
        # From inside the folder: run from a git work tree, detect-secrets scans that instead.
        rows+=("$(measure detect-secrets "$ds_runs" 0 sh -c "cd '$dir' && detect-secrets scan --all-files .")")
    fi
    # One more run for the report the summary below reads.
    "$vigil" check "$dir" --pipeline security --offline --quiet --out "$out" >/dev/null 2>&1 || true
    printf '%s\n' "${rows[@]}" | python3 -c '
import sys
size_mb = float(sys.argv[1])
rows = [l.split() for l in sys.stdin if l.strip()]
t = {r[0]: float(r[1]) for r in rows}
print("| tool | median wall time | peak RSS | load before |")
print("|---|---:|---:|---:|")
for name, secs, rss, load in rows:
    print(f"| {name} | {float(secs):.2f} s | {rss} MB | {load} |")
v, s, g, d = t["vigil-security"], t["vigil-secrets-only"], t["rg"], t.get("detect-secrets")
line = "\nvigil security / rg = %.2f; secrets only / rg = %.2f" % (v / g, s / g)
if d is not None:
    line += "; detect-secrets / vigil security = %.1f (detect-secrets: %.2f MB/s)" % (d / v, size_mb / d)
print(line)
' "$size"
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
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
full=$([ "${BENCH_SUBSETS_ONLY:-0}" = 1 ] && echo 0 || echo 1)
[ "$full" = 1 ] && report "generated tree" "$big" 0
if [ -n "$real" ] && [ -d "$real" ]; then
    [ "$full" = 1 ] && report "real checkout" "$real" 0
    if [ "$run_ds" = 1 ]; then
        subset_real "$real" "$base/real-subset-${ds_mb}mb" "$ds_mb"
        report "real checkout, first crates up to ${ds_mb} MB" "$base/real-subset-${ds_mb}mb" 1
    fi
fi
if [ "$run_ds" = 1 ]; then
    subset_files "$big" "$base/generated-subset-$ds_files" "$ds_files"
    report "generated tree, first $ds_files files" "$base/generated-subset-$ds_files" 1
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
