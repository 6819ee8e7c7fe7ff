#!/usr/bin/env bash
# The real hoist binary, as a user meets it: exit codes, and for bad input
# exactly one line on stderr that names the flag and the value.
set -u
hoist=$1
fails=0

# expect <exit code> <exact stderr line or ""> <stdout grep or ""> -- args...
expect() {
    local want_rc=$1 want_err=$2 want_out=$3
    shift 4
    local out err rc
    out=$(mktemp) err=$(mktemp)
    "$hoist" "$@" >"$out" 2>"$err"
    rc=$?
    if [ "$rc" != "$want_rc" ]; then
        echo "FAIL: hoist $* exited $rc, want $want_rc; stderr: $(cat "$err")"
        fails=$((fails + 1))
    fi
    if [ -n "$want_err" ]; then
        if [ "$(wc -l <"$err")" != 1 ] || [ "$(cat "$err")" != "$want_err" ]; then
            echo "FAIL: hoist $*: stderr is"
            sed 's/^/    /' "$err"
            echo "  want the one line: $want_err"
            fails=$((fails + 1))
        fi
    fi
    if [ -n "$want_out" ] && ! grep -q -- "$want_out" "$out"; then
        echo "FAIL: hoist $*: stdout lacks '$want_out'"
        fails=$((fails + 1))
    fi
    rm -f "$out" "$err"
}

expect 2 'hoist: invalid value "abc" for flag --scan-interval: invalid duration "abc"' "" -- --scan-interval=abc
expect 2 'hoist: unknown flag --nodez (did you mean --nodes?)' "" -- --nodez=1:2:x
expect 2 'hoist: flag --expander needs a value' "" -- run --expander
expect 2 'hoist: invalid value "3:1:ng" for flag --nodes: max size must be greater or equal to min size' "" -- --nodes 3:1:ng
expect 2 'hoist: unknown command "frobnicate" (see hoist help)' "" -- frobnicate
expect 2 'hoist version: takes no arguments' "" -- version extra
expect 2 'hoist help: unknown command "nope"' "" -- help nope
expect 0 "" "^hoist [0-9]*\.[0-9]*\.[0-9]* (commit " -- version
expect 0 "" "^libcurl " -- version
expect 0 "" "^jansson " -- version
expect 0 "" "^OpenSSL " -- version
expect 0 "" "^libev " -- version
expect 0 "" "--scale-down-unneeded-time" -- --help
expect 0 "" "--max-node-provision-time" -- help run
expect 0 "" "--priority-config" -- simulate --help
expect 0 "" "--now" -- simulate --help
expect 2 "hoist simulate: flag --now: cannot parse time '2026-11-28' (want RFC 3339, e.g. 2026-11-28T08:00:00Z)" "" -- simulate --cluster c.json --asgs a.json --now 2026-11-28
# simulate takes every flag of `hoist run`: a daemon-only one is checked and named as inert.
tmpd=$(mktemp -d)
echo '{"kind": "List", "items": []}' >"$tmpd/c.json"
echo '{"AutoScalingGroups": []}' >"$tmpd/a.json"
expect 0 "hoist: note: --leader-elect configures the daemon; it changes nothing in hoist simulate" \
    '"scaleUp"' -- simulate --cluster "$tmpd/c.json" --asgs "$tmpd/a.json" --output json \
    --leader-elect=false --nodes=0:3:ng-a
expect 2 'hoist: invalid value "maybe" for flag --leader-elect: want true or false' "" -- \
    simulate --cluster "$tmpd/c.json" --asgs "$tmpd/a.json" --leader-elect=maybe
rm -rf "$tmpd"

# Subcommands whose work has not landed say so and exit 2; they never pretend.
expect 2 "" "" -- --nodes=1:3:ng-a --expander=priority,least-waste
expect 2 "" "" -- replay
expect 2 "" "" -- discover

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all binary checks passed"
