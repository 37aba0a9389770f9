package gmail

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"unicode"

	"golang.org/x/term"

	"github.com/mfpfleet/mfpfleet/config"
)

// DefaultPasswordEnv is the environment variable ReadAppPassword looks at
// when PasswordSource.Env is empty.
const DefaultPasswordEnv = "MFPFLEET_APP_PASSWORD"

// AppPasswordsURL is where a Google account's app passwords are created
// and revoked.
const AppPasswordsURL = "https://myaccount.google.com/apppasswords"

const redacted = "**redacted**"

// Errors returned by NormalizeAppPassword and ReadAppPassword. The
// returned errors wrap one of these and add how many letters were seen;
// they never contain the value itself.
var (
	// ErrNoAppPassword: nothing was given (empty input, empty file).
	ErrNoAppPassword = errors.New("no app password given")
	// ErrAppPasswordLength: only letters, but not 16 of them.
	ErrAppPasswordLength = errors.New("a Gmail app password is exactly 16 letters (Google shows it as four groups of four): copy all of it")
	// ErrLooksLikeAccountPassword: digits, symbols or non-ASCII letters.
	ErrLooksLikeAccountPassword = errors.New("this looks like an account password: Gmail needs an app password, create one at " + AppPasswordsURL + " after turning on 2-Step Verification")
	// ErrNoPasswordSource: no flag, no variable, no file and no terminal
	// to prompt on.
	ErrNoPasswordSource = errors.New("no app password: pass --password-stdin (and pipe it in), --password-file FILE, set " + DefaultPasswordEnv + ", or run on a terminal to be prompted")
)

// AppPassword is a normalised Gmail app password: 16 lower-case letters
// a–z. Every way of printing, logging or marshalling it redacts it;
// Reveal returns the letters for the one place that hands them to a
// server or a hash. The zero value is "no password".
type AppPassword struct{ s config.Secret }

// NormalizeAppPassword removes all whitespace (Google shows the code as
// four groups of four), lower-cases, and checks that exactly 16 letters
// a–z remain. Errors wrap ErrNoAppPassword, ErrAppPasswordLength or
// ErrLooksLikeAccountPassword and never repeat the input.
func NormalizeAppPassword(s string) (AppPassword, error) {
	var b strings.Builder
	n := 0
	other := 0
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		n++
		lr := unicode.ToLower(r)
		if lr < 'a' || lr > 'z' {
			other++
			continue
		}
		b.WriteRune(lr)
	}
	switch {
	case n == 0:
		return AppPassword{}, ErrNoAppPassword
	case other > 0:
		return AppPassword{}, fmt.Errorf("the password has %d characters, %d of them digits or symbols: %w", n, other, ErrLooksLikeAccountPassword)
	case n < 16:
		return AppPassword{}, fmt.Errorf("app password too short: got %d letters: %w", n, ErrAppPasswordLength)
	case n > 16:
		return AppPassword{}, fmt.Errorf("app password too long: got %d letters: %w", n, ErrAppPasswordLength)
	}
	return AppPassword{s: config.NewSecret(b.String())}, nil
}

// MustAppPassword is NormalizeAppPassword for constants in tests and
// examples; it panics on an invalid value.
func MustAppPassword(s string) AppPassword {
	p, err := NormalizeAppPassword(s)
	if err != nil {
		panic(err)
	}
	return p
}

// Reveal returns the 16 letters.
func (p AppPassword) Reveal() string { return p.s.Reveal() }

// Secret returns the password as a config.Secret.
func (p AppPassword) Secret() config.Secret { return p.s }

// IsZero reports whether no password is set.
func (p AppPassword) IsZero() bool { return p.s.Empty() }

// Spaced returns the letters in Google's display form, four groups of
// four ("abcd efgh ijkl mnop"). Like Reveal, only for handing it on.
func (p AppPassword) Spaced() string {
	v := p.s.Reveal()
	if len(v) != 16 {
		return v
	}
	return v[0:4] + " " + v[4:8] + " " + v[8:12] + " " + v[12:16]
}

// Fingerprint is the hex HMAC-SHA256 of the normalised password under
// key (the inventory's random per-file key): it tells which credential a
// device holds without storing the credential. The same password gives
// the same fingerprint whatever spacing or case it was typed with.
func (p AppPassword) Fingerprint(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(p.s.Reveal()))
	return hex.EncodeToString(m.Sum(nil))
}

// String implements fmt.Stringer.
func (p AppPassword) String() string { return redacted }

// GoString implements fmt.GoStringer.
func (p AppPassword) GoString() string { return "gmail.AppPassword{" + redacted + "}" }

// Format implements fmt.Formatter so that every verb (%d, %x, %+v…)
// redacts.
func (p AppPassword) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, p.GoString())
		return
	}
	_, _ = io.WriteString(f, redacted)
}

// LogValue implements slog.LogValuer.
func (p AppPassword) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON implements json.Marshaler.
func (p AppPassword) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }

