//go:build !linux

package drivers

import "os/exec"

// setProcAttr: chromedp sets nothing outside Linux either.
func setProcAttr(cmd *exec.Cmd) {}
