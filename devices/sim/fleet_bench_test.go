package sim

import (
	"context"
	"net/netip"
	"testing"
)

// BenchmarkStartFleet measures starting 50 Xerox devices (SNMP agent,
// key and certificate, HTTPS and HTTP listeners each) plus the Gmail
// stand-in, and stopping them.
func BenchmarkStartFleet(b *testing.B) {
	for b.Loop() {
		f, err := StartFleet(context.Background(), FleetOptions{
			Base: netip.MustParseAddr("127.0.39.100"), Count: 50, Vendors: []string{"xerox"},
			HTTPSPort: -1, HTTPPort: -1, SNMPPort: -1, GmailAddr: netip.MustParseAddr("127.0.39.252"),
		})
		if err != nil {
			b.Fatal(err)
		}
		_ = f.Close()
	}
}

// BenchmarkTestEmail measures one device's test e-mail through the
// stand-in: connect, STARTTLS, AUTH, send (what a push's test step costs
// the simulator).
func BenchmarkTestEmail(b *testing.B) {
	for _, port := range []int{587, 465} {
		b.Run(map[int]string{587: "starttls", 465: "tls"}[port], func(b *testing.B) {
			f, err := StartFleet(context.Background(), FleetOptions{
				Base: netip.MustParseAddr("127.0.39.160"), Count: 1, Vendors: []string{"xerox"},
				HTTPSPort: -1, HTTPPort: -1, SNMPPort: -1, GmailAddr: netip.MustParseAddr("127.0.39.253"),
			})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			d := f.Devices[0].Web
			pw := f.AppPassword.Reveal()
			s := SMTPSettings{Server: "smtp.gmail.com", Port: port, From: f.Account, Security: SecuritySTARTTLS, ValidateCert: true, Auth: AuthSMTP, User: f.Account}
			if port == 465 {
				s.Security = SecurityTLS
			}
			d.SetSMTP(s, &pw)
			for b.Loop() {
				if j := d.TestEmail(context.Background(), f.Account); !j.OK {
					b.Fatal(j.Result)
				}
			}
		})
	}
}
