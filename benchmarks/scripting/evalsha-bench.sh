#!/usr/bin/env bash
# EVALSHA benchmark of ratelimiter.lua (2 keys) on two servers, interleaved: per pipeline depth
# one unrecorded warm-up run each, then ROUNDS rounds where A and B run back to back (A first in
# odd rounds, B first in even ones). Prints rps and p50 per run and the A/B ratio per round.
#
#   benchmarks/scripting/evalsha-bench.sh PORT_A LABEL_A PORT_B LABEL_B [ROUNDS]
set -u
A=$1; LA=$2; B=$3; LB=$4; R=${5:-5}
SCRIPT=$(cat "$(dirname "$0")/ratelimiter.lua")
for p in $A $B; do
    redis-cli -p "$p" flushall >/dev/null
    SHA=$(redis-cli -p "$p" script load "$SCRIPT")
done
run() { # port requests pipeline -> "rps p50"
    redis-benchmark -p "$1" -c 50 -n "$2" -P "$3" -q EVALSHA "$SHA" 2 k1 k2 10 100 1700000000 1 2>/dev/null \
        | tr '\r' '\n' | tail -1 | sed 's/.*: \([0-9.]*\) requests per second, p50=\([0-9.]*\) msec/\1 \2/'
}
for P in 1 16; do
    N=$([ "$P" = 1 ] && echo 100000 || echo 400000)
    run "$A" $((N / 5)) "$P" >/dev/null
    run "$B" $((N / 5)) "$P" >/dev/null
    for i in $(seq 1 "$R"); do
        if [ $((i % 2)) = 1 ]; then ra=$(run "$A" "$N" "$P"); rb=$(run "$B" "$N" "$P");
        else rb=$(run "$B" "$N" "$P"); ra=$(run "$A" "$N" "$P"); fi
        echo "P$P round $i $LA ${ra% *} p50=${ra#* } $LB ${rb% *} p50=${rb#* } A/B $(echo "${ra% *} / ${rb% *}" | bc -l | cut -c1-5)"
    done
done
