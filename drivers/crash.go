package drivers

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrBrowserCrashed: the Chromium process died while the run was using
// it (a CHECK failure, the kernel's out-of-memory killer, a signal).
// It is never the device's fault: the caller restarts the browser and
// starts the device again from its login (see rollout). A *CrashError
// wraps it.
var ErrBrowserCrashed = errors.New("the browser crashed")

// CrashError says how Chromium died: its exit status, its own last
// FATAL line when it printed one (a "Check failed: …" for a CHECK
// failure) and where the rest of its output was saved.
type CrashError struct {
	// Exit is the process status ("exit status 133", "signal: killed");
	// "" when unknown.
	Exit string
	// Fatal is Chromium's FATAL line without its [pid:tid:time] prefix,
	// "" when it printed none (killed from outside).
	Fatal string
	// Log is the file holding the end of Chromium's output ("" when no
	// artifacts dir is set or it could not be written).
	Log string
}

func (e *CrashError) Error() string {
	var b strings.Builder
	b.WriteString("the browser process died")
	var parts []string
	if e.Exit != "" {
		parts = append(parts, e.Exit)
	}
	if e.Fatal != "" {
		parts = append(parts, e.Fatal)
	}
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ": ") + ")")
	}
	if e.Log != "" {
		b.WriteString("; its output is in " + e.Log)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrBrowserCrashed) hold.
func (e *CrashError) Unwrap() error { return ErrBrowserCrashed }

// Summary is the exit status and FATAL line in one short phrase.
func (e *CrashError) Summary() string {
	switch {
	case e.Fatal != "" && e.Exit != "":
		return e.Fatal + " / " + e.Exit
	case e.Fatal != "":
		return e.Fatal
	case e.Exit != "":
		return e.Exit
	}
	return "no exit status"
}

// outputTail keeps the end of Chromium's stdout and stderr (its logging
// goes to stderr), the first FATAL line it printed, and the crashes of
// its GPU process (which the browser survives, a few times).
type outputTail struct {
	mu        sync.Mutex
	buf       []byte
	max       int
	fatal     string
	gpuDeaths int
	gpuWhy    string // the first GPU-process error line before a death
	lastErr   string // the last GPU-process error line
	line      []byte // a line not yet complete
}

func newOutputTail(max int) *outputTail { return &outputTail{max: max} }

// fatalRE matches Chromium's fatal log lines, e.g.
// [123:123:1207/213000.123:FATAL:scheduler.cc(42)] Check failed: x.
var fatalRE = regexp.MustCompile(`^\[[^\]]*:FATAL:([^\]]*)\]\s*(.*)$`)

// logMsgRE takes the message out of a Chromium log line.
var logMsgRE = regexp.MustCompile(`^\[[^\]]*\]\s*(.*)$`)

func (o *outputTail) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = append(o.buf, p...)
	if len(o.buf) > o.max {
		o.buf = append(o.buf[:0], o.buf[len(o.buf)-o.max:]...)
	}
	o.line = append(o.line, p...)
	for {
		i := bytes.IndexByte(o.line, '\n')
		if i < 0 {
			break
		}
		o.scan(string(o.line[:i]))
		o.line = o.line[i+1:]
	}
	if len(o.line) > 64<<10 {
		o.line = o.line[:0]
	}
	return len(p), nil
}

// scan looks at one line of Chromium's output.
func (o *outputTail) scan(line string) {
	if f := parseFatal(line); f != "" && o.fatal == "" {
		o.fatal = f
	}
	msg := line
	if m := logMsgRE.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
		msg = m[1]
	}
	switch {
	case strings.Contains(msg, "in GPU process"):
		o.lastErr = msg
	case strings.Contains(msg, "GPU process exited unexpectedly"):
		o.gpuDeaths++
		if o.gpuWhy == "" {
			o.gpuWhy = o.lastErr
		}
	}
}

// parseFatal returns "FATAL:file.cc(12): message" for a FATAL line of
// Chromium's log, "" for other lines.
func parseFatal(line string) string {
	line = strings.TrimSpace(line)
	if m := fatalRE.FindStringSubmatch(line); m != nil {
		return "FATAL:" + m[1] + ": " + m[2]
	}
	if i := strings.Index(line, "Check failed:"); i >= 0 {
		return strings.TrimSpace(line[i:])
	}
	return ""
}

func (o *outputTail) snapshot() (out []byte, fatal string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fatal = o.fatal
	if fatal == "" && len(o.line) > 0 {
		fatal = parseFatal(string(o.line))
	}
	if fatal == "" && o.gpuDeaths > 0 {
		fatal = fmt.Sprintf("its GPU process died %d times", o.gpuDeaths)
		if o.gpuWhy != "" {
			fatal += " (" + o.gpuWhy + ")"
		}
	}
	return append([]byte(nil), o.buf...), fatal
}

// gpu returns how often Chromium's GPU process died and why the first
// time.
func (o *outputTail) gpu() (int, string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.gpuDeaths, o.gpuWhy
}

