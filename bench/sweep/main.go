// Command sweep times one devices.Sweep for bench/sweep/run.sh: it sweeps
// the targets, writes the addresses it found (one per line, "ADDR" or
// "ADDR v3" for SNMPv3 agents that need credentials) to -out, and prints
// one summary line: wall time, packets sent, packets/s, replies, found.
// It refuses targets outside 127.0.0.0/8.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
)

func main() {
	var (
		targets   = flag.String("targets", "127.0.0.0/16", "addresses to sweep (loopback only)")
		port      = flag.Int("port", 161, "UDP port")
		rate      = flag.Int("rate", devices.DefaultRate, "packets per second")
		timeout   = flag.Duration("timeout", devices.DefaultTimeout, "wait per attempt")
		retries   = flag.Int("retries", 1, "second passes for non-responders")
		community = flag.String("community", "public", "communities, comma-separated")
		versions  = flag.String("versions", "", "SNMP versions to probe, comma-separated (empty: all)")
		out       = flag.String("out", "", "file for the found addresses")
		debug     = flag.Bool("debug", false, "debug logs on stderr")
		cpuprof   = flag.String("cpuprofile", "", "write a CPU profile here")
	)
	flag.Parse()
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sweep:", err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*targets, *port, *rate, *timeout, *retries, *community, *versions, *out, *debug); err != nil {
		fmt.Fprintln(os.Stderr, "sweep:", err)
		os.Exit(1)
	}
}

func run(spec string, port, rate int, timeout time.Duration, retries int, community, versions, out string, debug bool) error {
	tg, err := devices.ParseTargets(strings.Fields(spec))
	if err != nil {
		return err
	}
	// Targets are sorted, so the first and last address bound them all.
	lo := netip.MustParsePrefix("127.0.0.0/8")
	first, _ := tg.At(0)
	last, _ := tg.At(tg.Count() - 1)
	if !lo.Contains(first) || !lo.Contains(last) {
		return fmt.Errorf("%s has addresses outside 127.0.0.0/8: this benchmark sweeps loopback only", tg)
	}
	level := slog.LevelWarn
	if debug {
		level = slog.LevelDebug
	}
	var vs []string
	if versions != "" {
		vs = strings.Split(versions, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	res, err := devices.Sweep(ctx, devices.SweepOptions{
		Targets:     tg,
		AllowLarge:  true,
		Port:        port,
		Rate:        rate,
		Timeout:     timeout,
		Retries:     retries,
		Communities: strings.Split(community, ","),
		Versions:    vs,
		AllSNMP:     true,
		Logger:      slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	})
	wall := time.Since(start)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, d := range res.Devices {
		if d.CredentialsNeeded {
			fmt.Fprintf(&b, "%s v3\n", d.IP)
		} else {
			fmt.Fprintf(&b, "%s\n", d.IP)
		}
	}
	if out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	st := res.Stats
	fmt.Printf("wall=%.3f packets=%d pps=%.0f replies=%d dropped=%d send_errors=%d found=%d v3_only=%d passes=%d\n",
		wall.Seconds(), st.PacketsSent, float64(st.PacketsSent)/wall.Seconds(), st.Replies, st.Dropped, st.SendErrors, len(res.Devices), st.V3Only, st.Passes)
	return nil
}
