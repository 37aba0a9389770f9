#!/usr/bin/env bash
# Provisioning benchmark: the simulated vendors' web admins (a mixed fleet of
# every vendor, or one fleet per vendor with VENDORS; mfpsim's devices in a separate
# simulator process) pushed by rollout.Push with confirmation on (the
# test e-mail must arrive in the local Gmail stand-in's IMAP mailbox), at
# --parallel 1, 2, 4 and 8. Each run uses a fresh inventory (discovered
# over SNMP first, not timed) and its own Chromium. Reported per run and
# as medians: devices per minute (confirmed + written-unconfirmed, the
# Fuji-Xerox-made family has no test action), wall time of the push, and
# the peak memory of the pushing process tree (the push process plus
# Chromium; summed PSS and RSS from /proc every 100 ms).
#
#   sudo bench/rollout/run.sh                  # from the repository root, as root (ports 443, 161)
#   RUNS=1 LEVELS=4 bench/rollout/run.sh       # one quick run at --parallel 4
#   SITE_ISOLATION=1 bench/rollout/run.sh      # with Chromium's site isolation on
#   VENDORS=each RUNS=1 LEVELS=4 DEVICES=16 bench/rollout/run.sh   # one fleet per vendor: devices/min and peak memory per vendor
#   VENDORS=hp,ricoh bench/rollout/run.sh       # only these vendors, one fleet each
#
# Many devices in flight at real device speed (README, "Many devices in
# flight"): 500 devices of the three families, pages ~1 s, saves 2-4 s,
# test e-mails delivered ~8 s later (sim.RealisticLatency):
#
#   LATENCY=realistic DEVICES=500 LEVELS=32,64,auto RUNS=1 bench/rollout/run.sh
#   LATENCY=realistic DEVICES=50,100,200,500 LEVELS=auto RUNS=1 bench/rollout/run.sh   # growth
#   TABS=32 ... bench/rollout/run.sh           # another Chromium per 32 tabs
#
# DEVICES counts devices with a web admin (48 by default); each size gets
# its own simulator process. Everything stays on loopback: devices from
# 127.0.70.1 (up to 127.0.72.x for 500), the Gmail stand-in on
# 127.0.76.250. Needs: go, chromium, root (ports 443 and 161): run it in
# a loopback-only network namespace, e.g.
#   unshare -n sh -c 'ip link set lo up && bench/rollout/run.sh'
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
LEVELS=${LEVELS:-1,2,4,8}
DEVICES=${DEVICES:-48}
LATENCY=${LATENCY:-none}
TABS=${TABS:-0}
POLL=${POLL:-250ms}
bin=$(mktemp -d)/bench-rollout
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./bench/rollout
extra=()
if [ "${SITE_ISOLATION:-0}" = 1 ]; then extra+=(-site-isolation); fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), $(chromium --version 2>/dev/null || echo 'chromium ?')"
VENDORS=${VENDORS:-}
if [ "$VENDORS" = each ]; then
  VENDORS=$(go run ./cmd/mfpsim --help 2>/dev/null | sed -n 's/^ *Vendors: \(.*\)\.$/\1/p' | tr -d ' ')
fi
if [ -z "$VENDORS" ]; then
  # The mixed fleet: every simulated vendor with a web admin, in one run.
  "$bin" -parallel "$LEVELS" -runs "$RUNS" -devices "$DEVICES" -latency "$LATENCY" -tabs-per-browser "$TABS" -confirm-poll "$POLL" "${extra[@]}" "$@"
  exit
fi
for v in ${VENDORS//,/ }; do
  echo; echo "== vendor $v"
  # A vendor whose fleet has failed devices (by design: firmware that
  # cannot reach Gmail, a label password not given) still reports.
  "$bin" -vendor "$v" -parallel "$LEVELS" -runs "$RUNS" -devices "$DEVICES" -latency "$LATENCY" -tabs-per-browser "$TABS" -confirm-poll "$POLL" "${extra[@]}" "$@" || echo "(vendor $v: exit $?)"
done
