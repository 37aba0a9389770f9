package pgtest

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// runAs returns the process attributes that run initdb and postgres as
// an unprivileged user when the tests run as root (initdb refuses root),
// and hands dir to that user.
func runAs(dir string) (*syscall.SysProcAttr, error) {
	if os.Geteuid() != 0 {
		return &syscall.SysProcAttr{Pdeathsig: syscall.SIGINT}, nil
	}
	uid, gid := 65534, 65534 // nobody
	if u, err := user.Lookup("postgres"); err == nil {
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.SysProcAttr{
		Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)},
		Pdeathsig:  syscall.SIGINT, // postgres stops if the test binary dies
	}, nil
}

func chownTo(path string, a *syscall.SysProcAttr) {
	if a != nil && a.Credential != nil {
		_ = os.Chown(path, int(a.Credential.Uid), int(a.Credential.Gid))
	}
}
