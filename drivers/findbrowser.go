package drivers

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"runtime"
	"strings"
)

// Chromiums are the binaries FindChromium looks for on PATH, in order,
// after [browser] path. The old headless shell (Debian's
// chromium-headless-shell, Chrome's chrome-headless-shell) comes first:
// it is the same engine without the browser's window and UI machinery,
// and costs about half the CPU per page load of `chromium --headless`
// (README, Performance), which is what bounds a fleet run on a laptop.
// On Windows and macOS the installed Chrome, Chromium and Edge are
// looked for in their standard locations before these names (see
// BrowserCandidates).
var Chromiums = []string{"chromium-headless-shell", "chrome-headless-shell",
	"chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
	"microsoft-edge", "microsoft-edge-stable"}

// headlessShells are the first two of Chromiums.
var headlessShells = Chromiums[:2]

// FoundBrowser is the browser FindBrowser chose, and why.
type FoundBrowser struct {
	// Path is the executable.
	Path string
	// Why says how it was found, for the log and `mfpfleet doctor`:
	// "[browser] path in fleet.toml", "the headless shell on PATH",
	// "Microsoft Edge, installed for all users"…
	Why string
}

// BrowserCandidate is one place FindBrowser looks.
type BrowserCandidate struct {
	// Name is a binary name searched on PATH, or an absolute path.
	Name string
	// Why describes the candidate when it is chosen.
	Why string
}

// BrowserEnv is what the browser search reads from the machine: the
// operating system, the environment, PATH lookup and file tests. Tests
// fake it to prove the order on every OS.
type BrowserEnv struct {
	GOOS     string
	Getenv   func(string) string
	LookPath func(string) (string, error)
	// IsExec reports whether an absolute path is an executable file.
	IsExec func(string) bool
}

// HostBrowserEnv is the running machine.
func HostBrowserEnv() BrowserEnv {
	return BrowserEnv{GOOS: runtime.GOOS, Getenv: os.Getenv, LookPath: exec.LookPath, IsExec: isExecFile}
}

func isExecFile(p string) bool {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	return runtime.GOOS == "windows" || st.Mode().Perm()&0o111 != 0
}

