#!/usr/bin/env bash
# Provisioning benchmark: 48 simulated Xerox web admins (ConnectKey,
# VersaLink, Fuji-Xerox-made; mfpsim's devices in-process of a separate
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
#
# Everything stays on loopback: devices on 127.0.70.1-54, Gmail stand-in
# on 127.0.72.250. Needs: go, chromium, root.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
LEVELS=${LEVELS:-1,2,4,8}
bin=$(mktemp -d)/bench-rollout
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./bench/rollout
extra=()
if [ "${SITE_ISOLATION:-0}" = 1 ]; then extra+=(-site-isolation); fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), $(chromium --version 2>/dev/null || echo 'chromium ?')"
"$bin" -parallel "$LEVELS" -runs "$RUNS" "${extra[@]}" "$@"