// MarshalText implements encoding.TextMarshaler.
func (p AppPassword) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// PasswordSource says where ReadAppPassword may take the app password
// from. The command line never carries the value itself.
type PasswordSource struct {
	// Stdin is --password-stdin: read the first line of standard input.
	Stdin bool
	// File is --password-file (or fleet.toml's gmail.password_file):
	// the first non-empty line of the file.
	File string
	// Env names the environment variable; "" means DefaultPasswordEnv.
	Env string
	// Prompt is shown on the terminal; "" means "Gmail app password: ".
	Prompt string

	// StdinReader replaces os.Stdin (tests).
	StdinReader io.Reader
	// LookupEnv replaces os.LookupEnv (tests).
	LookupEnv func(string) (string, bool)
	// TTYIn and TTYOut replace the terminal (tests): when both are set
	// the prompt goes to TTYOut and a line is read from TTYIn, without
	// opening /dev/tty. When unset, /dev/tty is opened and read without
	// echo.
	TTYIn  io.Reader
	TTYOut io.Writer
}

// ReadAppPassword returns the normalised app password from the first
// source that applies, in this order: --password-stdin, --password-file,
// the environment variable, a no-echo prompt on the terminal (/dev/tty,
// so it works while stdin is a pipe). The prompt is erased afterwards.
// Without any of them it returns an error wrapping ErrNoPasswordSource.
// Validation errors are those of NormalizeAppPassword, prefixed with the
// source they came from.
func ReadAppPassword(ctx context.Context, src PasswordSource) (AppPassword, error) {
	if err := ctx.Err(); err != nil {
		return AppPassword{}, err
	}
	envName := src.Env
	if envName == "" {
		envName = DefaultPasswordEnv
	}
	lookup := src.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	switch {
	case src.Stdin:
		r := src.StdinReader
		if r == nil {
			r = os.Stdin
		}
		line, err := firstLine(r)
		if err != nil {
			return AppPassword{}, fmt.Errorf("--password-stdin: read standard input: %w", err)
		}
		return normalizeFrom("--password-stdin", line)
	case src.File != "":
		f, err := os.Open(src.File)
		if err != nil {
			return AppPassword{}, fmt.Errorf("--password-file %s: %w (check the path, or use --password-stdin)", src.File, err)
		}
		defer f.Close()
		line, err := firstLine(f)
		if err != nil {
			return AppPassword{}, fmt.Errorf("--password-file %s: %w", src.File, err)
		}
		return normalizeFrom("--password-file "+src.File, line)
	}
	if v, ok := lookup(envName); ok && strings.TrimSpace(v) != "" {
		return normalizeFrom("environment variable "+envName, v)
	}
	prompt := src.Prompt
	if prompt == "" {
		prompt = "Gmail app password: "
	}
	if src.TTYIn != nil && src.TTYOut != nil {
		if _, err := io.WriteString(src.TTYOut, prompt); err != nil {
			return AppPassword{}, err
		}
		line, err := firstLine(src.TTYIn)
		_, _ = io.WriteString(src.TTYOut, "\r\x1b[K")
		if err != nil {
			return AppPassword{}, fmt.Errorf("prompt: %w", err)
		}
		return normalizeFrom("prompt", line)
	}
	line, err := promptTTY(ctx, prompt)
	if err != nil {
		return AppPassword{}, err
	}
	return normalizeFrom("prompt", line)
}

func normalizeFrom(where, v string) (AppPassword, error) {
	p, err := NormalizeAppPassword(v)
	if err != nil {
		return AppPassword{}, fmt.Errorf("%s: %w", where, err)
	}
	return p, nil
}

// firstLine returns the first line with content (at most 4 KiB read).
func firstLine(r io.Reader) (string, error) {
	sc := bufio.NewScanner(io.LimitReader(r, 4096))
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			return t, nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", ErrNoAppPassword
}

// promptTTY reads a line from the terminal with echo off, like age does,
// so the prompt works even when stdin and stdout are redirected: /dev/tty
// on Unix, the console (CONIN$/CONOUT$) on Windows (tty_*.go).
func promptTTY(ctx context.Context, prompt string) (string, error) {
	in, tty, err := openTTY()
	if err != nil {
		return "", ErrNoPasswordSource
	}
	defer in.Close()
	defer tty.Close()
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return "", ErrNoPasswordSource
	}
	state, err := term.GetState(fd)
	if err != nil {
		return "", fmt.Errorf("prompt: %w", err)
	}
	if _, err := io.WriteString(tty, prompt); err != nil {
		return "", err
	}
	type res struct {
		b   []byte
		err error
	}
	ch := make(chan res, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		ch <- res{b, err}
	}()
	select {
	case r := <-ch:
		_, _ = io.WriteString(tty, clearLine)
		if r.err != nil {
			return "", fmt.Errorf("prompt: %w", r.err)
		}
		return string(r.b), nil
	case <-ctx.Done():
		_ = term.Restore(fd, state) // echo back on; the reader stays blocked
		_, _ = io.WriteString(tty, clearLine)
		return "", ctx.Err()
	}
}
