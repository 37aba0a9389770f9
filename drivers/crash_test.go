//go:build linux

package drivers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// kernelTrapRE matches the kernel's line for a process that hit an int3
// (Chromium's CHECK failures): "traps: chromium-headle[1234] trap int3 …".
var kernelTrapRE = regexp.MustCompile(`traps: (\S+)\[(\d+)\] trap int3`)

// kernelTraps returns the kernel log's `trap int3` lines, or skips the
// test when the kernel log cannot be read (not root, dmesg_restrict,
// no dmesg).
func kernelTraps(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("dmesg").Output()
	if err != nil {
		t.Skipf("the kernel log cannot be read here (dmesg: %v): cannot look for Chromium's CHECK failures", err)
	}
	var lines []string
	for l := range strings.SplitSeq(string(out), "\n") {
		if kernelTrapRE.MatchString(l) {
			lines = append(lines, l)
		}
	}
	return lines
}

// processWatch collects, until stopped, the ids of the processes of
// browser b (all of Chromium's processes carry its profile directory on
// their command line), so that a kernel-log line can be told to be ours
// on a machine where other Chromiums run too.
type processWatch struct {
	mu   sync.Mutex
	pids map[int]bool
	stop chan struct{}
	done chan struct{}
}

func watchProcesses(b *Browser) *processWatch {
	w := &processWatch{pids: map[int]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	want := []byte("--user-data-dir=" + b.dataDir)
	go func() {
		defer close(w.done)
		for {
			ents, _ := os.ReadDir("/proc")
			for _, e := range ents {
				pid, err := strconv.Atoi(e.Name())
				if err != nil {
					continue
				}
				cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
				if err == nil && bytes.Contains(cmd, want) {
					w.mu.Lock()
					w.pids[pid] = true
					w.mu.Unlock()
				}
			}
			select {
			case <-w.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return w
}

func (w *processWatch) finish() map[int]bool {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pids
}

// TestParallelFramesDoNotCrashChromium is the regression test of issue
// 10's Chromium crashes: eight tabs of one headless shell wait at once
// on pages that never settle (so each draws frame after frame on
// demand), take screenshots and move on, for several rounds. Frames
// requested on two tabs at once used to reach Chromium's GPU process as
// overlapping ones, which it answers by dying with a CHECK failure (a
// `trap int3` in the kernel log) and, after a few of those, the whole
// browser with it. The test fails when Chromium's GPU process died
// (its own output says so), the browser died, or the kernel log shows a
// new trap of one of this browser's processes.
func TestParallelFramesDoNotCrashChromium(t *testing.T) {
	b0 := needBrowser(t)
	if !IsHeadlessShell(b0.Path()) {
		t.Skipf("%s draws frames itself: frames on demand are the headless shell's", b0.Path())
	}
	before := kernelTraps(t)
	ctx := tctx(t, 2*time.Minute)
	b := ownBrowser(t, ctx)
	pw := watchProcesses(b)
	var stopped bool
	stopWatch := func() map[int]bool {
		if stopped {
			return nil
		}
		stopped = true
		return pw.finish()
	}
	defer stopWatch()

	const tabs, rounds = 8, 3
	var wg sync.WaitGroup
	errs := make(chan error, tabs)
	for i := range tabs {
		// A device each, as in a run: the tabs share the browser
		// context and are all under frame control.
		_, addr := serve(t, testIP(), true, http.FileServer(http.Dir("testdata")))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				tab, err := b.Open(ctx, Target{Address: addr})
				if err != nil {
					errs <- fmt.Errorf("tab %d round %d: %w", i, r, err)
					return
				}
				for _, p := range []string{"/animated.html", "/rows.html"} {
					if _, err := tab.Navigate(ctx, p); err != nil {
						errs <- fmt.Errorf("tab %d: load %s: %w", i, p, err)
						tab.Close()
						return
					}
					// A condition that never holds: the tab draws
					// frames until the wait gives up.
					wctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
					err := tab.WaitSettled(wctx, "wait", `window.__never === true`)
					cancel()
					if err == nil || !errors.Is(err, ErrTransient) {
						errs <- fmt.Errorf("tab %d: the wait ended with %v, want a time-out", i, err)
						tab.Close()
						return
					}
					if _, err := tab.MaskedScreenshot(ctx); err != nil {
						errs <- fmt.Errorf("tab %d: screenshot: %w", i, err)
						tab.Close()
						return
					}
				}
				tab.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ce := b.Crashed(); ce != nil {
		t.Fatalf("the browser died: %v", ce)
	}
	if n, why := b.out.gpu(); n > 0 {
		t.Errorf("Chromium's GPU process died %d times during the test: %s", n, why)
	}
	ours := stopWatch()
	seen := map[string]bool{}
	for _, l := range before {
		seen[l] = true
	}
	for _, l := range kernelTraps(t) {
		if seen[l] {
			continue
		}
		m := kernelTrapRE.FindStringSubmatch(l)
		pid, _ := strconv.Atoi(m[2])
		if ours[pid] {
			t.Errorf("a process of this test's Chromium hit a CHECK failure: %s", l)
		} else if strings.HasPrefix(m[1], "chrom") {
			t.Logf("a Chromium that is not this test's hit a CHECK failure (another test on this machine?): %s", l)
		}
	}
	if len(ours) == 0 {
		t.Errorf("no process of the browser was seen: the kernel-log check checked nothing")
	}
}

// TestBrowserCrashRecorded: a browser killed from outside (SIGKILL, and
// SIGTRAP as a CHECK failure raises it) is recorded as crashed with its
// exit status and the end of its output in the artifacts dir; a tab's
// next call says the browser died, not that the device did anything,
// and opening a tab says the same.
func TestBrowserCrashRecorded(t *testing.T) {
	needBrowser(t)
	_, addr := serve(t, testIP(), true, http.FileServer(http.Dir("testdata")))
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTRAP} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx := tctx(t, time.Minute)
			dir := t.TempDir()
			b, err := NewBrowser(ctx, BrowserOptions{Flags: testFlags, Logger: testLogger(), ArtifactsDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			tab, err := b.Open(ctx, Target{Address: addr})
			if err != nil {
				t.Fatal(err)
			}
			defer tab.Close()
			if _, err := tab.Navigate(ctx, "/rows.html"); err != nil {
				t.Fatal(err)
			}
			pid := b.MainPID()
			if pid == 0 {
				t.Fatal("no browser process found")
			}
			if err := syscall.Kill(pid, sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-b.Dead():
			case <-ctx.Done():
				t.Fatal("the browser's death was not noticed")
			}
			var ce *CrashError
			if !errors.As(b.Crashed(), &ce) {
				t.Fatalf("Crashed() = %v, want a *CrashError", b.Crashed())
			}
			if want := fmt.Sprintf("signal %d", int(sig)); !strings.Contains(ce.Exit, want) {
				t.Errorf("exit %q does not say %q", ce.Exit, want)
			}
			if ce.Log == "" {
				t.Errorf("Chromium's output was not saved")
			} else if fi, err := os.Stat(ce.Log); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("output file %s: %v %v", ce.Log, fi, err)
			}
			_, err = tab.Navigate(ctx, "/rows.html")
			if !errors.Is(err, ErrBrowserCrashed) || IsRetryable(err) {
				t.Errorf("a call on the dead browser's tab: %v; want ErrBrowserCrashed, not a device's transient failure", err)
			}
			if _, err := b.Open(ctx, Target{Address: addr}); !errors.Is(err, ErrBrowserCrashed) {
				t.Errorf("Open on a dead browser: %v, want ErrBrowserCrashed", err)
			}
		})
	}
}

// TestFatalLine: Chromium's FATAL and "Check failed" lines are picked
// out of its output, GPU-process deaths counted.
func TestFatalLine(t *testing.T) {
	o := newOutputTail(1 << 10)
	fmt.Fprint(o, "[1207/213019.670294:ERROR:dbus/bus.cc:405] Failed to connect to the bus\n")
	fmt.Fprint(o, "[1207/213026.175876:ERROR:content/gpu/gpu_child_thread.cc:70] Mojo error in GPU process: Received bad user message: Got overlapping IssueExternalBeginFrame\n")
	fmt.Fprint(o, "[1207/213026.210436:ERROR:content/browser/gpu/gpu_process_host.cc:1044] GPU process exited unexpectedly: exit_code=5\n")
	if n, why := o.gpu(); n != 1 || !strings.Contains(why, "overlapping IssueExternalBeginFrame") {
		t.Errorf("gpu() = %d, %q", n, why)
	}
	fmt.Fprint(o, "[55:55:1207/213030.1:FATAL:content/browser/gpu/gpu_data_manager_impl_private.cc(448)] GPU process isn't usable. Goodbye.\n")
	fmt.Fprint(o, "[55:55:1207/213030.2:FATAL:other.cc(1)] second\n")
	out, fatal := o.snapshot()
	if fatal != "FATAL:content/browser/gpu/gpu_data_manager_impl_private.cc(448): GPU process isn't usable. Goodbye." {
		t.Errorf("fatal = %q", fatal)
	}
	if len(out) > 1<<10 {
		t.Errorf("kept %d bytes, more than the limit", len(out))
	}
	o2 := newOutputTail(1 << 10)
	fmt.Fprint(o2, "[9:9:1207/1.2:ERROR:x.cc(1)] foo\n../../cc/trees/x.cc:12: Check failed: a == b (1 vs. 2)")
	if _, f := o2.snapshot(); f != "Check failed: a == b (1 vs. 2)" {
		t.Errorf("check line = %q", f)
	}
}
