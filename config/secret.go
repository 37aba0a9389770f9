package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Secret is a password or community that must never be printed, logged or
// stored. Its String, GoString, LogValue and MarshalJSON all redact it;
// Reveal returns the value for the one place that needs it.
type Secret struct{ v string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: s} }

// Reveal returns the plaintext. Call it only where the value is handed to
// a device, a server or a hash.
func (s Secret) Reveal() string { return s.v }

// Empty reports whether the secret is the empty string.
func (s Secret) Empty() bool { return s.v == "" }

// String implements fmt.Stringer.
func (s Secret) String() string { return "**redacted**" }

// GoString implements fmt.GoStringer.
func (s Secret) GoString() string { return "config.Secret{**redacted**}" }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue("**redacted**") }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal("**redacted**") }

// MarshalText implements encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte("**redacted**"), nil }

// SecretRef says where a secret comes from. At most one of Env, File and
// Plain is set; Name is the config key, used in error messages.
type SecretRef struct {
	Name  string
	Env   string
	File  string
	Plain string
}

func (r SecretRef) empty() bool { return r.Env == "" && r.File == "" && r.Plain == "" }

// ErrNoSecret is returned by Resolve when the reference names nothing, or
// the variable or file it names is empty.
var ErrNoSecret = errors.New("secret not set")

// Resolve reads the secret. A trailing newline in a file is dropped.
func (r SecretRef) Resolve() (Secret, error) {
	switch {
	case r.Env != "":
		v, ok := os.LookupEnv(r.Env)
		if !ok || v == "" {
			return Secret{}, fmt.Errorf("%s: environment variable %s is not set: %w (export it, or use a *_file key instead)", r.Name, r.Env, ErrNoSecret)
		}
		return NewSecret(v), nil
	case r.File != "":
		b, err := os.ReadFile(r.File)
		if err != nil {
			return Secret{}, fmt.Errorf("%s: read %s: %w", r.Name, r.File, err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return Secret{}, fmt.Errorf("%s: %s is empty: %w", r.Name, r.File, ErrNoSecret)
		}
		return NewSecret(v), nil
	case r.Plain != "":
		return NewSecret(r.Plain), nil
	}
	return Secret{}, fmt.Errorf("%s: %w", r.Name, ErrNoSecret)
}

func (c *Config) rel(p string) string {
	if p == "" || filepath.IsAbs(p) || c.Path == "" || isURL(p) {
		return p
	}
	return filepath.Join(filepath.Dir(c.Path), p)
}

// isURL reports whether p is a URL (such as a postgres:// inventory)
// rather than a path.
func isURL(p string) bool {
	i := strings.Index(p, "://")
	return i > 0 && !strings.ContainsAny(p[:i], `/\.`)
}
