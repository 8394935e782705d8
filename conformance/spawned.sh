#!/usr/bin/env bash
# Spawned-mode conformance: runs the upstream Redis 7.2.6 test suite's units that start their
# own servers (integration/*, unit/aofrw, unit/info, ... everything tagged external:skip)
# against Cinnabar.
#
#   conformance/spawned.sh [run] [UNIT ...]   run units (default list below), print a table
#   conformance/spawned.sh check [UNIT ...]   fail when a unit passes fewer tests than
#                                             conformance/spawned-baseline.tsv says
#   conformance/spawned.sh update [UNIT ...]  run, then raise baseline counts that went up
#   conformance/spawned.sh --list             default units and their expected test counts
#
# How: `runtest` without --host starts `src/redis-server <config file>` from the suite's
# directory and watches the server's log ("PID: <pid>", "Server initialized", "Ready to accept
# connections"). This script makes a throw-away copy of the suite (SUITE_DIR, default
# ~/.cache/redis-suite/7.2.6; third-party code that is never committed) in a temp dir and puts
# small generated scripts at src/redis-server (exec's bin/cinnabar-server, so the PID the tests
# signal is the JVM's), src/redis-cli, src/redis-benchmark, src/redis-check-aof and
# src/redis-check-rdb (the system's redis-tools, Debian 7.0.x). One `runtest --single` per
# unit, --clients 1, a bounded time per unit; servers a unit left behind are killed by PID.
#
# Environment (all optional):
#   SUITE_DIR       suite tree with runtest and tests/ (default ~/.cache/redis-suite/7.2.6)
#   SPAWNED_TAGS    runtest --tags (default "-slow"; set it empty to run the slow tests too,
#                   which takes several times longer)
#   SPAWNED_ARGS    extra runtest args, e.g. "--dump-logs" or "--verbose"
#   SPAWNED_SERVER  the server binary src/redis-server exec's (default bin/cinnabar-server;
#                   /usr/bin/redis-server runs the same harness against the reference)
#   SPAWNED_BASEPORT  first port for spawned servers (default 23000; the suite also uses
#                   port+10000 and 32 ports below it for its own coordination socket)
#   TEST_TIMEOUT    runtest --timeout: seconds without test progress before the unit is
#                   aborted (default 120)
#   UNIT_TIMEOUT    hard wall-clock limit per unit in seconds (default 900)
#   TOTAL_TIMEOUT   hard limit for the whole run (default 7200); later units count NOTRUN
#   LOG_DIR         results.tsv, failed.txt, one .log per unit and the spawned servers' logs
#                   (<unit>.servers/); default a new temp dir
#   KEEP_COPY=1     keep the temporary suite copy (printed on the logs line)
#
# Scoring is the same as ../shared/tools/redis-suite.sh: passed = "[ok]" lines, failed =
# max("[err]" lines, expected - passed); results.tsv columns: unit status passed failed err
# expected ignored secs. Status: ok | FAIL | EXCEPTION | TIMEOUT | KILLED | ABORTED | NOTRUN.
set -u
# The whole script is one brace group, so bash parses all of it before running: editing this
# file during a long run cannot change the running copy.
{
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE_DIR="${SUITE_DIR:-${HOME}/.cache/redis-suite/7.2.6}"
SPAWNED_TAGS="${SPAWNED_TAGS--slow}"
SPAWNED_ARGS="${SPAWNED_ARGS:-}"
SPAWNED_SERVER="${SPAWNED_SERVER:-$here/bin/cinnabar-server}"
BASEPORT="${SPAWNED_BASEPORT:-23000}"
TEST_TIMEOUT="${TEST_TIMEOUT:-120}"
UNIT_TIMEOUT="${UNIT_TIMEOUT:-900}"
TOTAL_TIMEOUT="${TOTAL_TIMEOUT:-7200}"
BASELINE_FILE="$here/conformance/spawned-baseline.tsv"
KNOWN_FILE="$here/conformance/spawned-known-failures.tsv"

# ---------------------------------------------------------------------------
# Default units, in the suite's own order, and the number of tests each runs with the default
# tags ("-slow"): ok+err of the reference, redis-server 7.0.15, through this harness (no 7.2.6
# binary is available here; 7.0.15 passes 488 of these 501 tests, its failures being 7.2
# behaviour). integration/redis-cli times out on the reference too (Debian's 7.0 redis-cli
# waits in a 7.2-only test), so its count, 36, is the number of tests in the file.
embedded_units() {
cat <<'EOF'
unit/info                                   20
integration/block-repl                       2
integration/replication                     61
integration/replication-2                    7
integration/replication-3                    7
integration/replication-4                   17
integration/replication-psync               60
integration/replication-buffer               7
integration/shutdown                         5
integration/aof                             42
integration/aof-multi-part                  35
integration/rdb                             14
integration/convert-zipmap-hash-on-load      3
integration/convert-ziplist-hash-on-load     2
integration/convert-ziplist-zset-on-load     2
integration/logging                          2
integration/psync2                          62
integration/psync2-reg                      22
integration/psync2-pingoff                   6
integration/psync2-master-restart            4
integration/redis-cli                       36
integration/redis-benchmark                  9
integration/dismiss-mem                      4
unit/aofrw                                  22
unit/maxmemory                              32
unit/limits                                  1
unit/obuf-limits                             9
unit/querybuf                                0
unit/oom-score-adj                           6
unit/shutdown                                9
unit/networking                              5
unit/client-eviction                        17
EOF
}
# ---------------------------------------------------------------------------

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
mode=run
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    --list) echo "# unit  expected-tests (tags -slow)"; embedded_units; exit 0 ;;
    run|check|update) mode="$1"; shift ;;
