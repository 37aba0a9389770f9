package main

import (
	"io"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestHelpTeaches: every command's --help has examples, and no flag line
// says its default twice or reads oddly (issue 10 §2.12).
func TestHelpTeaches(t *testing.T) {
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	var walk func(path []string, cmds []*cli.Command)
	walk = func(path []string, cmds []*cli.Command) {
		for _, c := range cmds {
			p := append(append([]string{}, path...), c.Name)
			if len(c.Subcommands) > 0 {
				walk(p, c.Subcommands)
				continue
			}
			name := strings.Join(p, " ")
			r := mfpfleet(t, "", append(p, "--help")...)
			if r.code != 0 {
				t.Errorf("%s --help: exit %d %s", name, r.code, r.stderr)
				continue
			}
			if !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "   mfpfleet "+name) {
				t.Errorf("%s --help has no examples of itself:\n%s", name, r.stdout)
			}
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.Count(l, "(default:") > 1 {
					t.Errorf("%s --help: a default said twice: %q", name, strings.TrimSpace(l))
				}
				for _, odd := range []string{"per N second", "(default: false)", "(default: 0)", "(default: 0s)", "(default: -1)"} {
					if strings.Contains(l, odd) {
						t.Errorf("%s --help: %q in %q", name, odd, strings.TrimSpace(l))
					}
				}
			}
		}
	}
	walk(nil, app.Commands)

	// Slice flags split on commas: the help says so where it matters.
	if r := mfpfleet(t, "", "push", "--help"); !strings.Contains(r.stdout, "comma list") {
		t.Errorf("push --help does not say --accept-new-cert takes a comma list:\n%s", r.stdout)
	}
}
