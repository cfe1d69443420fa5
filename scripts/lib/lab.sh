# shellcheck shell=bash
# scripts/lib/lab.sh — shared functions for the namespace capture labs.
# Source it from a bash script (set -euo pipefail) after setting:
#
#   LAB_TOOL        the script's name, for messages ("make-tftp-captures")
#   LAB_NAMESPACES  array of the namespaces the lab creates (deleted on exit)
#   STAGE           a private staging directory (removed on exit unless
#                   LAB_KEEP=1); CMDLOG is $STAGE/commands.txt
#
# then call lab_traps.  It gives the conventions of scripts/make-captures:
# every command that touches the lab is logged to commands.txt
# ("[namespace] command" for commands run inside a namespace), background
# programs are started and stopped by pid only, and the namespaces are deleted
# on any exit (also on failure, SIGINT, SIGTERM from timeout(1)).
#
# Used by scripts/make-tftp-captures and scripts/make-dhcp-captures.
# (scripts/make-captures predates this file and still has its own copy.)

CMDLOG=$STAGE/commands.txt
BG_PIDS=()
SEQ=0

die() { echo "$LAB_TOOL: $*" >&2; exit 1; }

lab_cleanup() {
  local rc=$? pid ns
  set +e
  trap - EXIT INT TERM
  for pid in "${BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  for ns in "${LAB_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  if [[ ${LAB_KEEP:-0} == 1 ]]; then echo "$LAB_TOOL: staging kept in $STAGE" >&2; else rm -rf "$STAGE"; fi
  [[ $rc -eq 0 ]] || echo "$LAB_TOOL: FAILED (exit $rc); the committed captures are left unchanged" >&2
  exit "$rc"
}

lab_traps() {
  trap lab_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

forget_pid() { # drop a reaped pid from BG_PIDS
  local p keep=()
  for p in "${BG_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  BG_PIDS=("${keep[@]}")
}

note() { printf '%s\n' "$*" >>"$CMDLOG"; }
section() { printf '\n# %s\n' "$*" >>"$CMDLOG"; echo "== $*" >&2; }

# q ARGS...: the arguments quoted for a shell, on one line
q() { local a out=(); for a in "$@"; do out+=("$(printf '%q' "$a")"); done; printf '%s' "${out[*]}"; }
# run NS CMD...: run inside a namespace and log it
run() { local ns=$1; shift; note "[$ns] $(q "$@")"; ip netns exec "$ns" "$@"; }
# host CMD...: run a command outside the namespaces (no network) and log it
host() { note "$(q "$@")"; "$@"; }

# start_bg VAR REGEX NS CMD...: start CMD in NS in the background, wait (max
# 5 s) until its output matches REGEX (empty REGEX: do not wait), store its
# pid in VAR and the name of its output file in VAR_LOG.
start_bg() {
  local var=$1 regex=$2 ns=$3; shift 3
  SEQ=$((SEQ + 1))
  local log=$STAGE/bg-$SEQ.log i pid
  note "[$ns] $(q "$@") &"
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  pid=$!
  BG_PIDS+=("$pid")
  if [[ -n $regex ]]; then
    for ((i = 0; i < 100; i++)); do
      grep -qsE "$regex" "$log" && break
      kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "background command failed: $*"; }
      sleep 0.05
    done
    grep -qE "$regex" "$log" || { cat "$log" >&2; die "not ready after 5 s: $*"; }
  fi
  printf -v "$var" '%s' "$pid"
  printf -v "${var}_LOG" '%s' "$log"
}

# stop_bg PID LOG [SIGNAL]: stop a background command, check its exit status
stop_bg() {
  local pid=$1 log=$2 sig=${3:-INT} rc=0
  kill -"$sig" "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  forget_pid "$pid"
  if [[ $rc -ne 0 ]]; then cat "$log" >&2; die "background command exited with $rc"; fi
}

# kill_bg PID [SIGNAL]: end a background program that does not stop by itself
# (any exit status)
kill_bg() {
  kill -"${2:-TERM}" "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget_pid "$1"
}

# wait_bg PID LOG [WANT-STATUS]: wait for a background command that ends by
# itself; its exit status must be WANT-STATUS (default 0)
wait_bg() {
  local pid=$1 log=$2 want=${3:-0} rc=0
  wait "$pid" || rc=$?
  forget_pid "$pid"
  if [[ $rc -ne $want ]]; then cat "$log" >&2; die "background command exited with $rc, expected $want"; fi
}

# wait_udp_listen NS PORT: wait (max 5 s) until something listens on UDP PORT in NS
wait_udp_listen() {
  local ns=$1 port=$2 i
  for ((i = 0; i < 100; i++)); do
    [[ -n $(ip netns exec "$ns" ss -Hlun "sport = :$port") ]] && return 0
    sleep 0.05
  done
  die "nothing listens on UDP port $port in $ns"
}

# Captures.  -Z root: Debian's tcpdump otherwise drops to user "tcpdump",
# which cannot write into the private staging directory.
#   tcpdump_start VAR NS ARGS...  --immediate-mode: every packet is delivered
#                                 at once, so stopping right after the traffic
#                                 loses nothing (fine for small captures).
#   tcpdump_start_bulk VAR NS ARGS... for >100 000 packets a second: immediate
#                                 mode cannot keep up and the kernel drops
#                                 packets; buffered mode (TPACKET_V3 blocks)
#                                 with a 64 MiB buffer does.  The last block
#                                 is handed over after the 1 s block timeout,
#                                 so capture_stop waits 2 s.
#   capture_stop VAR              stop it (SIGINT) and check that tcpdump
#                                 reports no packet dropped by the kernel and
#                                 as many captured as received by the filter.
CAP_READY='listening on|Capturing on'
tcpdump_start() {
  local var=$1 ns=$2; shift 2
  start_bg "$var" "$CAP_READY" "$ns" tcpdump -Z root --immediate-mode "$@"
  printf -v "${var}_WAIT" '%s' 0.3
}
tcpdump_start_bulk() {
  local var=$1 ns=$2; shift 2
  start_bg "$var" "$CAP_READY" "$ns" tcpdump -Z root -B 65536 "$@"
  printf -v "${var}_WAIT" '%s' 2
}
capture_stop() {
  local var=$1 log_var="${1}_LOG" wait_var="${1}_WAIT" got recv drop
  sleep "${!wait_var}"
  stop_bg "${!var}" "${!log_var}" INT
  got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "${!log_var}")
  recv=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "${!log_var}")
  drop=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "${!log_var}")
  [[ -n $got && $got == "$recv" && $drop == 0 ]] || { cat "${!log_var}" >&2; die "capture lost packets"; }
}

# veth NS1 DEV1 MAC1 NS2 DEV2 MAC2: a veth pair between two namespaces, up,
# checksum offload off (else captured UDP checksums are left partial and wrong)
veth() {
  run "$1" ip link add "$2" address "$3" type veth peer name "$5" address "$6" netns "$4"
  run "$1" ethtool -K "$2" tx off rx off >/dev/null
  run "$4" ethtool -K "$5" tx off rx off >/dev/null
  run "$1" ip link set "$2" up
  run "$4" ip link set "$5" up
}

# netns_fresh NS...: (re)create empty namespaces with lo up and IPv6 off, so
# that captures hold no IPv6 chatter
netns_fresh() {
  local ns
  for ns in "$@"; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    note "ip netns add $ns"
    run "$ns" ip link set lo up
    run "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
  done
}
