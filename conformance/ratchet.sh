#!/usr/bin/env bash
# Conformance ratchet: runs the upstream Redis 7.2.6 test suite (external mode, default
# profile) against a fresh Cinnabar server and compares per-unit passed counts with the
# committed baseline.
#
#   conformance/ratchet.sh check [UNIT ...]   fail if any unit passes fewer tests than its baseline
#   conformance/ratchet.sh update [UNIT ...]  run, then raise baseline counts that went up (never lower)
#   conformance/ratchet.sh run [UNIT ...]     run and report only
#
# Files: conformance/baseline.tsv (unit, passed), conformance/known-failures.tsv (unit, test,
# reason). The suite itself lives outside the repo (../shared/notes/conformance.md).
# Environment: SUITE_PORT (default 21379+), TEST_TIMEOUT (60), TOTAL_TIMEOUT (1800),
# RATCHET_LOG_DIR (kept logs; default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
mode="${1:-check}"; shift || true
suite="$root/../shared/tools/redis-suite.sh"
baseline="$root/conformance/baseline.tsv"
known="$root/conformance/known-failures.tsv"
export TEST_TIMEOUT="${TEST_TIMEOUT:-60}"
total_timeout="${TOTAL_TIMEOUT:-1800}"
logroot="${RATCHET_LOG_DIR:-$(mktemp -d /tmp/cinnabar-ratchet.XXXXXX)}"
mkdir -p "$logroot"
port="${SUITE_PORT:-$((21379 + RANDOM % 500))}"

units=("$@")
if [ ${#units[@]} -eq 0 ]; then
    while read -r u _; do case "$u" in ''|\#*) ;; *) units+=("$u") ;; esac; done < <("$suite" --list)
fi

[ -f server/target/cinnabar-server.jar ] || ./mvnw -B -q -DskipTests -pl server -am package

pid=""
start_server() {
    # Each unit's server gets an empty data directory: the suite's SAVE, BGSAVE and AOF tests
    # write files, which must neither land in the checkout nor be loaded by the next unit.
    local datadir
    datadir="$(mktemp -d "$logroot/data.XXXXXX")"
    bin/cinnabar-server --port "$port" --bind 127.0.0.1 --protected-mode no --save '' --appendonly no \
        --dir "$datadir" --enable-debug-command yes --enable-protected-configs yes --enable-module-command yes \
        >> "$logroot/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        if redis_ping; then return 0; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    echo "ratchet: server did not start; log:" >&2; tail -n 30 "$logroot/server.log" >&2; return 1
}
redis_ping() {
    timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"; printf "PING\r\n" >&3; IFS= read -r -t 2 l <&3; [[ "$l" == +PONG* ]]' "$port" 2>/dev/null
}
stop_server() {
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
}
trap stop_server EXIT

run_unit() { # unit logdir
    LOG_DIR="$2" UNIT_TIMEOUT=$(( deadline - $(date +%s) < 600 ? deadline - $(date +%s) : 600 )) \
        "$suite" 127.0.0.1 "$port" "$1" > "$2.out" 2>&1 || true
}
passed_in() { awk -F'\t' '{print $3; exit}' "$1/results.tsv" 2>/dev/null | grep . || echo 0; }
baseline_of() { local b; b=$(awk -F'\t' -v u="$1" '$1 == u {print $2}' "$baseline" 2>/dev/null); echo "${b:-0}"; }

results="$logroot/results.tsv"; : > "$results"
failed="$logroot/failed.txt"; : > "$failed"
deadline=$(( $(date +%s) + total_timeout ))
for u in "${units[@]}"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        printf '%s\tNOTRUN\t0\t0\t0\t-\t0\t0\n' "$u" >> "$results"; continue
    fi
    # A fresh server per unit: units leave config changes behind (each suite invocation can
    # only restore what it saw at its own start), and one unit's crash must not cost the next.
    if [ -n "$pid" ] && ! redis_ping; then
        echo "ratchet: server went down during the previous unit (see $logroot/server.log)" >&2
    fi
    stop_server; start_server
    d="$logroot/$(echo "$u" | tr / _)"
    run_unit "$u" "$d"
    # A unit below its baseline gets one more try on a fresh server: timing-sensitive upstream
    # tests can fail on a loaded machine, and a real regression fails twice.
    if [ "$mode" = "check" ] && [ "$(passed_in "$d")" -lt "$(baseline_of "$u")" ]; then
        echo "ratchet: $u below baseline ($(passed_in "$d") < $(baseline_of "$u")); retrying once on a fresh server" >&2
        stop_server; start_server
        d="$d.retry"
        run_unit "$u" "$d"
    fi
    cat "$d/results.tsv" >> "$results" 2>/dev/null || printf '%s\tABORTED\t0\t0\t0\t-\t0\t0\n' "$u" >> "$results"
    cat "$d/failed.txt" >> "$failed" 2>/dev/null || true
    tail -n 1 "$d/results.tsv" 2>/dev/null | awk -F'\t' '{printf "%-26s %-9s passed=%s failed=%s\n", $1, $2, $3, $4}'
done
stop_server

status=0
total=0
while IFS=$'\t' read -r u st p f _; do
    total=$((total + p))
    b=$(awk -F'\t' -v u="$u" '$1 == u {print $2}' "$baseline" 2>/dev/null)
    b="${b:-0}"
    if [ "$p" -lt "$b" ]; then
        echo "RATCHET FAIL: $u passed $p < baseline $b" >&2; status=1
    elif [ "$p" -gt "$b" ]; then
        echo "ratchet: $u passed $p > baseline $b (run 'conformance/ratchet.sh update' and commit)" >&2
    fi
done < "$results"

# Failures nobody has explained yet (informational: the counts are the gate).
while IFS=$'\t' read -r u t; do
    name="${t% in tests/*}"
    if ! grep -qF "$u"$'\t'"$name"$'\t' "$known" 2>/dev/null; then
        echo "ratchet: unlisted failure: $u: $name" >&2
    fi
done < "$failed"

if [ "$mode" = "update" ]; then
    tmp="$(mktemp)"
    { echo -e "# unit\tpassed  (upstream Redis 7.2.6 suite, default profile; raise only, never lower)"
      awk -F'\t' 'FNR==NR { if ($1 !~ /^#/) b[$1]=$2; next } { p=$3; if (($1 in b) && b[$1] > p) p=b[$1]; n[$1]=p }
                  END { for (u in b) if (!(u in n)) n[u]=b[u]; for (u in n) printf "%s\t%d\n", u, n[u] }' \
          "$baseline" "$results" | sort; } > "$tmp" 2>/dev/null || true
    [ -f "$baseline" ] || : > "$baseline"
    mv "$tmp" "$baseline"
    echo "ratchet: baseline updated ($baseline)" >&2
    status=0
fi
echo "ratchet: $total passed in ${#units[@]} units; logs in $logroot"
[ "$mode" = "run" ] && exit 0
exit $status