// joinFor joins path elements with the separator of goos (this code
// also runs in tests for another OS than the host's).
func joinFor(goos string, elem ...string) string {
	if goos != "windows" {
		return path.Join(elem...)
	}
	var parts []string
	for i, e := range elem {
		e = strings.ReplaceAll(e, "/", `\`)
		if i > 0 {
			e = strings.TrimLeft(e, `\`)
		}
		if i < len(elem)-1 {
			e = strings.TrimRight(e, `\`)
		}
		if e != "" {
			parts = append(parts, e)
		}
	}
	return strings.Join(parts, `\`)
}

// BrowserCandidates lists, in order, where FindBrowser looks when no
// [browser] path is set: the headless shell on PATH, then the standard
// install locations of Chrome, Chromium and Edge (Windows: Program
// Files, Program Files (x86), the user's LocalAppData; macOS:
// /Applications and ~/Applications), then the other names of Chromiums
// on PATH (how Linux installs them).
func BrowserCandidates(env BrowserEnv) []BrowserCandidate {
	var c []BrowserCandidate
	for _, n := range headlessShells {
		c = append(c, BrowserCandidate{Name: n, Why: "the headless shell on PATH, the lightest for a fleet"})
	}
	type app struct{ name, dir, exe string }
	switch env.GOOS {
	case "windows":
		apps := []app{
			{"Google Chrome", `Google\Chrome\Application`, "chrome.exe"},
			{"Chromium", `Chromium\Application`, "chrome.exe"},
			{"Microsoft Edge", `Microsoft\Edge\Application`, "msedge.exe"},
		}
		type base struct{ env, def, who string }
		bases := []base{
			{"ProgramFiles", `C:\Program Files`, "installed for all users in Program Files"},
			{"ProgramFiles(x86)", `C:\Program Files (x86)`, "installed for all users in Program Files (x86)"},
			{"LocalAppData", "", "installed for this user in LocalAppData"},
		}
		for _, a := range apps {
			for _, b := range bases {
				dir := env.Getenv(b.env)
				if dir == "" {
					dir = b.def
				}
				if dir == "" {
					continue
				}
				c = append(c, BrowserCandidate{Name: joinFor("windows", dir, a.dir, a.exe), Why: a.name + ", " + b.who})
			}
		}
		for _, n := range []string{"chrome.exe", "msedge.exe"} {
			c = append(c, BrowserCandidate{Name: n, Why: n + " on PATH"})
		}
	case "darwin":
		apps := []app{
			{"Google Chrome", "Google Chrome.app", "Google Chrome"},
			{"Chromium", "Chromium.app", "Chromium"},
			{"Microsoft Edge", "Microsoft Edge.app", "Microsoft Edge"},
		}
		for _, a := range apps {
			c = append(c, BrowserCandidate{Name: path.Join("/Applications", a.dir, "Contents/MacOS", a.exe), Why: a.name + " in /Applications"})
			if home := env.Getenv("HOME"); home != "" {
				c = append(c, BrowserCandidate{Name: path.Join(home, "Applications", a.dir, "Contents/MacOS", a.exe), Why: a.name + " in ~/Applications"})
			}
		}
	}
	for _, n := range Chromiums[len(headlessShells):] {
		c = append(c, BrowserCandidate{Name: n, Why: n + " on PATH"})
	}
	return c
}

// FindBrowser finds the browser of a run on this machine: path when set
// (it must exist; a macOS .app bundle is opened to its binary), else the
// first of BrowserCandidates that exists. The error wraps ErrNoChromium
// and says how to get a browser on this OS.
func FindBrowser(path string) (FoundBrowser, error) {
	return FindBrowserIn(HostBrowserEnv(), path)
}

// FindBrowserIn is FindBrowser on env.
func FindBrowserIn(env BrowserEnv, browserPath string) (FoundBrowser, error) {
	if browserPath != "" {
		p := browserPath
		if env.GOOS == "darwin" && strings.HasSuffix(strings.TrimRight(p, "/"), ".app") {
			// "/Applications/Google Chrome.app" → its binary.
			app := strings.TrimRight(p, "/")
			p = path.Join(app, "Contents/MacOS", strings.TrimSuffix(path.Base(app), ".app"))
		}
		found, err := env.LookPath(p)
		if err != nil {
			return FoundBrowser{}, fmt.Errorf("browser path %q (fleet.toml [browser] path): %v: %w; %s", browserPath, errWithoutPath(err), ErrNoChromium, pathFix(env.GOOS))
		}
		return FoundBrowser{Path: found, Why: "[browser] path in fleet.toml"}, nil
	}
	cands := BrowserCandidates(env)
	for _, c := range cands {
		if isAbs(env.GOOS, c.Name) {
			if env.IsExec(c.Name) {
				return FoundBrowser{Path: c.Name, Why: c.Why}, nil
			}
			continue
		}
		if p, err := env.LookPath(c.Name); err == nil {
			return FoundBrowser{Path: p, Why: c.Why}, nil
		}
	}
	return FoundBrowser{}, fmt.Errorf("no Chrome, Chromium or Edge found (looked on PATH for %s%s): %w; %s",
		strings.Join(Chromiums, ", "), lookedIn(env.GOOS), ErrNoChromium, installFix(env.GOOS))
}

// findChromiumLogged is FindBrowser for NewBrowser: it logs (at info)
// which browser was chosen and why.
func findChromiumLogged(path string, lg *slog.Logger) (string, error) {
	f, err := FindBrowser(path)
	if err != nil {
		return "", err
	}
	if lg != nil {
		lg.Info("browser chosen", "path", f.Path, "why", f.Why, "headless_shell", IsHeadlessShell(f.Path))
	}
	return f.Path, nil
}

// FindChromium returns the browser binary (see FindBrowser).
func FindChromium(path string) (string, error) {
	f, err := FindBrowser(path)
	return f.Path, err
}

func isAbs(goos, p string) bool {
	if goos == "windows" {
		return len(p) > 2 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
	}
	return strings.HasPrefix(p, "/")
}

// errWithoutPath drops the *PathError / *exec.Error wrapper that repeats
// the path the message already names.
func errWithoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

func lookedIn(goos string) string {
	switch goos {
	case "windows":
		return `, and for chrome.exe and msedge.exe under Program Files, Program Files (x86) and LocalAppData`
	case "darwin":
		return ", and in /Applications and ~/Applications for Google Chrome, Chromium and Microsoft Edge"
	}
	return ""
}

// installFix says how to get a browser on goos.
func installFix(goos string) string {
	switch goos {
	case "windows":
		return `install Google Chrome (https://www.google.com/chrome/) or repair Microsoft Edge (it ships with Windows 10 and 11), or set [browser] path in fleet.toml, e.g. path = 'C:\Program Files\Google\Chrome\Application\chrome.exe' (single quotes keep the backslashes)`
	case "darwin":
		return `install Google Chrome (https://www.google.com/chrome/) by dragging it into Applications, or set [browser] path in fleet.toml, e.g. path = "/Applications/Google Chrome.app"`
	case "linux":
		return "install it with `apt-get install chromium-headless-shell` (Debian/Ubuntu; chromium, google-chrome or microsoft-edge work too, at twice the CPU), or set [browser] path in fleet.toml"
	}
	return "install Chromium or Google Chrome, or set [browser] path in fleet.toml"
}

// pathFix is the advice for a [browser] path that does not exist.
func pathFix(goos string) string {
	switch goos {
	case "windows":
		return `fix the path (in fleet.toml write it in single quotes, 'C:\Program Files\…\msedge.exe', or with forward slashes), or remove it to use the installed Chrome or Edge`
	case "darwin":
		return `fix the path (the .app bundle or its binary, e.g. "/Applications/Google Chrome.app"), or remove it to use the installed Chrome`
	case "linux":
		return "fix the path, or remove it and install a browser with `apt-get install chromium-headless-shell` (or chromium)"
	}
	return "fix the path, or remove it to search the usual places"
}
