package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// passwordFlags are shared by every command that needs the app password.
// None of them carries the value: it comes from stdin, a file, the
// environment or a no-echo prompt.
func passwordFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "password-stdin", Usage: "read the app password from the first line of standard input"},
		&cli.StringFlag{Name: "password-file", Usage: "read the app password from `FILE` (mode 0600)"},
	}
}

// readAppPassword reads and normalises the app password: --password-stdin,
// --password-file, [gmail] password_file, $MFPFLEET_APP_PASSWORD (or
// [gmail] password_env), else a no-echo prompt on the terminal.
func readAppPassword(c *cli.Context, prompt string) (gmail.AppPassword, error) {
	g := getGlobals(c)
	src := gmail.PasswordSource{
		Stdin:       c.Bool("password-stdin"),
		File:        c.String("password-file"),
		Env:         g.cfg.Gmail.PasswordEnv,
		Prompt:      prompt,
		StdinReader: g.stdin,
	}
	if src.File == "" && !src.Stdin {
		src.File = g.cfg.Gmail.PasswordFile
	}
	if !src.Stdin && src.File != "" {
		warnLoosePasswordFile(g, src.File)
	}
	pw, err := gmail.ReadAppPassword(c.Context, src)
	if err != nil {
		if errors.Is(err, gmail.ErrNoAppPassword) {
			return pw, usageError("%v", err)
		}
		return pw, withHint(usageError("%v", err), "create an app password at %s (2-Step Verification must be on); Google shows it as four groups of four letters", gmail.AppPasswordsURL)
	}
	return pw, nil
}

// warnLoosePasswordFile warns, as ssh does for a private key, when the
// app password file can be read by other users than its owner.
func warnLoosePasswordFile(g *globals, path string) {
	if runtime.GOOS == "windows" {
		return // no Unix permission bits
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return // a missing file is ReadAppPassword's error to report
	}
	fmt.Fprintf(g.stderr, "warning: the app password file %s is readable by others (mode %04o); restrict it: chmod 600 %s\n", path, fi.Mode().Perm(), path)
}

// account returns --account, else the config's [gmail] account.
func account(c *cli.Context) (string, error) {
	g := getGlobals(c)
	a := c.String("account")
	if a == "" {
		a = g.cfg.Gmail.Account
	}
	if a == "" {
		return "", fmt.Errorf("%w: give --account user@gmail.com or set [gmail] account in fleet.toml", rollout.ErrNoAccount)
	}
	return a, nil
}
