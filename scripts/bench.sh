#!/usr/bin/env bash
# Whole-process measurements for issue 7 (see docs/benchmarks.md):
#   scripts/bench.sh            10k and 100k statements
#   scripts/bench.sh 1m         also 1M (6.3 GB of JSON Lines, ~15 GB of memory, ~30 min)
#   scripts/bench.sh summary    criterion results (after `cargo bench`) as tables
#
# For each size it generates a synthetic archive (JSON Lines, plus a folder of
# files at 10k and 100k) and a ".lines" file of titles and signatories under
# target/bench-data, then measures:
#   - `communique list --query Q` against `fzf --filter Q` on the same text (hyperfine)
#   - load time: `communique check` (hyperfine)
#   - a first-frame proxy: `communique list --limit 20` (hyperfine)
#   - first frame, load, keystroke echo and results of the real browser in a
#     pseudo-terminal (scripts/pty_probe.py, which needs `pip install pyte`)
#   - peak memory (GNU time, maximum resident set) against size on disk
# Results land in target/bench-data/results/.
#
# Needs hyperfine, fzf, python3 and GNU time:
#   apt-get install -y hyperfine fzf time
set -euo pipefail
cd "$(dirname "$0")/.."

QUERY='foreign affairs japan'
SEED=7
DATA=target/bench-data
RESULTS=$DATA/results

# Reads target/criterion after `cargo bench` and prints markdown tables.
CRITERION_SUMMARY=$(cat <<'PY'
import json, pathlib, statistics, sys

root = pathlib.Path(sys.argv[1])

def per_iteration(bench):
    sample = json.loads((bench / "new" / "sample.json").read_text())
    return [t / n for t, n in zip(sample["times"], sample["iters"])]

def estimate(bench, what):
    return json.loads((bench / "new" / "estimates.json").read_text())[what]["point_estimate"]

def ms(ns):
    return f"{ns / 1e6:.1f} ms" if ns >= 1e5 else f"{ns / 1e3:.0f} µs"

def p99(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]

for group in sorted(root.glob("keystroke_*")):
    count = group.name.split("_")[1]
    print(f"\n### Per keystroke, {count} statements\n")
    print("| # | search line | median | mean |")
    print("|---|---|---|---|")
    pooled = []
    for bench in sorted(p for p in group.iterdir() if p.is_dir() and p.name != "report"):
        inner = next(p for p in bench.iterdir() if (p / "new").is_dir())
        pooled += per_iteration(inner)
        prefix = json.loads((inner / "new" / "benchmark.json").read_text())["value_str"]
        print(f"| {bench.name} | `{prefix}` | {ms(estimate(inner, 'median'))} | {ms(estimate(inner, 'mean'))} |")
    print(f"\nAll {len(pooled)} samples: median {ms(statistics.median(pooled))}, "
          f"p99 {ms(p99(pooled))}, max {ms(max(pooled))}")

print("\n### Other benches\n")
print("| bench | median | mean |")
print("|---|---|---|")
for estimates in sorted(root.glob("*/**/new/estimates.json")):
    bench = estimates.parent.parent
    if bench.relative_to(root).parts[0].startswith("keystroke_"):
        continue
    name = json.loads((bench / "new" / "benchmark.json").read_text())["full_id"]
    print(f"| {name} | {ms(estimate(bench, 'median'))} | {ms(estimate(bench, 'mean'))} |")
PY
)

# BENCH_SIZES="1000" scripts/bench.sh: other sizes (a quick smoke test).
read -r -a SIZES <<<"${BENCH_SIZES:-10000 100000}"
case "${1:-}" in
    1m) SIZES+=(1000000) ;;
    summary)
        # Criterion's results as tables: per keystroke (median of each
        # prefix, and the median and p99 over every sample of every prefix).
        python3 -c "$CRITERION_SUMMARY" target/criterion
        exit 0
        ;;
    "") ;;
    *)
        echo "usage: scripts/bench.sh [1m|summary]" >&2
        exit 2
        ;;
esac

