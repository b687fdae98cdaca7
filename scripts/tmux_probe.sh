#!/bin/sh
# The browser in a real tmux pane, timed as a user sees it: from starting it
# to the header counting statements ("first statements"), and to the
# header's loading gauge gone ("loaded"). Polls the pane every 50 ms, so a
# figure is late by up to that. Needs tmux and bc.
#
# Usage: scripts/tmux_probe.sh ARCHIVE   (cache folder: $XDG_CACHE_HOME/communique;
#        BIN=path/to/communique to time another build, side by side)
# Run it twice: the first open of an archive reads its files and keeps the
# catalog snapshot and search index; the second is the warm start.
set -eu
ARCHIVE=$1
BIN=${BIN:-target/release/communique}
STATE=$(mktemp -d)
tmux kill-session -t communique-probe 2>/dev/null || true
start=$(date +%s.%N)
tmux new-session -d -s communique-probe -x 120 -y 30 \
    "$BIN --archive '$ARCHIVE' --state '$STATE/state.db'"
first=""
while :; do
    now=$(date +%s.%N)
    header=$(tmux capture-pane -pt communique-probe 2>/dev/null | head -1)
    if [ -z "$first" ] && echo "$header" | grep -Eq '[1-9][0-9]* (/ [0-9]+ )?statements'; then
        first=$(echo "$now - $start" | bc)
    fi
    if [ -n "$first" ] && ! echo "$header" | grep -q loading; then
        loaded=$(echo "$now - $start" | bc)
        break
    fi
    sleep 0.05
done
echo "first statements ${first} s, loaded ${loaded} s"
tmux send-keys -t communique-probe q
sleep 1
tmux kill-session -t communique-probe 2>/dev/null || true
rm -rf "$STATE"
