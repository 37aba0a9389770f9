package config

import (
	"strings"
	"testing"
)

func TestMethodPerSite(t *testing.T) {
	c, err := Parse([]byte(`
[gmail]
account = "scans@client.example"
[[sites]]
name = "HQ"
method = "relay"
ehlo_domain = "print.client.example"
[[sites]]
name = "Branch"
account = "branch@client.example"
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.MethodFor("HQ"); got != MethodRelay {
		t.Errorf("MethodFor(HQ) = %q", got)
	}
	if got := c.MethodFor("Branch"); got != MethodAppPassword {
		t.Errorf("MethodFor(Branch) = %q, want the default", got)
	}
	if got := c.EHLODomainFor("HQ"); got != "print.client.example" {
		t.Errorf("EHLODomainFor(HQ) = %q", got)
	}
	if got := c.EHLODomainFor("Branch"); got != "client.example" {
		t.Errorf("EHLODomainFor(Branch) = %q, want the account's domain", got)
	}
	for _, bad := range []string{
		"[gmail]\nmethod = \"oauth\"\n",
		"[[sites]]\nname = \"X\"\nmethod = \"smtp\"\n",
		"[gmail]\nehlo_domain = \"XC-B8C463\"\n",
		"[gmail]\naccount = \"scans@gmail.com\"\nmethod = \"relay\"\n",
	} {
		if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), "relay") && !strings.Contains(err.Error(), "domain") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}
