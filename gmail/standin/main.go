package standin

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/mfpfleet/mfpfleet/config"
)

// Main runs the stand-in until ctx ends: `mfpsim gmail [flags]`. It
// prints one JSON object with the addresses and the CA file to stdout,
// then a log line per accepted message to stderr. The app password is
// read from --app-password-file (created with a random password when the
// file does not exist) or the environment variable
// MFPSIM_GMAIL_APP_PASSWORD, never from a flag. Returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gmail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1", "loopback IP to listen on")
	account := fs.String("account", "it.scans@gmail.com", "the mailbox's address")
	pwFile := fs.String("app-password-file", "", "file with the app password (16 letters); created with a random one if missing")
	acctPwFile := fs.String("account-password-file", "", "file with the account's normal password (AUTH with it gets 534 5.7.9)")
	caOut := fs.String("ca-out", "gmail-standin-ca.pem", "where to write the CA certificate (fleet.toml's gmail.ca_file)")
	startTLSPort := fs.Int("starttls-port", 0, "STARTTLS SMTP port (0 = any free)")
	tlsPort := fs.Int("tls-port", 0, "implicit-TLS SMTP port (0 = any free)")
	imapPort := fs.Int("imap-port", 0, "IMAP port, implicit TLS (0 = any free)")
	plainPort := fs.Int("plain-port", 0, "also open a plain SMTP port that answers AUTH with 530 (-1 = any free)")
	minTLS := fs.String("min-tls", "1.2", "lowest TLS version accepted: 1.0, 1.1, 1.2 or 1.3")
	verbose := fs.Bool("verbose", false, "debug logging")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ver, ok := map[string]uint16{"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}[*minTLS]
	if !ok {
		fmt.Fprintf(stderr, "gmail stand-in: --min-tls %q: use 1.0, 1.1, 1.2 or 1.3\n", *minTLS)
		return 2
	}
	appPw, err := appPasswordFrom(*pwFile)
	if err != nil {
		fmt.Fprintf(stderr, "gmail stand-in: %v\n", err)
		return 1
	}
	var acctPw config.Secret
	if *acctPwFile != "" {
		acctPw, err = config.SecretRef{Name: "--account-password-file", File: *acctPwFile}.Resolve()
		if err != nil {
			fmt.Fprintf(stderr, "gmail stand-in: %v\n", err)
			return 1
		}
	}
	srv, err := Start(ctx, Options{
		Addr: *addr, StartTLSPort: *startTLSPort, TLSPort: *tlsPort, IMAPPort: *imapPort, PlainPort: *plainPort,
		Account: *account, AppPassword: appPw, AccountPassword: acctPw, MinTLS: ver, Logger: log,
	})
	if err != nil {
		fmt.Fprintf(stderr, "gmail stand-in: %v\n", err)
		return 1
	}
	defer srv.Close()
	if err := srv.WriteCA(*caOut); err != nil {
		fmt.Fprintf(stderr, "gmail stand-in: write CA: %v\n", err)
		return 1
	}
	info := map[string]any{
		"account": *account, "starttls_addr": srv.StartTLSAddr, "tls_addr": srv.TLSAddr,
		"imap_addr": srv.IMAPAddr, "plain_addr": srv.PlainAddr, "ca_file": *caOut,
		"app_password_file": *pwFile, "gmail": srv.GmailConfig(*caOut),
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(info)
	<-ctx.Done()
	return 0
}

// appPasswordFrom reads the stand-in's app password from file (creating
// it with a random one when missing) or MFPSIM_GMAIL_APP_PASSWORD.
func appPasswordFrom(file string) (config.Secret, error) {
	norm := func(v string) string { return strings.ToLower(strings.Join(strings.Fields(v), "")) }
	if file == "" {
		if v := os.Getenv("MFPSIM_GMAIL_APP_PASSWORD"); v != "" {
			return config.NewSecret(norm(v)), nil
		}
		return config.Secret{}, errors.New("no app password: pass --app-password-file FILE (created if missing) or set MFPSIM_GMAIL_APP_PASSWORD")
	}
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		pw := RandomAppPassword()
		if err := os.WriteFile(file, []byte(pw.Reveal()+"\n"), 0o600); err != nil {
			return config.Secret{}, fmt.Errorf("--app-password-file: %w", err)
		}
		return pw, nil
	}
	if err != nil {
		return config.Secret{}, fmt.Errorf("--app-password-file: %w", err)
	}
	v := norm(string(b))
	if v == "" {
		return config.Secret{}, fmt.Errorf("--app-password-file %s is empty", file)
	}
	return config.NewSecret(v), nil
}

// RandomAppPassword returns 16 random letters a–z, like Google's.
func RandomAppPassword() config.Secret {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	b := make([]byte, 16)
	for i, r := range raw {
		b[i] = 'a' + r%26
	}
	return config.NewSecret(string(b))
}
