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
#   - first frame and keystroke echo of the real browser in a pseudo-terminal
#     (the Python probe PTY_PROBE below)
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

# The pseudo-terminal probe (Python, standard library only).
PTY_PROBE=$(cat <<'PY'
#!/usr/bin/env python3
"""Time to first frame and keystroke echo of the real browser, in a pseudo-terminal.

Usage: pty_first_frame.py BINARY ARCHIVE [RUNS]

Starts `BINARY --archive ARCHIVE` in a 120x40 pseudo-terminal, and measures:
  - first frame: from spawn to the first byte of the list header the browser
    draws (" communique · "), i.e. load + index + first draw;
  - peak memory (VmHWM from /proc) once the first frame is up;
  - keystroke echo: opens the search line with "/", then types
    "foreign affairs japan" one key at a time, waiting for the frame that
    answers each key; the time from writing the key to the first byte of that
    frame is how long a keystroke takes to show.
Prints one JSON object. Standard library only.
"""

import fcntl
import json
import os
import pty
import re
import select
import statistics
import struct
import sys
import termios
import time

QUERY = "foreign affairs japan"
HEADER = " communique · ".encode()


def spawn(binary, archive):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(binary, [binary, "--archive", archive])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    return pid, fd


def read_until(fd, needle, timeout):
    """Reads until `needle` appears; returns (time it appeared, bytes)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            seen += chunk
            if needle in seen:
                return time.monotonic(), seen
    return None, seen


def is_idle(chunk):
    """Whether output only resets styles and hides the cursor, as the
    browser's idle redraw (every 250 ms) does. A frame that answers a key
    moves the cursor or writes text."""
    return not re.sub(rb"\x1b\[[0-9;]*m|\x1b\[\?25l", b"", chunk)


def drain(fd, quiet, limit=5.0):
    """Reads until no frame (idle redraws aside) arrives for `quiet` seconds."""
    deadline = time.monotonic() + limit
    last = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - last < quiet:
        ready, _, _ = select.select([fd], [], [], 0.02)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            return
        if not chunk:
            return
        if not is_idle(chunk):
            last = time.monotonic()


def first_byte_after(fd, data, timeout=60.0):
    """Writes `data`, returns seconds until the first output that is a frame
    (not an idle redraw)."""
    sent = time.monotonic()
    os.write(fd, data)
    while time.monotonic() - sent < timeout:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        arrived = time.monotonic()
        if not is_idle(os.read(fd, 1 << 16)):
            return arrived - sent
    return None


def peak_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def one_run(binary, archive, keys):
    started = time.monotonic()
    pid, fd = spawn(binary, archive)
    shown, _ = read_until(fd, HEADER, 600)
    result = {"first_frame_s": None if shown is None else shown - started}
    drain(fd, 0.3)
    result["peak_kb_after_first_frame"] = peak_kb(pid)
    if keys:
        echoes = []
        first_byte_after(fd, b"/")
        drain(fd, 0.2)
        for key in QUERY:
            echoes.append(first_byte_after(fd, key.encode()))
            # Let the frame finish before the next key, as a typist's
            # ~100 ms between keys would.
            drain(fd, 0.1)
        result["echo_s"] = echoes
        result["peak_kb_after_typing"] = peak_kb(pid)
    os.write(fd, b"\x1b")
    drain(fd, 0.2)
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    os.close(fd)
    return result


def main():
    binary, archive = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    results = [one_run(binary, archive, keys=(run == 0)) for run in range(runs)]
    frames = [r["first_frame_s"] for r in results if r["first_frame_s"] is not None]
    echoes = [e for e in results[0].get("echo_s", []) if e is not None]
    summary = {
        "archive": archive,
        "runs": runs,
        "first_frame_s": frames,
        "first_frame_median_s": statistics.median(frames) if frames else None,
        "peak_kb_after_first_frame": results[0]["peak_kb_after_first_frame"],
        "peak_kb_after_typing": results[0].get("peak_kb_after_typing"),
        "echo_s_per_key": echoes,
        "echo_median_s": statistics.median(echoes) if echoes else None,
        "echo_max_s": max(echoes) if echoes else None,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
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

    echo "== $name: browser in a pseudo-terminal (first frame, keystroke echo)"
    python3 -c "$PTY_PROBE" "$BIN" "$jsonl" $((count >= 1000000 ? 1 : 5)) \
        | tee "$RESULTS/$name-pty.json"
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS/machine.txt"
echo "results in $RESULTS"
