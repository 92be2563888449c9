//go:build !unix

package mailtest

import (
	"os"
	"os/exec"
)

func detach(*exec.Cmd)        {}
func terminate(p *os.Process) { _ = p.Kill() }
func killGroup(p *os.Process) { _ = p.Kill() }
func isRoot() bool            { return false }
