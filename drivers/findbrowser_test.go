package drivers

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// fakeMachine is a file system of executables and an environment for
// BrowserEnv, with PATH search as the OS does it (".exe" on Windows).
func fakeMachine(goos string, env map[string]string, files ...string) BrowserEnv {
	have := map[string]bool{}
	for _, f := range files {
		have[f] = true
	}
	sep, list := "/", ":"
	if goos == "windows" {
		sep, list = `\`, ";"
	}
	return BrowserEnv{
		GOOS:   goos,
		Getenv: func(k string) string { return env[k] },
		IsExec: func(p string) bool { return have[p] },
		LookPath: func(name string) (string, error) {
			try := func(p string) (string, bool) {
				if have[p] {
					return p, true
				}
				if goos == "windows" && !strings.HasSuffix(p, ".exe") && have[p+".exe"] {
					return p + ".exe", true
				}
				return "", false
			}
			if strings.Contains(name, sep) || strings.Contains(name, "/") {
				if p, ok := try(name); ok {
					return p, nil
				}
				return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
			}
			for _, dir := range strings.Split(env["PATH"], list) {
				if dir == "" {
					continue
				}
				if p, ok := try(dir + sep + name); ok {
					return p, nil
				}
			}
			return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
		},
	}
}

func TestFindBrowserOrder(t *testing.T) {
	winEnv := map[string]string{
		"PATH":              `C:\Windows\system32;C:\tools`,
		"ProgramFiles":      `C:\Program Files`,
		"ProgramFiles(x86)": `C:\Program Files (x86)`,
		"LocalAppData":      `C:\Users\Tech Name\AppData\Local`,
	}
	const (
		winChrome     = `C:\Program Files\Google\Chrome\Application\chrome.exe`
		winChrome86   = `C:\Program Files (x86)\Google\Chrome\Application\chrome.exe`
		winChromeUser = `C:\Users\Tech Name\AppData\Local\Google\Chrome\Application\chrome.exe`
		winChromium   = `C:\Users\Tech Name\AppData\Local\Chromium\Application\chrome.exe`
		winEdge86     = `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`
		winEdge       = `C:\Program Files\Microsoft\Edge\Application\msedge.exe`
		winShell      = `C:\tools\chrome-headless-shell.exe`
	)
	macEnv := map[string]string{"PATH": "/usr/bin:/opt/homebrew/bin", "HOME": "/Users/tech"}
	const (
		macChrome     = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
		macChromeUser = "/Users/tech/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
		macChromium   = "/Applications/Chromium.app/Contents/MacOS/Chromium"
		macEdge       = "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"
	)
	linEnv := map[string]string{"PATH": "/usr/local/bin:/usr/bin"}

	tests := []struct {
		name    string
		goos    string
		env     map[string]string
		files   []string
		path    string // [browser] path
		want    string
		wantWhy string
		wantErr string // substring of the error when nothing is found
	}{
		// Windows
		{name: "win edge only (stock laptop)", goos: "windows", env: winEnv, files: []string{winEdge86},
			want: winEdge86, wantWhy: "Microsoft Edge, installed for all users in Program Files (x86)"},
		{name: "win chrome before edge", goos: "windows", env: winEnv, files: []string{winEdge86, winEdge, winChrome86},
			want: winChrome86, wantWhy: "Google Chrome"},
		{name: "win program files before x86 before user", goos: "windows", env: winEnv, files: []string{winChromeUser, winChrome86, winChrome},
			want: winChrome, wantWhy: "Program Files"},
		{name: "win per-user chrome", goos: "windows", env: winEnv, files: []string{winChromeUser, winEdge},
			want: winChromeUser, wantWhy: "for this user in LocalAppData"},
		{name: "win chromium before edge", goos: "windows", env: winEnv, files: []string{winChromium, winEdge},
			want: winChromium, wantWhy: "Chromium"},
		{name: "win headless shell first", goos: "windows", env: winEnv, files: []string{winChrome, winEdge, winShell},
			want: winShell, wantWhy: "headless shell"},
		{name: "win browser path first", goos: "windows", env: winEnv, files: []string{winChrome, winShell, `D:\Portable Apps\Chrome\chrome.exe`},
			path: `D:\Portable Apps\Chrome\chrome.exe`, want: `D:\Portable Apps\Chrome\chrome.exe`, wantWhy: "[browser] path"},
		{name: "win default program files when env unset", goos: "windows", env: map[string]string{"PATH": `C:\Windows`}, files: []string{winEdge},
			want: winEdge},
		{name: "win msedge on PATH", goos: "windows", env: winEnv, files: []string{`C:\tools\msedge.exe`},
			want: `C:\tools\msedge.exe`, wantWhy: "on PATH"},
		{name: "win nothing", goos: "windows", env: winEnv,
			wantErr: "install Google Chrome"},
		{name: "win bad path", goos: "windows", env: winEnv, files: []string{winEdge}, path: `C:\nope\chrome.exe`,
			wantErr: "single quotes"},

		// macOS
		{name: "mac chrome", goos: "darwin", env: macEnv, files: []string{macEdge, macChrome},
			want: macChrome, wantWhy: "Google Chrome in /Applications"},
		{name: "mac user applications", goos: "darwin", env: macEnv, files: []string{macChromeUser, macEdge},
			want: macChromeUser, wantWhy: "~/Applications"},
		{name: "mac chromium before edge", goos: "darwin", env: macEnv, files: []string{macEdge, macChromium},
			want: macChromium},
		{name: "mac edge alone", goos: "darwin", env: macEnv, files: []string{macEdge},
			want: macEdge, wantWhy: "Microsoft Edge"},
		{name: "mac headless shell first", goos: "darwin", env: macEnv, files: []string{macChrome, "/opt/homebrew/bin/chrome-headless-shell"},
			want: "/opt/homebrew/bin/chrome-headless-shell"},
		{name: "mac .app bundle as path", goos: "darwin", env: macEnv, files: []string{macChrome, macEdge},
			path: "/Applications/Microsoft Edge.app", want: macEdge, wantWhy: "[browser] path"},
		{name: "mac nothing", goos: "darwin", env: macEnv,
			wantErr: "dragging it into Applications"},

		// Linux
		{name: "linux shell before chromium", goos: "linux", env: linEnv, files: []string{"/usr/bin/chromium", "/usr/bin/chromium-headless-shell"},
			want: "/usr/bin/chromium-headless-shell", wantWhy: "headless shell"},
		{name: "linux PATH order", goos: "linux", env: linEnv, files: []string{"/usr/bin/chromium", "/usr/local/bin/chromium"},
			want: "/usr/local/bin/chromium"},
		{name: "linux chromium before chrome", goos: "linux", env: linEnv, files: []string{"/usr/bin/google-chrome", "/usr/bin/chromium-browser"},
			want: "/usr/bin/chromium-browser"},
		{name: "linux edge last", goos: "linux", env: linEnv, files: []string{"/usr/bin/microsoft-edge"},
			want: "/usr/bin/microsoft-edge"},
		{name: "linux mac paths not searched", goos: "linux", env: linEnv, files: []string{macChrome},
			wantErr: "apt-get install chromium-headless-shell"},
		{name: "linux bad path", goos: "linux", env: linEnv, files: []string{"/usr/bin/chromium"}, path: "/opt/none/chrome",
			wantErr: "fix the path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FindBrowserIn(fakeMachine(tc.goos, tc.env, tc.files...), tc.path)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %+v, %v; want an ErrNoChromium saying %q", got, err, tc.wantErr)
				}
				if tc.goos != "linux" && strings.Contains(err.Error(), "apt-get") {
					t.Fatalf("%s error suggests apt-get: %v", tc.goos, err)
				}
				return
			}
			if err != nil || got.Path != tc.want || !strings.Contains(got.Why, tc.wantWhy) {
				t.Fatalf("got %+v, %v; want %s (%s)", got, err, tc.want, tc.wantWhy)
			}
		})
	}
}
