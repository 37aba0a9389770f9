package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// TestGmailCheckRelay: `gmail check` for a relay site talks to the relay
// (no password needed), prints the IP the relay saw when it is not
// allow-listed, and passes once it is.
func TestGmailCheckRelay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := standin.Start(ctx, standin.Options{
		Addr: "127.0.83.1", Account: "scans@client.example", AppPassword: config.NewSecret("abcdwxyzabcdwxyz"),
		Relay: &standin.RelayOptions{},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	if err := srv.WriteCA(filepath.Join(dir, "ca.pem")); err != nil {
		t.Fatal(err)
	}
	_, rport, _ := strings.Cut(srv.RelayStartTLSAddr, ":")
	_, rtport, _ := strings.Cut(srv.RelayTLSAddr, ":")
	cfg := filepath.Join(dir, "fleet.toml")
	writeFile(t, cfg, "[gmail]\naccount = \"scans@client.example\"\nca_file = \"ca.pem\"\nrelay_host = \"127.0.83.1\"\nrelay_starttls_port = "+rport+"\nrelay_tls_port = "+rtport+"\n"+
		"[[sites]]\nname = \"Branch\"\nmethod = \"relay\"\nranges = [\"127.0.83.0/28\"]\n")

	r := mfpfleet(t, "", "--config", cfg, "gmail", "check", "--site", "Branch")
	if r.code != exitGmail || !strings.Contains(r.stdout, "127.0.0.1") || !strings.Contains(r.stdout, "SMTP relay service") || !strings.Contains(r.stdout, "550 5.7.0") {
		t.Fatalf("unlisted IP: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if err := srv.AllowRelayFrom("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	r = mfpfleet(t, "", "--config", cfg, "gmail", "check", "--site", "Branch", "--port", "both")
	if r.code != 0 || strings.Count(r.stdout, "ok ") != 2 || !strings.Contains(r.stdout, "EHLO mfpfleet-check.client.example") || !strings.Contains(r.stdout, "nothing was sent") {
		t.Fatalf("listed IP: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = mfpfleet(t, "", "--config", cfg, "--json", "gmail", "check", "--method", "relay", "--ehlo", "XC-B8C463")
	if r.code != exitGmail || !strings.Contains(r.stdout, `"code": "ehlo_rejected"`) {
		t.Fatalf("bare EHLO: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages sent; the check stops before DATA", n)
	}
}
