//go:build !linux

package pgtest

import "syscall"

func runAs(string) (*syscall.SysProcAttr, error) { return nil, nil }

func chownTo(string, *syscall.SysProcAttr) {}
