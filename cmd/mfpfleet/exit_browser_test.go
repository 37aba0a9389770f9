package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/rollout"
)

// TestExitBrowserCrashing: a run stopped because Chromium kept crashing
// exits 7 (its own code, listed in --help), with a hint to re-run, and
// is neither "some devices failed" (4) nor an interruption (130).
func TestExitBrowserCrashing(t *testing.T) {
	err := fmt.Errorf("run 3 stopped (2 of 8 devices done): %w: exit status 133 — 4 crashes within 2m0s", rollout.ErrBrowserCrashing)
	var out bytes.Buffer
	if code := reportError(&out, runError(err, rollout.Summary{})); code != 7 {
		t.Errorf("exit code %d, want 7\n%s", code, out.String())
	}
	for _, want := range []string{"mfpfleet: run 3 stopped", "the browser keeps crashing", "hint: ", "run the same command again"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(exitCodesHelp, "\n   7    the browser") {
		t.Errorf("--help does not list exit code 7:\n%s", exitCodesHelp)
	}
}
