package config

import (
	"fmt"
	"strings"
)

// windowsPathHint is the fix for a Windows path written in TOML "double
// quotes", where a backslash starts an escape ("C:\Users" is an invalid
// \U escape, "C:\fleet\new.db" silently holds a form feed and a newline).
const windowsPathHint = `write Windows paths in 'single quotes' ('C:\Users\Tech Name\fleet.db'), with doubled backslashes ("C:\\Users\\fleet.db") or with forward slashes ("C:/Users/fleet.db")`

// pathHint adds windowsPathHint to a decode error about an escape.
func pathHint(err error) error {
	if err != nil && strings.Contains(err.Error(), "escape") {
		return fmt.Errorf("%w; %s", err, windowsPathHint)
	}
	return err
}

// checkPathChars refuses paths holding control characters: they come
// from backslash escapes in a double-quoted Windows path, never from a
// real file name.
func (c *Config) checkPathChars() error {
	paths := map[string]string{
		"inventory.path":        c.Inventory.Path,
		"gmail.ca_file":         c.Gmail.CAFile,
		"gmail.password_file":   c.Gmail.PasswordFile,
		"rollout.artifacts_dir": c.Rollout.ArtifactsDir,
		"browser.path":          c.Browser.Path,
	}
	for i, a := range c.Credentials {
		paths[fmt.Sprintf("credentials[%d].password_file", i)] = a.PasswordFile
	}
	for i, v := range c.SNMP.V3 {
		paths[fmt.Sprintf("snmp.v3[%d].auth_password_file", i)] = v.AuthPasswordFile
		paths[fmt.Sprintf("snmp.v3[%d].priv_password_file", i)] = v.PrivPasswordFile
	}
	for key, p := range paths {
		if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("%s %q holds a control character: a backslash in \"double quotes\" starts an escape (\\f, \\n, \\t…); %s", key, p, windowsPathHint)
		}
	}
	return nil
}
