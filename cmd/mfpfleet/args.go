package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderArgs lets flags follow positional arguments, as technicians type
// them (`mfpfleet discover 10.1.0.0/24 --yes`). urfave/cli v2 stops parsing
// flags at the first positional argument and would silently take the rest
// as targets, so the arguments of the leaf command are rearranged: flags
// (with their values) first, positionals after, "--" respected. Global
// flags found after the command name move in front of it.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]

	globals := flagArity(app.Flags)
	// Leading global flags stay where they are.
	var pre []string
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") && rest[0] != "--" {
		n := takes(globals, rest[0])
		if n > len(rest) {
			n = len(rest)
		}
		pre = append(pre, rest[:n]...)
		rest = rest[n:]
	}
	// Walk down the command path.
	cmds := app.Commands
	var path []string
	var flags map[string]bool
	for len(rest) > 0 {
		c := findCommand(cmds, rest[0])
		if c == nil {
			break
		}
		path = append(path, rest[0])
		rest = rest[1:]
		cmds = c.Subcommands
		flags = flagArity(c.Flags)
		if len(c.Subcommands) == 0 {
			break
		}
	}
	if len(path) == 0 {
		return args
	}
	var flagArgs, positional []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		name := flagName(a)
		target := &flagArgs
		arity := flags
		if _, ok := flags[name]; !ok {
			if _, g := globals[name]; g {
				target = &pre
				arity = globals
			}
		}
		n := takes(arity, a)
		if i+n > len(rest) {
			n = len(rest) - i
		}
		*target = append(*target, rest[i:i+n]...)
		i += n - 1
	}
	out = append(out, pre...)
	out = append(out, path...)
	out = append(out, flagArgs...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}

// flagArity maps every flag name and alias to whether it takes a value.
func flagArity(fs []cli.Flag) map[string]bool {
	m := map[string]bool{"help": false, "h": false}
	for _, f := range fs {
		tv := true
		if d, ok := f.(cli.DocGenerationFlag); ok {
			tv = d.TakesValue()
		}
		for _, n := range f.Names() {
			m[n] = tv
		}
	}
	return m
}

// takes returns how many arguments a flag token consumes (1 or 2).
func takes(arity map[string]bool, tok string) int {
	if strings.Contains(tok, "=") {
		return 1
	}
	if arity[flagName(tok)] {
		return 2
	}
	return 1
}

func flagName(tok string) string {
	n := strings.TrimLeft(tok, "-")
	if i := strings.IndexByte(n, '='); i >= 0 {
		n = n[:i]
	}
	return n
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
