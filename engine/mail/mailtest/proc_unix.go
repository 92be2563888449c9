//go:build unix

package mailtest

import (
	"os"
	"os/exec"
	"syscall"
)

// detach puts the daemon in its own process group, so that it and every
// process it forks can be ended together, and on Linux asks the kernel to end
// it if the test process dies without running its cleanups.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(cmd.SysProcAttr)
}

// terminate asks the daemon to stop.
func terminate(p *os.Process) { _ = p.Signal(syscall.SIGTERM) }

// killGroup ends whatever is left of the daemon's process group.
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }

func isRoot() bool { return os.Geteuid() == 0 }
