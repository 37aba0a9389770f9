package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// init makes flag help say a default once: urfave/cli appends the Go zero
// value ("(default: 0)", "(default: false)") even where the usage text
// already names the real default (a fleet.toml key) or where a zero says
// nothing.
func init() {
	plain := cli.FlagStringer
	cli.FlagStringer = func(f cli.Flag) string { return trimDefault(plain(f)) }
}

func trimDefault(s string) string {
	const mark = " (default: "
	i := strings.LastIndex(s, mark)
	if i < 0 || !strings.HasSuffix(s, ")") {
		return s
	}
	switch def := s[i+len(mark) : len(s)-1]; {
	case strings.Contains(s[:i], "(default:"), def == "false", def == "0", def == "0s", def == "-1", def == "", def == `""`:
		return s[:i]
	}
	return s
}
