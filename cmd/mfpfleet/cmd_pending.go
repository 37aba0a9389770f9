package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// TEMPORARY: replaced as the rollout package lands.
func pending(name string) *cli.Command {
	return &cli.Command{Name: name, Action: func(*cli.Context) error { return errors.New(name + ": not built yet") }}
}
func newPushCommand() *cli.Command   { return pending("push") }
func newTestCommand() *cli.Command   { return pending("test") }
func newRotateCommand() *cli.Command { return pending("rotate") }
func newAuditCommand() *cli.Command  { return pending("audit") }