python3 -c "import pyte" 2>/dev/null || {
    echo "bench.sh: the pseudo-terminal probe needs pyte (pip install pyte)" >&2
    exit 1
}
for tool in hyperfine fzf python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || {
        echo "bench.sh: $tool is missing (apt-get install -y hyperfine fzf time)" >&2
        exit 1
    }
done

cargo build --release --bin communique --example generate
BIN=target/release/communique
GEN=target/release/examples/generate
mkdir -p "$DATA" "$RESULTS"

{
    echo "date: $(date -u +%FT%TZ)"
    if git rev-parse --short HEAD >/dev/null 2>&1; then
        echo "commit: $(git rev-parse --short HEAD), $(git status --porcelain | wc -l) paths changed"
    else
        echo "commit: not a git checkout"
    fi
    echo "nproc: $(nproc)"
    lscpu | grep -E 'Model name|^CPU\(s\)|MHz' || true
    free -h | head -2
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    hyperfine --version
    echo "fzf $(fzf --version)"
} | tee "$RESULTS/machine.txt"

peak_kb() { # the maximum resident set of a command, in KB
    /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1
}

label() { # 10000 -> 10k
    case $1 in
        1000000) echo 1m ;;
        *) echo "$(($1 / 1000))k" ;;
    esac
}


for count in "${SIZES[@]}"; do
    name=$(label "$count")
    jsonl=$DATA/$name.jsonl
    lines=$DATA/$name.lines
    folder=$DATA/$name-folder
    if [[ ! -s $jsonl || ! -s $lines ]]; then
        $GEN --count "$count" --format jsonl --out "$jsonl" --lines "$lines" --seed $SEED
    fi
    archives=("$jsonl")
    if ((count <= 100000)); then
        [[ -d $folder ]] || $GEN --count "$count" --format folder --out "$folder" --seed $SEED
        archives+=("$folder")
    fi

    echo "== $name: size on disk" | tee "$RESULTS/$name-size.txt"
    du -sh --apparent-size "${archives[@]}" "$lines" | tee -a "$RESULTS/$name-size.txt"
    du -sb "${archives[@]}" "$lines" | tee -a "$RESULTS/$name-size.txt"
    echo "allocated on disk (KB):" | tee -a "$RESULTS/$name-size.txt"
    du -sk "${archives[@]}" "$lines" | tee -a "$RESULTS/$name-size.txt"

    runs=10
    ((count >= 1000000)) && runs=3

    echo "== $name: list --query vs fzf --filter"
    hyperfine --warmup 1 --runs $runs --ignore-failure \
        --export-json "$RESULTS/$name-query.json" \
        -n "communique list --query" "$BIN --archive $jsonl list --query '$QUERY'" \
        -n "fzf --filter" "fzf --filter '$QUERY' < $lines"

    echo "== $name: load (check) and first-frame proxy (list --limit 20)"
    commands=()
    for archive in "${archives[@]}"; do
        commands+=(-n "check $(basename "$archive")" "$BIN --archive $archive check")
    done
    hyperfine --warmup 1 --runs $runs --ignore-failure \
        --export-json "$RESULTS/$name-load.json" "${commands[@]}" \
        -n "list --limit 20" "$BIN --archive $jsonl list --limit 20"

    echo "== $name: peak memory"
    for archive in "${archives[@]}"; do
        echo "$(basename "$archive") check: max RSS $(peak_kb "$BIN" --archive "$archive" check) KB"
        echo "$(basename "$archive") list --query: max RSS $(peak_kb "$BIN" --archive "$archive" list --query "$QUERY" --limit 20) KB"
    done | tee "$RESULTS/$name-memory.txt"

    echo "== $name: browser in a pseudo-terminal (first frame, load, echo and results per key)"
    python3 scripts/pty_probe.py "$BIN" "$jsonl" --runs $((count >= 1000000 ? 1 : 3)) \
        | tee "$RESULTS/$name-pty.json"
    echo "== $name: typing while it loads"
    python3 scripts/pty_probe.py "$BIN" "$jsonl" --while-loading --runs 1 \
        | tee "$RESULTS/$name-pty-loading.json"
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/machine.txt"
echo "results in $RESULTS"