esac

norm_unit() {
    local u="$1"
    u="${u#./}"; u="${u#tests/}"; u="${u%.tcl}"
    case "$u" in unit/*|integration/*) ;; *) u="unit/$u" ;; esac
    printf '%s' "$u"
}

declare -A EXPECTED=()
UNITS=()
while read -r u n; do
    case "${u:-#}" in \#*) continue ;; esac
    EXPECTED["$u"]="$n"
    [ $# -eq 0 ] && UNITS+=("$u")
done < <(embedded_units)
for u in "$@"; do UNITS+=("$(norm_unit "$u")"); done

if [ ! -f "$SUITE_DIR/tests/test_helper.tcl" ]; then
    echo "spawned: no suite in SUITE_DIR=$SUITE_DIR (see ../shared/tools/redis-suite.sh --setup)" >&2
    exit 3
fi
TCLSH=""
for v in tclsh8.6 tclsh8.7 tclsh8.5 tclsh; do
    if command -v "$v" >/dev/null 2>&1; then TCLSH="$(command -v "$v")"; break; fi
done
[ -n "$TCLSH" ] || { echo "spawned: tclsh not found (apt-get install tcl)" >&2; exit 3; }
[ -x "$SPAWNED_SERVER" ] || { echo "spawned: $SPAWNED_SERVER is not executable" >&2; exit 3; }
if [ "$SPAWNED_SERVER" = "$here/bin/cinnabar-server" ] && [ ! -f "$here/server/target/cinnabar-server.jar" ]; then
    (cd "$here" && ./mvnw -B -q -DskipTests -pl server -am package) || exit 3
fi

LOG_DIR="${LOG_DIR:-$(mktemp -d /tmp/cinnabar-spawned.XXXXXX)}"
mkdir -p "$LOG_DIR"
LOG_DIR="$(cd "$LOG_DIR" && pwd)"
RESULTS="$LOG_DIR/results.tsv"
FAILED_LIST="$LOG_DIR/failed.txt"
: > "$RESULTS"; : > "$FAILED_LIST"

# ---- the temporary suite copy --------------------------------------------------
COPY="$(mktemp -d /tmp/cinnabar-suite-copy.XXXXXX)"
cp -r "$SUITE_DIR/runtest" "$SUITE_DIR/tests" "$COPY/"
rm -rf "$COPY/tests/tmp"; mkdir -p "$COPY/tests/tmp" "$COPY/src"
wrap() { # name target
    printf '#!/bin/sh\n# generated by conformance/spawned.sh\nexec %q "$@"\n' "$2" > "$COPY/src/$1"
    chmod +x "$COPY/src/$1"
}
if [ "$SPAWNED_SERVER" = "$here/bin/cinnabar-server" ]; then
    # A private copy of the jar: rebuilding during a long run must not replace the jar under
    # running JVMs (they load classes from it lazily).
    cp "$here/server/target/cinnabar-server.jar" "$COPY/cinnabar-server.jar"
    printf '#!/bin/sh\n# generated by conformance/spawned.sh\nCINNABAR_JAR=%q; export CINNABAR_JAR\nexec %q "$@"\n' \
        "$COPY/cinnabar-server.jar" "$SPAWNED_SERVER" > "$COPY/src/redis-server"
    chmod +x "$COPY/src/redis-server"
else
    wrap redis-server "$SPAWNED_SERVER"
fi
for t in redis-cli redis-benchmark redis-check-aof redis-check-rdb; do
    if command -v "$t" >/dev/null 2>&1; then wrap "$t" "$(command -v "$t")"; fi
done

# Processes whose command line names the copy: the servers runtest spawned (their config file
# lives in $COPY/tests/tmp) and runtest's own clients. Killed one PID at a time.
copy_pids() {
    local p cmd
    for p in /proc/[0-9]*; do
        cmd="$( { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null)" || continue
        case "$cmd" in *"$COPY/"*) echo "${p#/proc/}" ;; esac
    done
}
kill_leftovers() {
    local p left
    left="$(copy_pids)"
    [ -n "$left" ] || return 0
    for p in $left; do kill -TERM "$p" 2>/dev/null; done
    sleep 2
    for p in $(copy_pids); do kill -KILL "$p" 2>/dev/null; done
}

cleanup() {
    kill_leftovers
    if [ "${KEEP_COPY:-0}" = "1" ]; then echo "suite copy kept: $COPY" >&2; else rm -rf "$COPY"; fi
}

# ---- bookkeeping (same columns as redis-suite.sh) --------------------------------
START=$(date +%s)
DEADLINE=$((START + TOTAL_TIMEOUT))
TOTAL_PASS=0; TOTAL_FAIL=0; ROWS=(); DONE_UNITS=0; CHILD=""
record() {  # unit status ok err ignored secs
    local unit="$1" status="$2" ok="$3" err="$4" ign="$5" secs="$6"
    local exp="${EXPECTED[$unit]:-}" failed="$4"
    [ "$exp" = "0" ] && exp=""
    if [ -n "$exp" ] && [ $((exp - ok)) -gt "$failed" ]; then failed=$((exp - ok)); fi
    TOTAL_PASS=$((TOTAL_PASS + ok)); TOTAL_FAIL=$((TOTAL_FAIL + failed))
    printf '%s\t%s\t%d\t%d\t%d\t%s\t%d\t%d\n' "$unit" "$status" "$ok" "$failed" "$err" \
        "${exp:--}" "$ign" "$secs" >> "$RESULTS"
    ROWS+=("$(printf '%-42s %-9s %7d %7d %9s %8d %5d' "$unit" "$status" "$ok" "$failed" "${exp:--}" "$ign" "$secs")")
    printf '%-42s %-9s passed=%d failed=%d (%ds)\n' "$unit" "$status" "$ok" "$failed" "$secs" >&2
}
summary() {
    printf '%-42s %-9s %7s %7s %9s %8s %5s\n' unit status passed failed expected ignored secs
    local r
    for r in "${ROWS[@]}"; do echo "$r"; done
    echo "logs: $LOG_DIR (results.tsv, failed.txt, <unit>.log, <unit>.servers/); wall time $(( $(date +%s) - START ))s"
    echo "suite: $TOTAL_PASS passed, $TOTAL_FAIL failed"
}
on_signal() {
    trap - TERM INT HUP
    if [ -n "$CHILD" ]; then
        kill -TERM "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null
        grep -a '^\[err\]: ' "$logf" | sed "s|^\[err\]: |$unit\t|" >> "$FAILED_LIST"
        record "$unit" KILLED "$(grep -ac '^\[ok\]: ' "$logf")" "$(grep -ac '^\[err\]: ' "$logf")" 0 $(( $(date +%s) - t0 ))
    fi
    cleanup
    summary
    exit 130
}
trap on_signal TERM INT HUP

# ---- run ------------------------------------------------------------------------
baseline_of() {
    local b; b=$(awk -F'\t' -v u="$1" '$1 == u {print $2}' "$BASELINE_FILE" 2>/dev/null); echo "${b:-0}"
}
# Runs one unit once; sets logf, rc, ok, err, ign, status, secs. $1 unit, $2 log base path.
run_unit_once() {
    local unit="$1" base="$2" ut remaining d f
    logf="$base.log"
    remaining=$((DEADLINE - $(date +%s)))
    ut=$UNIT_TIMEOUT; [ "$remaining" -lt "$ut" ] && ut=$remaining
    t0=$(date +%s)
    # --durable: an error outside an assertion fails that test instead of ending the unit.
    # `timeout` kills runtest and its test client (one process group); the servers they
    # spawned are found by command line afterwards (kill_leftovers).
    # shellcheck disable=SC2086
    ( cd "$COPY" && TERM=dumb exec timeout -k 10 "$ut" "$TCLSH" tests/test_helper.tcl \
        --single "$unit" --clients 1 --durable --dont-clean --baseport "$BASEPORT" --portcount 100 \
        --timeout "$TEST_TIMEOUT" --tags "$SPAWNED_TAGS" $SPAWNED_ARGS ) > "$logf" 2>&1 < /dev/null &
    CHILD=$!
    wait "$CHILD"; rc=$?
    CHILD=""
    kill_leftovers
    secs=$(( $(date +%s) - t0 ))
    # Keep the spawned servers' logs (not their data files) for diagnosis.
    if compgen -G "$COPY/tests/tmp/*" >/dev/null; then
        mkdir -p "$base.servers"
        for d in "$COPY"/tests/tmp/*/; do
            [ -d "$d" ] || continue
            for f in "$d"stdout* "$d"stderr*; do
                [ -s "$f" ] && cp "$f" "$base.servers/$(basename "$d")-$(basename "$f")"
            done
        done
        rm -rf "$COPY"/tests/tmp/*
    fi
    ok=$(grep -ac '^\[ok\]: ' "$logf")
    err=$(grep -ac '^\[err\]: ' "$logf")
    ign=$(grep -ac '^\[ignore\]: \|^\[skip\]: ' "$logf")
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then status=KILLED
    elif grep -aq '^\[TIMEOUT\]' "$logf"; then status=TIMEOUT
    elif grep -aq '^\[exception\]: ' "$logf"; then status=EXCEPTION
    elif ! grep -aq '^\[[0-9]*/[0-9]* done\]: ' "$logf"; then status=ABORTED
    elif [ "$err" -gt 0 ]; then status=FAIL
    else status=ok
    fi
}