// saveOutput writes the end of Chromium's output into the artifacts dir
// and returns the file's path, "" when there is no dir or output.
func (b *Browser) saveOutput(out []byte, what string) string {
	dir := b.opts.ArtifactsDir
	if dir == "" || len(out) == 0 {
		return ""
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	p := filepath.Join(dir, "chromium-"+what+"-"+time.Now().UTC().Format("20060102T150405.000")+".log")
	if err := os.WriteFile(p, out, 0o600); err != nil {
		return ""
	}
	return p
}

// reportQuietCrashes logs, when the browser is closed, crashes it
// survived (its GPU process, which Chromium restarts a few times) and a
// FATAL line, and saves its output: they show up in no error, only in
// the kernel log as `trap int3`.
func (b *Browser) reportQuietCrashes() {
	n, why := b.out.gpu()
	out, fatal := b.out.snapshot()
	if n == 0 && fatal == "" {
		return
	}
	log := b.saveOutput(out, "at-close")
	b.log.Warn("Chromium's GPU process crashed during the run (the browser carried on)", "gpu_deaths", n, "why", why, "fatal", fatal, "log", log)
}

// watch waits for the connection to Chromium to drop. A drop that Close
// did not cause is a crash: its exit status and output are recorded,
// the output is saved into the artifacts dir, and Dead is closed.
func (b *Browser) watch(lost <-chan struct{}, alloc *chromedp.ExecAllocator) {
	<-lost
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return
	}
	ce := &CrashError{}
	// The allocator's Wait returns once the process has been reaped and
	// its output read: the exit status can then be read safely.
	reaped := make(chan struct{})
	go func() { alloc.Wait(); close(reaped) }()
	select {
	case <-reaped:
		if c := b.cmd(); c != nil && c.ProcessState != nil {
			ce.Exit = exitText(c.ProcessState)
		}
	case <-time.After(5 * time.Second):
		ce.Exit = "the connection dropped; the process did not exit within 5s"
	}
	out, fatal := b.out.snapshot()
	ce.Fatal = fatal
	ce.Log = b.saveOutput(out, "crash")
	b.log.Error("the browser crashed", "exit", ce.Exit, "fatal", ce.Fatal, "log", ce.Log, "path", b.exe)
	b.mu.Lock()
	b.crash = ce
	idle := b.idle
	b.idle = nil
	b.mu.Unlock()
	for _, l := range idle {
		l.cancel()
	}
	close(b.dead)
}

// exitText says how a process ended, the shell's way for the wrapper
// scripts Debian installs (128+N is "killed by signal N" in the
// program the script ran).
func exitText(ps *os.ProcessState) string {
	s := ps.String()
	if code := ps.ExitCode(); code > 128 && code < 160 {
		s += fmt.Sprintf(" (the browser was killed by signal %d%s)", code-128, signalName(code-128))
	}
	return s
}

func signalName(n int) string {
	switch n {
	case 5:
		return ", SIGTRAP: a CHECK failure"
	case 6:
		return ", SIGABRT"
	case 9:
		return ", SIGKILL"
	case 11:
		return ", SIGSEGV"
	}
	return ""
}

// Dead is closed when Chromium died without Close being called.
func (b *Browser) Dead() <-chan struct{} { return b.dead }

// Crashed returns the *CrashError of a dead browser, nil while it runs.
func (b *Browser) Crashed() error {
	select {
	case <-b.dead:
	default:
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.crash
}

// Pid is the process id of the Chromium the run started (the wrapper
// script's, where the binary is one): for tests that kill it.
func (b *Browser) Pid() int {
	if c := b.cmd(); c != nil && c.Process != nil {
		return c.Process.Pid
	}
	return 0
}

func (b *Browser) cmd() *exec.Cmd {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.execCmd
}

// crashed returns the browser's *CrashError when err came from the
// browser dying under the call (it waits a moment for the death to be
// recorded), nil otherwise.
func (b *Browser) crashed(err error) error {
	if err == nil || b == nil {
		return nil
	}
	select {
	case <-b.dead:
		return b.Crashed()
	default:
	}
	if b.ctx.Err() == nil {
		return nil
	}
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return nil
	}
	// The browser's context ends when the connection drops; the watcher
	// then records the crash within a few seconds.
	select {
	case <-b.dead:
		return b.Crashed()
	case <-time.After(7 * time.Second):
		return nil
	}
}

// CrashOf returns the browser's *CrashError when err, from a call on one
// of its tabs, came from Chromium dying (waiting a few seconds for the
// death to be recorded when the connection is gone), nil otherwise.
func (b *Browser) CrashOf(err error) error {
	if errors.Is(err, ErrBrowserCrashed) {
		if ce := b.Crashed(); ce != nil {
			return ce
		}
		return err
	}
	return b.crashed(err)
}

// MainPID is the process id of Chromium's browser process (not the
// wrapper script Debian installs in front of it, nor its renderer, GPU
// and utility children), found by its profile directory; Pid where
// /proc cannot be read. For tests and diagnostics.
func (b *Browser) MainPID() int {
	want := []byte("--user-data-dir=" + b.dataDir)
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return b.Pid()
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.Contains(cmd, want) || bytes.Contains(cmd, []byte("--type=")) {
			continue
		}
		// The wrapper script's command line has the flags too: the
		// browser is the one running the binary itself.
		switch filepath.Base(string(bytes.SplitN(cmd, []byte{0}, 2)[0])) {
		case "sh", "bash", "dash":
		default:
			return pid
		}
	}
	return b.Pid()
}

// startCrash is a start that failed because the Chromium process died
// (a crash, or chromedp's "chrome failed to start" with the process's
// last words) rather than because no Chromium is there: its text is the
// cause's, and errors.Is(err, ErrBrowserCrashed) holds, so that the
// caller starts it again within its crash limit.
type startCrash struct{ err error }

func (e startCrash) Error() string   { return e.err.Error() }
func (e startCrash) Unwrap() []error { return []error{e.err, ErrBrowserCrashed} }

// diedStarting marks err, a failed start, as the process dying.
func diedStarting(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) || !errors.Is(err, ErrNoChromium) && strings.Contains(err.Error(), "failed to start") {
		return startCrash{err}
	}
	return err
}
