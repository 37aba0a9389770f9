package drivers

import (
	"os/exec"
	"syscall"
)

// setProcAttr is what chromedp does on Linux (the kernel kills Chromium
// when mfpfleet dies) plus a process group of its own: a Ctrl-C typed
// in the terminal reaches mfpfleet only, which then stops the devices'
// sessions and the browser in order, instead of Chromium dying under
// the sessions.
func setProcAttr(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = new(syscall.SysProcAttr)
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	cmd.SysProcAttr.Setpgid = true
}
