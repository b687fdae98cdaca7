#!/usr/bin/env python3
"""The real browser in a pseudo-terminal, timed as a user sees it.

Usage: pty_probe.py BINARY ARCHIVE [--while-loading] [--runs N]

Starts `BINARY --archive ARCHIVE --state <temp>` in a 120x40 pseudo-terminal,
keeps a screen with pyte (a terminal emulator: `pip install pyte`) and
measures, from the moment of spawning:
  - first frame: the header is on screen (the archive may still be loading);
  - first statements: the header counts at least one statement;
  - loaded: the header no longer shows the loading gauge;
  - peak memory (VmHWM from /proc) once loaded and after typing.
Then it opens the search line with "/" and types "foreign affairs japan" one
key at a time. For each key:
  - echo: from writing the key to the screen showing the line with it;
  - results: from writing the key to the screen showing that line with no
    "searching…" left (the fully re-ranked list is up).
The next key is typed once the results are up (plus 50 ms), as a typist who
reads as they go. The two spaces are typed but not timed: a space looks like
the line's padding, so its arrival cannot be seen (19 keys a run are timed). With --while-loading the keys are typed at once, one every
100 ms, while the archive is still loading; then the last letter is deleted
and typed again every 100 ms until loading ends (so every moment of the load
has a key to echo), and the results time is measured from the last key.
Prints one JSON object.
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
import tempfile
import termios
import time

import pyte

QUERY = "foreign affairs japan"
# The longest a burst of output is read before it is digested (see pump).
BURST_S = 0.005
COLUMNS, ROWS = 120, 40
COUNT = re.compile(r"([\d,]+) / ([\d,]+) statements")


class Browser:
    def __init__(self, binary, archive, state):
        self.started = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["TERM"] = "xterm-256color"
            os.execv(binary, [binary, "--archive", archive, "--state", state])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.pid, self.fd = pid, fd
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        # When the bytes now on screen were read (before the emulator's own
        # time to digest them, which is not the browser's).
        self.read_at = time.monotonic()

    def pump(self, wait):
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return False
        # A frame larger than the pseudo-terminal's buffer comes in pieces,
        # and the browser's write waits while this side digests one: read
        # every piece that follows within a millisecond first, then digest,
        # so the emulator's own slowness is not counted as the browser's.
        # The browser now redraws while it loads and indexes, often less
        # than a millisecond apart: a burst is read for at most BURST_S, or
        # the first frame would wait for the whole load to be counted.
        chunks = []
        burst_started = time.monotonic()
        while True:
            read_at = time.monotonic()
            try:
                chunk = os.read(self.fd, 1 << 20)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            self.read_at = read_at
            more, _, _ = select.select([self.fd], [], [], 0.001)
            if not more or time.monotonic() - burst_started > BURST_S:
                break
        if not chunks:
            return False
        self.stream.feed(b"".join(chunks))
        return True

    def wait_for(self, predicate, timeout=600.0):
        """When the output that made `predicate(screen lines)` hold was read."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.screen.display):
                return self.read_at
            self.pump(0.005)
        return None

    def settle(self, quiet):
        last = time.monotonic()
        while time.monotonic() - last < quiet:
            if self.pump(0.01):
                last = time.monotonic()

    def write(self, data):
        os.write(self.fd, data)
        return time.monotonic()

    def peak_kb(self):
        """The largest VmHWM of the process and its descendants: the browser
        runs as the child of a small guard process (src/guard.rs)."""
        peaks = []
        pending = [self.pid]
        while pending:
            pid = pending.pop()
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            peaks.append(int(line.split()[1]))
                with open(f"/proc/{pid}/task/{pid}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
            except OSError:
                continue
        return max(peaks, default=None)

    def close(self):
        os.write(self.fd, b"\x1b")
        self.settle(0.1)
        os.write(self.fd, b"q")
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def header(lines):
    return lines[0]


def statements_listed(lines):
    found = COUNT.search(header(lines))
    return bool(found) and int(found.group(2).replace(",", "")) > 0


def typed(prefix):
    """The search line (one of the last two rows) shows `prefix`, and no
    more of the query after it (but for a space, which padding looks like)."""

    def shows(line):
        for start in ("/" + prefix, "/ " + prefix):
            at = line.find(start)
            if at >= 0:
                after = line[at + len(start) : at + len(start) + 1]
                # A space after it may be the line's padding: taken as shown.
                if after in ("", " ") or not QUERY.startswith(prefix + after):
                    return True
        return False

    return lambda lines: any(shows(line) for line in lines[-2:])


def results_up(prefix):
    shows = typed(prefix)
    return lambda lines: shows(lines) and not any("searching…" in line for line in lines[-2:])


def one_run(binary, archive, while_loading):
    with tempfile.TemporaryDirectory() as home:
        browser = Browser(binary, archive, os.path.join(home, "state.sqlite"))
        t0 = browser.started
        result = {}
        shown = browser.wait_for(lambda lines: "communique" in header(lines) or COUNT.search(header(lines)))
        result["first_frame_s"] = shown - t0 if shown else None
        listed = browser.wait_for(statements_listed)
        result["first_statements_s"] = listed - t0 if listed else None
        echoes, results = [], []
        if while_loading:
            browser.write(b"/")
            browser.wait_for(typed(""), 10)
            for end in range(1, len(QUERY) + 1):
                sent = browser.write(QUERY[end - 1].encode())
                seen = browser.wait_for(typed(QUERY[:end]), 10)
                # A space cannot be seen arriving (it looks like padding).
                if not QUERY[:end].endswith(" "):
                    echoes.append(seen - sent if seen else None)
                while time.monotonic() < sent + 0.1:
                    browser.pump(0.005)
            last_key = sent
            # Then, until the archive is loaded, the last letter is taken
            # back and typed again every 100 ms: every key while it loads
            # is timed, to the end.
            while "loading" in header(browser.screen.display):
                for data, prefix in ((b"\x7f", QUERY[:-1]), (QUERY[-1].encode(), QUERY)):
                    sent = browser.write(data)
                    seen = browser.wait_for(typed(prefix), 10)
                    echoes.append(seen - sent if seen else None)
                    while time.monotonic() < sent + 0.1:
                        browser.pump(0.005)
                last_key = sent
        loaded = browser.wait_for(lambda lines: "loading" not in header(lines) and statements_listed(lines))
        result["loaded_s"] = loaded - t0 if loaded else None
        if while_loading:
            up = browser.wait_for(results_up(QUERY), 600)
            result["results_after_last_key_s"] = up - last_key if up else None
            result["results_after_loaded_s"] = up - loaded if up and loaded else None
        result["peak_kb_loaded"] = browser.peak_kb()
        if not while_loading:
            browser.settle(0.3)
            browser.write(b"/")
            browser.wait_for(typed(""), 10)
            for end in range(1, len(QUERY) + 1):
                prefix = QUERY[:end]
                sent = browser.write(QUERY[end - 1].encode())
                if prefix.endswith(" "):
                    # A space looks like the line's padding: it cannot be
                    # seen arriving, so it is typed but not timed.
                    browser.settle(0.1)
                    continue
                seen = browser.wait_for(typed(prefix), 10)
                done = browser.wait_for(results_up(prefix), 60)
                echoes.append(seen - sent if seen else None)
                results.append(done - sent if done else None)
                time.sleep(0.05)
        result["echo_s"] = echoes
        result["results_s"] = results
        result["peak_kb_end"] = browser.peak_kb()
        browser.close()
        return result


def summary(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
    return {"median": statistics.median(values), "p99": p99, "max": values[-1], "n": len(values)}


def main():
    args = sys.argv[1:]
    while_loading = "--while-loading" in args
    runs = 3
    if "--runs" in args:
        runs = int(args[args.index("--runs") + 1])
        del args[args.index("--runs") : args.index("--runs") + 2]
    binary, archive = [a for a in args if not a.startswith("--")][:2]
    done = [one_run(binary, archive, while_loading) for _ in range(runs)]
    out = {
        "archive": archive,
        "archive_bytes": os.path.getsize(archive) if os.path.isfile(archive) else None,
        "runs": runs,
        "while_loading": while_loading,
        "first_frame_s": summary(r["first_frame_s"] for r in done),
        "first_statements_s": summary(r["first_statements_s"] for r in done),
        "loaded_s": summary(r["loaded_s"] for r in done),
        "echo_s": summary(e for r in done for e in r["echo_s"]),
        "results_s": summary(e for r in done for e in r["results_s"]),
        "peak_kb_loaded": max(r["peak_kb_loaded"] or 0 for r in done),
        "peak_kb_end": max(r["peak_kb_end"] or 0 for r in done),
        # Each run's keys, in order (seconds), to see which were slow.
        "echo_each": [r["echo_s"] for r in done],
        "results_each": [r["results_s"] for r in done],
    }
    if while_loading:
        out["results_after_last_key_s"] = summary(r.get("results_after_last_key_s") for r in done)
        out["results_after_loaded_s"] = summary(r.get("results_after_loaded_s") for r in done)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
