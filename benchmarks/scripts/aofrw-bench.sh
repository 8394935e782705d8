#!/usr/bin/env bash
# Measures one BGREWRITEAOF of the server on PORT (already loaded, appendonly yes): wall time
# until aof_rewrite_in_progress is 0, and used_memory, RSS and PSS of the server plus any child
# (Redis forks one; PSS counts pages shared with the child once) before and at their peak
# during the rewrite, sampled every 50 ms.
# usage: aofrw-bench.sh PORT
port=$1
cli="redis-cli -p $port"
pid=$($cli info server | awk -F: '/^process_id/{print $2}' | tr -d '\r')
sum() { local t=0; for p in $pid $(pgrep -P $pid); do r=$(awk -v k="$1" '$1==k":"{print $2}' /proc/$p/smaps_rollup 2>/dev/null); t=$((t + ${r:-0})); done; echo $t; }
um() { $cli info memory | awk -F: '/^used_memory:/{print $2}' | tr -d '\r'; }
inprog() { $cli info persistence | awk -F: '/^aof_rewrite_in_progress/{print $2}' | tr -d '\r'; }
echo "keys=$($cli dbsize) used_memory_before=$(um) rss_kb_before=$(sum Rss) pss_kb_before=$(sum Pss)"
maxrss=0; maxpss=0; maxum=0; n=0
start=$(date +%s%N)
$cli bgrewriteaof >/dev/null
while :; do
  r=$(sum Rss); [ $r -gt $maxrss ] && maxrss=$r
  p=$(sum Pss); [ $p -gt $maxpss ] && maxpss=$p
  u=$(um); [ $u -gt $maxum ] && maxum=$u
  n=$((n+1))
  [ "$(inprog)" = "0" ] && break
  sleep 0.05
done
end=$(date +%s%N)
echo "aofrw_wall_ms=$(( (end-start)/1000000 )) max_rss_kb_during=$maxrss max_pss_kb_during=$maxpss max_used_memory_during=$maxum samples=$n"
$cli info persistence | grep -E "aof_last_bgrewrite_status|aof_last_cow_size|aof_last_rewrite_time_sec|aof_base_size"
