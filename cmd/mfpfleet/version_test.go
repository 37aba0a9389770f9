package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFrom(t *testing.T) {
	vcs := func(mod string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/mfpfleet/mfpfleet", Version: mod}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  string // substring of String()
		source                string
	}{
		{"release ldflags", "1.2.0", "abc1234", "2026-12-07T21:00:00Z", vcs("(devel)"),
			"mfpfleet 1.2.0 (commit abc1234, built 2026-12-07T21:00:00Z", "release"},
		{"go install @version", "", "", "", vcs("v1.3.1"), "mfpfleet v1.3.1 (go1.26.8", "module"},
		{"go build in a checkout", "", "", "", vcs("v0.0.0-20261207210000-0123456789ab+dirty",
			"vcs.revision", "0123456789abcdef0123", "vcs.time", "2026-12-07T21:00:00Z", "vcs.modified", "true"),
			"mfpfleet dev (commit 0123456789ab with local changes, built 2026-12-07T21:00:00Z", "vcs"},
		{"go build, clean tagged checkout", "", "", "", vcs("v1.3.1", "vcs.revision", "fedcba9876543210"),
			"mfpfleet v1.3.1 (commit fedcba987654", "module"},
		{"no information", "", "", "", vcs("(devel)"), "mfpfleet dev (go1.26.8", "unknown"},
		{"no build info", "", "", "", nil, "mfpfleet dev (", "unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := versionFrom(tc.version, tc.commit, tc.date, tc.bi)
			if !strings.Contains(v.String(), tc.want) || v.Source != tc.source {
				t.Fatalf("got %q (source %s), want %q (%s)", v.String(), v.Source, tc.want, tc.source)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	r := mfpfleet(t, "", "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "mfpfleet ") || strings.Contains(r.stdout, "version mfpfleet") {
		t.Fatalf("--version: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = mfpfleet(t, "", "version", "--json")
	var v versionInfo
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &v) != nil || v.Version == "" || v.Platform == "" {
		t.Fatalf("version --json: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := mfpfleet(t, "", "version", "extra"); r.code != exitUsage {
		t.Fatalf("version extra: exit %d", r.code)
	}
}

func TestCompletion(t *testing.T) {
	want := map[string]string{
		"bash":       "complete -o bashdefault -o default -F _mfpfleet_complete mfpfleet",
		"zsh":        "#compdef mfpfleet",
		"fish":       "complete -c mfpfleet",
		"powershell": "Register-ArgumentCompleter -Native -CommandName 'mfpfleet', 'mfpfleet.exe'",
	}
	dir := t.TempDir()
	for sh, marker := range want {
		r := mfpfleet(t, "", "completion", sh)
		if r.code != 0 || !strings.Contains(r.stdout, marker) {
			t.Fatalf("completion %s: %d %q", sh, r.code, r.stderr)
		}
		if sh == "fish" && !strings.Contains(r.stdout, "doctor") {
			t.Errorf("fish completion lacks the doctor command")
		}
		// The shell parses the script, where it is installed.
		checker := map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}}[sh]
		if checker == nil {
			continue
		}
		if _, err := exec.LookPath(checker[0]); err != nil {
			continue
		}
		f := filepath.Join(dir, sh)
		if err := os.WriteFile(f, []byte(r.stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(checker[0], append(checker[1:], f)...).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse its completion: %v\n%s", sh, err, out)
		}
	}
	if r := mfpfleet(t, "", "completion", "tcsh"); r.code != exitUsage || !strings.Contains(r.stderr, "powershell") {
		t.Fatalf("completion tcsh: %d %q", r.code, r.stderr)
	}
	// What the scripts ask the binary: commands, then a command's flags.
	// (urfave/cli reads the word being completed from os.Args.)
	defer func(a []string) { os.Args = a }(os.Args)
	os.Args = []string{"mfpfleet", "--generate-bash-completion"}
	r := mfpfleet(t, "", "--generate-bash-completion")
	for _, c := range []string{"doctor", "push", "completion"} {
		if !strings.Contains(r.stdout, c) {
			t.Errorf("completion of commands lacks %s: %q %q", c, r.stdout, r.stderr)
		}
	}
	os.Args = []string{"mfpfleet", "doctor", "--ti", "--generate-bash-completion"}
	r = mfpfleet(t, "", "doctor", "--ti", "--generate-bash-completion")
	if !strings.Contains(r.stdout, "--timeout") {
		t.Errorf("completion of doctor's flags lacks --timeout: %q %q", r.stdout, r.stderr)
	}
}
