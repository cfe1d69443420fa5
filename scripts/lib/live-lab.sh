# shellcheck shell=bash
# scripts/lib/live-lab.sh — the lab `sosdump live` is tested and measured in:
# a PC and a phone, each in its own network namespace, on a veth pair.
#
#   namespace sos-lv-$LAB_ID-pc     lvpc0  02:00:00:00:01:01  192.0.2.1/24, 192.0.2.254/24 (the phone's gateway,
#                                                              left out with LIVE_NO_GATEWAY=1)
#   namespace sos-lv-$LAB_ID-ph     lvph0  00:02:fd:5a:00:01  192.0.2.2/24, default via 192.0.2.254
#
# IPv6 off (no router or neighbour chatter), checksum offload off on both
# ends (else captured UDP checksums are left unfinished), and in the phone's
# namespace the nftables rules of scripts/make-sos-captures: the recovery
# program has no IGMP and sends no ICMP unreachables, its kernel must not
# either. Addresses are documentation ranges; nothing leaves the namespaces.
#
# Source it from a bash script (set -euo pipefail) that sets LAB_TOOL (its
# name, for messages) and STAGE (a private directory), then call
# live_lab_traps and live_lab_up. Background programs are started with
# live_bg and ended by pid; the namespaces are deleted on any exit.

LIVE_PC_MAC=02:00:00:00:01:01
LIVE_PH_MAC=00:02:fd:5a:00:01
LIVE_PC4=192.0.2.1
LIVE_PH4=192.0.2.2
LIVE_GW4=192.0.2.254
LAB_ID=${LAB_ID:-$$}
LIVE_PC=sos-lv-$LAB_ID-pc
LIVE_PH=sos-lv-$LAB_ID-ph
LIVE_BG_PIDS=()

die() { echo "$LAB_TOOL: $*" >&2; exit 1; }

live_lab_cleanup() {
  local rc=$? pid
  set +e
  trap - EXIT INT TERM
  for pid in "${LIVE_BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${LIVE_BG_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  ip netns del "$LIVE_PC" 2>/dev/null
  ip netns del "$LIVE_PH" 2>/dev/null
  [[ $rc -eq 0 ]] || echo "$LAB_TOOL: FAILED (exit $rc)" >&2
  exit "$rc"
}

live_lab_traps() {
  trap live_lab_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# live_lab_require TOOL...: fail with a clear message when a tool is missing
live_lab_require() {
  local tool
  [[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, packet capture)"
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "missing $tool (scripts/install-deps installs it)"
  done
}

live_lab_up() {
  local ns
  for ns in "$LIVE_PC" "$LIVE_PH"; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
  done
  ip -n "$LIVE_PC" link add lvpc0 address "$LIVE_PC_MAC" type veth peer name lvph0 address "$LIVE_PH_MAC" netns "$LIVE_PH"
  ip netns exec "$LIVE_PC" ethtool -K lvpc0 tx off rx off >/dev/null
  ip netns exec "$LIVE_PH" ethtool -K lvph0 tx off rx off >/dev/null
  ip -n "$LIVE_PC" link set lvpc0 up
  ip -n "$LIVE_PH" link set lvph0 up
  ip -n "$LIVE_PC" addr add "$LIVE_PC4/24" dev lvpc0
  # LIVE_NO_GATEWAY=1: the phone's gateway address is nowhere (NO_GATEWAY).
  [[ ${LIVE_NO_GATEWAY:-0} == 1 ]] || ip -n "$LIVE_PC" addr add "$LIVE_GW4/24" dev lvpc0
  ip -n "$LIVE_PH" addr add "$LIVE_PH4/24" dev lvph0
  ip -n "$LIVE_PH" route add default via "$LIVE_GW4"
  ip netns exec "$LIVE_PH" nft -f - <<'EOF'
table ip loader {
  chain out {
    type filter hook output priority 0; policy accept;
    ip protocol igmp drop
    icmp type destination-unreachable drop
  }
}
EOF
}

# live_bg VAR LOG NS CMD...: start CMD in NS in the background, output to LOG; its pid in VAR
live_bg() {
  local var=$1 log=$2 ns=$3; shift 3
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  LIVE_BG_PIDS+=("$!")
  printf -v "$var" '%s' "$!"
}

# live_wait_log LOG REGEX SECONDS [PID]: wait until LOG matches REGEX (and PID is alive)
live_wait_log() {
  local log=$1 regex=$2 seconds=$3 pid=${4:-} i
  for ((i = 0; i < seconds * 20; i++)); do
    grep -qsE "$regex" "$log" && return 0
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; die "exited before \"$regex\" ($log)"; fi
    sleep 0.05
  done
  cat "$log" >&2
  die "no \"$regex\" in $log after $seconds s"
}

# live_wait PID [WANT]: wait for a background program that ends by itself; its status must be WANT (0)
live_wait() {
  local pid=$1 want=${2:-0} rc=0 p keep=()
  wait "$pid" || rc=$?
  for p in "${LIVE_BG_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  LIVE_BG_PIDS=("${keep[@]}")
  [[ $rc -eq $want ]] || die "pid $pid exited with $rc, expected $want"
}

# live_stop PID [SIGNAL]: end a background program (any status)
live_stop() {
  local pid=$1 p keep=()
  kill -"${2:-TERM}" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${LIVE_BG_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  LIVE_BG_PIDS=("${keep[@]}")
}
