package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

// Stamped by the release build (.goreleaser.yaml):
//
//	-ldflags "-X main.version=1.2.0 -X main.commit=abc1234 -X main.date=2026-12-07T21:00:00Z"
//
// Left empty, buildVersion reads them from the binary's build info.
var (
	version = ""
	commit  = ""
	date    = ""
)

func init() {
	// "mfpfleet v1.2.0 (commit …, built …)", not "mfpfleet version mfpfleet …".
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintln(c.App.Writer, c.App.Version) }
}

// versionInfo is what `mfpfleet version --json` prints.
type versionInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Date     string `json:"date,omitempty"`
	Modified bool   `json:"modified,omitempty"` // built from a checkout with uncommitted changes
	Go       string `json:"go"`
	Platform string `json:"platform"`
	Source   string `json:"source"` // release, module (go install …@version), vcs (go build in a checkout), unknown
}

// buildVersion says which mfpfleet this is: the release stamp when there
// is one, else the module version `go install …@vX` recorded, else the
// commit Go embeds for a plain `go build` in a checkout.
func buildVersion() versionInfo {
	bi, _ := debug.ReadBuildInfo()
	return versionFrom(version, commit, date, bi)
}

func versionFrom(version, commit, date string, bi *debug.BuildInfo) versionInfo {
	v := versionInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH, Source: "release"}
	if bi != nil {
		v.Go = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if v.Commit == "" {
					v.Commit = s.Value
				}
			case "vcs.time":
				if v.Date == "" {
					v.Date = s.Value
				}
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if v.Version != "" {
		return v
	}
	mod := ""
	if bi != nil {
		mod = bi.Main.Version
	}
	switch {
	case mod != "" && mod != "(devel)" && !isPseudo(mod):
		// go install github.com/mfpfleet/mfpfleet/cmd/mfpfleet@v1.2.0
		v.Version, v.Source = mod, "module"
	case v.Commit != "":
		v.Version, v.Source = "dev", "vcs"
	default:
		v.Version, v.Source = "dev", "unknown"
	}
	return v
}

// isPseudo reports a pseudo-version (v0.0.0-20261207…-abcdef123456, also
// with +dirty), which Go stamps for a build in a checkout or an
// install at a commit: the commit says more.
func isPseudo(v string) bool {
	v, _, _ = strings.Cut(v, "+")
	parts := strings.Split(v, "-")
	if len(parts) < 3 {
		return false
	}
	last := parts[len(parts)-1]
	ts := parts[len(parts)-2]
	if i := strings.LastIndex(ts, "."); i >= 0 {
		ts = ts[i+1:]
	}
	return len(last) == 12 && len(ts) == 14
}

func (v versionInfo) String() string {
	var b strings.Builder
	b.WriteString("mfpfleet " + v.Version)
	var details []string
	if v.Commit != "" {
		c := v.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if v.Modified {
			c += " with local changes"
		}
		details = append(details, "commit "+c)
	}
	if v.Date != "" {
		details = append(details, "built "+v.Date)
	}
	details = append(details, v.Go, v.Platform)
	fmt.Fprintf(&b, " (%s)", strings.Join(details, ", "))
	return b.String()
}

func newVersionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, commit and build date (--json for scripts)",
		Description: `Prints the release version stamped into the binary, else the module
version of "go install …@version", else the commit of the checkout it was
built in. Quote it in bug reports.

Examples:
   mfpfleet version
   mfpfleet --version
   mfpfleet version --json`,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageError("version takes no arguments (got %q)", c.Args().First())
			}
			g := getGlobals(c)
			v := buildVersion()
			if g.json {
				return g.printJSON(v)
			}
			_, err := fmt.Fprintln(g.stdout, v.String())
			return err
		},
	}
}
