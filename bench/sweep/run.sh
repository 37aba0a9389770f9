#!/usr/bin/env bash
# Sweep benchmark: mfpfleet's SNMP sweep engine (devices.Sweep) against
# Debian's onesixtyone over 127.0.0.0/16, with 20 simulated printers
# (mfpsim) spread over the range plus 2 SNMPv3-only agents, all on UDP
# port 161. Every packet stays on loopback: the targets are fixed to
# 127.0.0.0/16 and the sweep program refuses anything outside 127/8.
#
#   sudo bench/sweep/run.sh            # from the repository root, as root (port 161)
#   RUNS=3 PORT=1161 bench/sweep/run.sh   # without root: agents on port 1161
#
# Environment: RUNS (default 5) runs per configuration; PORT (161);
# RATE (1000000 packets/s: as fast as the machine sends; the CLI default
# is 2000); EXTRA_RATES (e.g. "20000 100000") adds runs of the full sweep
# at those rates. Needs: go, onesixtyone.
set -euo pipefail

RUNS=${RUNS:-5}
PORT=${PORT:-161}
RATE=${RATE:-1000000}
EXTRA_RATES=${EXTRA_RATES:-}
RANGE=127.0.0.0/16 # never change this to anything outside 127.0.0.0/8

cd "$(dirname "$0")/../.."
command -v onesixtyone >/dev/null || { echo "run.sh: onesixtyone is missing: apt-get install onesixtyone" >&2; exit 1; }
if [ "$PORT" -lt 1024 ] && [ "$(id -u)" != 0 ]; then
	echo "run.sh: port $PORT needs root; run with sudo or PORT=1161" >&2
	exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "building mfpsim and the sweep program..." >&2
go build -o "$work/mfpsim" ./cmd/mfpsim
go build -o "$work/sweep" ./bench/sweep

# base, count, vendors, v3-only: 5 groups of 4 printers over the /16 (the
# last group ends at 127.0.255.253), and 2 SNMPv3-only agents.
groups=(
	"127.0.3.7 4 xerox 0"
	"127.0.61.200 4 hp,canon 0"
	"127.0.128.1 4 ricoh,kyocera 0"
	"127.0.190.33 4 brother,lexmark 0"
	"127.0.255.250 4 konica-minolta,epson 0"
	"127.0.77.77 2 xerox 2"
)
: >"$work/expected"
: >"$work/expected-v3"
for g in "${groups[@]}"; do
	set -- $g
	out="$work/sim-$1.out"
	(exec "$work/mfpsim" --base "$1" --count "$2" --vendors "$3" --v3-only "$4" --snmp-port "$PORT" \
		--https-port 0 --http-port 0 >"$out" 2>&1) &
	pids+=($!)
	for _ in $(seq 600); do grep -q "mfpsim: ready" "$out" && break; sleep 0.1; done
	grep -q "mfpsim: ready" "$out" || { cat "$out" >&2; echo "run.sh: mfpsim did not start" >&2; exit 1; }
	if [ "$4" = 0 ]; then
		awk -F'\t' '/^127\./ {split($1, a, ":"); print a[1]}' "$out" >>"$work/expected"
	else
		awk -F'\t' '/^127\./ {split($1, a, ":"); print a[1]}' "$out" >>"$work/expected-v3"
	fi
done
sort -o "$work/expected" "$work/expected"
sort -o "$work/expected-v3" "$work/expected-v3"
nexp=$(wc -l <"$work/expected")
nv3=$(wc -l <"$work/expected-v3")
echo "agents: $nexp answering community public, $nv3 SNMPv3-only; sweeping $RANGE ($RUNS runs each)" >&2

now() { date +%s.%N; }

# measure RUN NAME PACKETS CMD...: runs the command once and appends
# "name run wall packets found v3found extra" to $results. PACKETS is a
# number, or from-output to read packets=N from the command's output. The
# command writes the addresses it found (one per line, "ADDR v3" for
# SNMPv3 agents needing credentials) to $work/found.
results="$work/results"
: >"$results"
measure() {
	local i=$1 name=$2 packets=$3
	shift 3
	: >"$work/found"
	local t0 t1 wall pk found v3 extra
	t0=$(now)
	"$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
	t1=$(now)
	wall=$(echo "$t1 - $t0" | bc -l)
	if [ "$packets" = from-output ]; then
		pk=$(grep -o 'packets=[0-9]*' "$work/out" | cut -d= -f2)
	else
		pk=$packets
	fi
	awk '$2 != "v3" {print $1}' "$work/found" | sort -u >"$work/found-c"
	awk '$2 == "v3" {print $1}' "$work/found" | sort -u >"$work/found-v3"
	found=$(comm -12 "$work/expected" "$work/found-c" | wc -l)
	v3=$(comm -12 "$work/expected-v3" "$work/found-v3" | wc -l)
	extra=$(cat "$work/expected" "$work/expected-v3" | sort | comm -13 - <(sort -u "$work/found-c" "$work/found-v3") | wc -l)
	printf '%s\t%s\t%.3f\t%s\t%s\t%s\t%s\n' "$name" "$i" "$wall" "$pk" "$found" "$v3" "$extra" >>"$results"
	printf '  %-44s run %s: %6.3f s, %7s packets, found %s/%s, v3-only %s/%s, unexpected %s\n' "$name" "$i" "$wall" "$pk" "$found" "$nexp" "$v3" "$nv3" "$extra" >&2
}

onesixtyone_found() {
	onesixtyone -w 0 -p "$PORT" "$RANGE" public | awk '$1 ~ /^127\./ {print $1}' >"$work/found"
}
mfpfleet() {
	"$work/sweep" -targets "$RANGE" -port "$PORT" -out "$work/found" "$@"
}

# Runs are interleaved so that both tools see the same machine load.
for i in $(seq "$RUNS"); do
	measure "$i" "onesixtyone -w 0 (v1, 1 pass)" 65536 onesixtyone_found
	measure "$i" "mfpfleet (v2c+v1+v3, 2 passes) rate $RATE" from-output mfpfleet -rate "$RATE"
	measure "$i" "mfpfleet (v1 only, 1 pass) rate $RATE" from-output mfpfleet -rate "$RATE" -versions 1 -retries 0
	for r in $EXTRA_RATES; do
		measure "$i" "mfpfleet (v2c+v1+v3, 2 passes) rate $r" from-output mfpfleet -rate "$r"
	done
done

echo
printf '%-44s %9s %10s %9s %11s %11s %10s\n' configuration "median s" packets "packets/s" found "v3-only" unexpected
cut -f1 "$results" | awk '!seen[$0]++' | while IFS= read -r name; do
	grep -F "$name	" "$results" | sort -t$'\t' -k3,3n >"$work/r"
	n=$(wc -l <"$work/r")
	mid=$(((n + 1) / 2))
	line=$(sed -n "${mid}p" "$work/r")
	wall=$(echo "$line" | cut -f3)
	pk=$(echo "$line" | cut -f4)
	minfound=$(cut -f5 "$work/r" | sort -n | head -1)
	minv3=$(cut -f6 "$work/r" | sort -n | head -1)
	maxextra=$(cut -f7 "$work/r" | sort -n | tail -1)
	pps=$(echo "$pk / $wall" | bc -l)
	printf '%-44s %9.3f %10s %9.0f %11s %11s %10s\n' "$name" "$wall" "$pk" "$pps" "$minfound/$nexp" "$minv3/$nv3" "$maxextra"
done
echo "(found and v3-only: the worst of $RUNS runs; unexpected: agents found that this script did not start)"