for unit in "${UNITS[@]}"; do
    base="$LOG_DIR/$(printf '%s' "$unit" | tr '/' '_')"
    logf="$base.log"
    if [ ! -f "$COPY/tests/$unit.tcl" ]; then
        echo "spawned: no unit $unit in the suite" >&2; continue
    fi
    if [ $((DEADLINE - $(date +%s))) -le 5 ]; then record "$unit" NOTRUN 0 0 0 0; continue; fi
    run_unit_once "$unit" "$base"
    # check: a unit below its baseline gets one more try (timing-sensitive tests on a loaded
    # machine); a real regression fails twice.
    if [ "$mode" = "check" ] && [ "$ok" -lt "$(baseline_of "$unit")" ] && [ $((DEADLINE - $(date +%s))) -gt 5 ]; then
        echo "spawned: $unit below baseline ($ok < $(baseline_of "$unit")); retrying once" >&2
        run_unit_once "$unit" "$base.retry"
    fi
    grep -a '^\[err\]: ' "$logf" | sed "s|^\[err\]: |$unit\t|" >> "$FAILED_LIST"
    record "$unit" "$status" "$ok" "$err" "$ign" "$secs"
    DONE_UNITS=$((DONE_UNITS + 1))
done
trap - TERM INT HUP
cleanup
summary

