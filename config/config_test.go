package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExampleParses(t *testing.T) {
	c, err := Load(filepath.Join("..", "fleet.example.toml"))
	if err != nil {
		t.Fatalf("fleet.example.toml must load strictly: %v", err)
	}
	def := Default()
	if c.Discovery.Rate != def.Discovery.Rate || c.Rollout.Parallel != def.Rollout.Parallel ||
		c.Gmail.SMTPHost != def.Gmail.SMTPHost || c.Rollout.LoginAttemptBudget != def.Rollout.LoginAttemptBudget {
		t.Errorf("example and Default() disagree: %+v", c)
	}
	if c.Discovery.Timeout.Duration != 800*time.Millisecond {
		t.Errorf("timeout = %v", c.Discovery.Timeout)
	}
	if got := filepath.Base(c.Inventory.Path); got != "fleet.db" || !filepath.IsAbs(c.Inventory.Path) && filepath.Dir(c.Inventory.Path) != ".." {
		t.Errorf("inventory path not resolved against the file: %q", c.Inventory.Path)
	}
}

// Every key the struct knows must be documented in the example: decode
// the example into a generic map and compare with the struct's tags.
func TestExampleDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "fleet.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, key := range []string{
		"path", "rate", "timeout", "retries", "port", "allow_large", "all_snmp", "snmp_versions",
		"communities", "user", "auth_protocol", "auth_password_env", "auth_password_file",
		"priv_protocol", "priv_password_env", "priv_password_file", "context_name",
		"name", "ranges", "allow_http", "account", "site", "vendor", "model", "address",
		"password_env", "password_file", "password", "smtp_host", "starttls_port", "tls_port",
		"imap_host", "imap_port", "ca_file", "device_port", "device_smtp_host",
		"parallel", "login_attempt_budget", "step_timeout", "confirm_timeout", "artifacts_dir",
		"site_labels", "flags", "site_isolation",
	} {
		if !strings.Contains(text, key+" =") {
			t.Errorf("fleet.example.toml does not document %q", key)
		}
	}
}

func TestStrictErrors(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
	}{
		{"unknown key", "[discovery]\nrate = 10\nratee = 5\n", []string{"line 3", `"discovery.ratee"`}},
		{"wrong type", "[discovery]\n\nrate = \"fast\"\n", []string{"line 3", "discovery.rate"}},
		{"bad duration", "[rollout]\nstep_timeout = \"soon\"\n", []string{"line 2", "not a duration"}},
		{"bad port pairing", "[gmail]\ndevice_port = 25\n", []string{"587 (STARTTLS) or 465"}},
		{"v3 without password", "[[snmp.v3]]\nuser = \"m\"\nauth_protocol = \"SHA\"\n", []string{"auth password is missing", "auth_password_env"}},
		{"priv without auth", "[[snmp.v3]]\nuser = \"m\"\npriv_protocol = \"AES\"\npriv_password_env = \"X\"\n", []string{"needs an auth_protocol"}},
		{"unknown site", "[[credentials]]\nsite = \"nowhere\"\nuser = \"admin\"\npassword_env = \"X\"\n", []string{`site "nowhere" is not defined`}},
		{"bad account", "[gmail]\naccount = \"not-an-address\"\n", []string{"not an e-mail address"}},
		{"bad version", "[discovery]\nsnmp_versions = [\"2\"]\n", []string{`"2" is not one of`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatal("expected an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestPlaintextPasswordWarns(t *testing.T) {
	c, err := Parse([]byte("[[credentials]]\nvendor = \"xerox\"\nuser = \"admin\"\npassword = \"hunter2\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "plaintext password") || strings.Contains(c.Warnings[0], "hunter2") {
		t.Errorf("warnings = %q", c.Warnings)
	}
}

func TestSecretResolveAndRedaction(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "pw")
	if err := os.WriteFile(f, []byte("s3cretvalue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MFPFLEET_TEST_SECRET", "envsecretvalue")
	cases := []struct {
		name string
		ref  SecretRef
		want string
		err  string
	}{
		{"file", SecretRef{Name: "k", File: f}, "s3cretvalue", ""},
		{"env", SecretRef{Name: "k", Env: "MFPFLEET_TEST_SECRET"}, "envsecretvalue", ""},
		{"plain", SecretRef{Name: "k", Plain: "p"}, "p", ""},
		{"env unset", SecretRef{Name: "k", Env: "MFPFLEET_TEST_UNSET_XYZ"}, "", "MFPFLEET_TEST_UNSET_XYZ is not set"},
		{"nothing", SecretRef{Name: "k"}, "", "secret not set"},
		{"missing file", SecretRef{Name: "k", File: filepath.Join(dir, "nope")}, "", "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.ref.Resolve()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || s.Reveal() != tc.want {
				t.Fatalf("got %q, %v", s.Reveal(), err)
			}
			var logs bytes.Buffer
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "secret", s, "struct", struct{ S Secret }{s})
			j, _ := json.Marshal(map[string]any{"s": s})
			for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), logs.String(), string(j)} {
				if strings.Contains(out, tc.want) {
					t.Errorf("secret leaked: %s", out)
				}
			}
		})
	}
}

func TestAccountFor(t *testing.T) {
	c, err := Parse([]byte("[gmail]\naccount = \"a@gmail.com\"\n[[sites]]\nname = \"B\"\naccount = \"b@gmail.com\"\n[[sites]]\nname = \"C\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	for site, want := range map[string]string{"B": "b@gmail.com", "C": "a@gmail.com", "": "a@gmail.com"} {
		if got := c.AccountFor(site); got != want {
			t.Errorf("AccountFor(%q) = %q, want %q", site, got, want)
		}
	}
}

// Windows paths: single quotes keep backslashes and spaces; in double
// quotes a backslash is an escape, refused with the fix rather than
// silently turned into a control character.
func TestWindowsPaths(t *testing.T) {
	c, err := Parse([]byte("[inventory]\npath = 'C:\\Users\\Tech Name\\fleet.db'\n[browser]\npath = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Inventory.Path != `C:\Users\Tech Name\fleet.db` || c.Browser.Path != `C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe` {
		t.Fatalf("paths: %q %q", c.Inventory.Path, c.Browser.Path)
	}
	for _, doc := range []string{
		"[inventory]\npath = \"C:\\Users\\tech\\fleet.db\"\n", // invalid \U escape
		"[inventory]\npath = \"C:\\fleet\\new.db\"\n",         // \f and \n: valid escapes, wrong path
		"[rollout]\nartifacts_dir = \"D:\\tech\\artifacts\"\n",
	} {
		_, err := Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), "single quotes") {
			t.Errorf("%q: err = %v, want the single-quotes fix", doc, err)
		}
	}
}
