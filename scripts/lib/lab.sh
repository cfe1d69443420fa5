# scripts/lib/lab.sh — shell functions for the capture labs (sourced, not run).
#
# Used by scripts/make-dhcp-captures. The caller sets, before sourcing:
#   LAB_NAME   the script's name, for messages
#   STAGE      a private staging directory (background logs go there)
#   CMDLOG     the commands.txt being written
# and keeps BG_PIDS (an array, declared here) for its cleanup trap.
#
# Every command that touches a namespace or makes a file is written to
# CMDLOG as it runs: "[ns] command" for commands run inside namespace ns.

BG_PIDS=()
SEQ=0

die() { echo "$LAB_NAME: $*" >&2; exit 1; }

note() { printf '%s\n' "$*" >>"$CMDLOG"; }
section() { printf '\n# %s\n' "$*" >>"$CMDLOG"; echo "== $*" >&2; }

# q ARGS...: the arguments quoted for a shell, on one line
q() { local a out=(); for a in "$@"; do out+=("$(printf '%q' "$a")"); done; printf '%s' "${out[*]}"; }
# run NS CMD...: run inside a namespace and log it
run() { local ns=$1; shift; note "[$ns] $(q "$@")"; ip netns exec "$ns" "$@"; }
# host CMD...: run a command outside any namespace (no network) and log it
host() { note "$(q "$@")"; "$@"; }

forget_pid() { # drop a reaped pid from BG_PIDS
  local p keep=()
  for p in "${BG_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  BG_PIDS=("${keep[@]}")
}

# start_bg VAR REGEX NS CMD...: start CMD in NS in the background, wait (max 5 s)
# until its output matches REGEX, store its pid in VAR and its log in VAR_LOG.
start_bg() {
  local var=$1 regex=$2 ns=$3; shift 3
  SEQ=$((SEQ + 1))
  local log=$STAGE/bg-$SEQ.log i pid
  note "[$ns] $(q "$@") &"
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  pid=$!
  BG_PIDS+=("$pid")
  for ((i = 0; i < 100; i++)); do
    grep -qsE "$regex" "$log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "background command failed: $*"; }
    sleep 0.05
  done
  grep -qE "$regex" "$log" || { cat "$log" >&2; die "not ready after 5 s: $*"; }
  printf -v "$var" '%s' "$pid"
  printf -v "${var}_LOG" '%s' "$log"
}

# stop_bg PID LOG [SIGNAL]: stop a background command and check its exit status
stop_bg() {
  local pid=$1 log=$2 sig=${3:-INT} rc=0
  kill -"$sig" "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  forget_pid "$pid"
  if [[ $rc -ne 0 ]]; then cat "$log" >&2; die "background command exited with $rc"; fi
}

# kill_bg PID: end a background server that does not stop by itself (any exit status)
kill_bg() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget_pid "$1"
}

# stop_all_bg: end every background command still running (for cleanup traps)
stop_all_bg() {
  local pid
  for pid in "${BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  BG_PIDS=()
}

# tcpdump_start VAR NS TCPDUMP-ARGS...: capture in the background.
# -Z root: Debian's tcpdump otherwise drops to user "tcpdump", which cannot
# write into the private staging directory. --immediate-mode: nothing is left
# in the TPACKET_V3 buffer when it is stopped right after the traffic.
tcpdump_start() {
  local var=$1 ns=$2; shift 2
  start_bg "$var" 'listening on' "$ns" tcpdump -Z root --immediate-mode "$@"
}

# capture_stop VAR: stop a capture started with tcpdump_start
capture_stop() {
  local var=$1 log_var="${1}_LOG"
  sleep 0.3 # let the last replies arrive
  stop_bg "${!var}" "${!log_var}" INT
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
