#!/usr/bin/env bash
# Measures one BGSAVE of the server on PORT (already loaded): wall time until
# rdb_bgsave_in_progress is 0, the peak PSS of the server plus any child (Redis forks one;
# PSS counts pages shared with the child once), peak used_memory, and PING round trips
# (redis-cli runs, so process start-up included) while it runs.
# usage: bgsave-bench.sh PORT  (server already loaded)
port=$1
cli="redis-cli -p $port"
pid=$($cli info server | awk -F: '/^process_id/{print $2}' | tr -d '\r')
rss() { local t=0; for p in $pid $(pgrep -P $pid); do r=$(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup 2>/dev/null); t=$((t + ${r:-0})); done; echo $t; }
um() { $cli info memory | awk -F: '/^used_memory:/{print $2}' | tr -d '\r'; }
echo "keys=$($cli dbsize) used_memory_before=$(um) pss_kb_before=$(rss)"
maxrss=0; maxum=0; maxping=0; n=0
start=$(date +%s%N)
$cli bgsave >/dev/null
while :; do
  r=$(rss); [ $r -gt $maxrss ] && maxrss=$r
  u=$(um); [ $u -gt $maxum ] && maxum=$u
  t0=$(date +%s%N); $cli ping >/dev/null; t1=$(date +%s%N); pm=$(( (t1-t0)/1000 )); [ $pm -gt $maxping ] && maxping=$pm; n=$((n+1))
  [ "$($cli info persistence | awk -F: '/^rdb_bgsave_in_progress/{print $2}' | tr -d '\r')" = "0" ] && break
  sleep 0.05
done
end=$(date +%s%N)
echo "bgsave_wall_ms=$(( (end-start)/1000000 )) max_pss_kb_during=$maxrss max_used_memory_during=$maxum samples=$n max_ping_us=$maxping"
$cli info persistence | grep -E "rdb_last_bgsave_status|rdb_last_cow_size|rdb_last_bgsave_time_sec"