# ---- ratchet ---------------------------------------------------------------------
status=0
if [ "$mode" = "check" ] || [ "$mode" = "update" ]; then
    while IFS=$'\t' read -r u _ p _; do
        b=$(baseline_of "$u")
        if [ "$p" -lt "$b" ]; then echo "SPAWNED RATCHET FAIL: $u passed $p < baseline $b" >&2; status=1
        elif [ "$p" -gt "$b" ]; then echo "spawned: $u passed $p > baseline $b (run 'conformance/spawned.sh update $u' and commit)" >&2
        fi
    done < "$RESULTS"
    while IFS=$'\t' read -r u t; do
        name="${t% in tests/*}"
        if ! grep -qF "$u"$'\t'"$name"$'\t' "$KNOWN_FILE" 2>/dev/null && ! grep -qF "$u"$'\t*\t' "$KNOWN_FILE" 2>/dev/null; then
            echo "spawned: unlisted failure: $u: $name" >&2
        fi
    done < "$FAILED_LIST"
fi
if [ "$mode" = "update" ]; then
    [ -s "$BASELINE_FILE" ] || printf '# unit\tpassed\n' > "$BASELINE_FILE"
    tmp="$(mktemp)"
    { echo -e "# unit\tpassed  (upstream Redis 7.2.6 suite, spawned mode, tags '$SPAWNED_TAGS'; raise only, never lower)"
      awk -F'\t' 'FNR==NR { if ($1 !~ /^#/ && $1 != "") b[$1]=$2; next }
                  { p=$3; if (($1 in b) && b[$1] > p) p=b[$1]; n[$1]=p }
                  END { for (u in b) if (!(u in n)) n[u]=b[u]; for (u in n) printf "%s\t%d\n", u, n[u] }' \
          "$BASELINE_FILE" "$RESULTS" 2>/dev/null | sort; } > "$tmp"
    mv "$tmp" "$BASELINE_FILE"
    echo "spawned: baseline updated ($BASELINE_FILE)" >&2
    exit 0
fi
[ "$mode" = "check" ] && exit $status
[ "$TOTAL_FAIL" -eq 0 ] && [ "$TOTAL_PASS" -gt 0 ]
exit $?
}
