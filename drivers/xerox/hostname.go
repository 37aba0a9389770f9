package xerox

import (
	"context"
	"fmt"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// The TCP/IP page's host and domain name, which the firmware puts
// together for SMTP EHLO.
//
// GUESS: vendors.md does not document where these fields are; the paths
// below are the simulator's guesses in each family's URL style, tried
// first, then the menus are walked by link text as a person would
// ("Connectivity"/"Network" > "Protocols" > "TCP/IP"). The labels
// ("Host Name", "Domain Name") are those of the Xerox user guides.
var (
	hnHost   = drivers.Field{Key: "host", Labels: []string{"Host Name", "Hostname", "Device Host Name"}, Names: []string{"hostName"}, Type: "text"}
	hnDomain = drivers.Field{Key: "domain", Labels: []string{"Domain Name", "Domain", "DNS Domain Name"}, Names: []string{"domainName"}, Type: "text"}

	tcpipPaths = map[string]string{
		FamilyConnectKey: "/properties/network/tcpip.php",
		FamilyVersaLink:  "/network/tcpip.html",
		FamilyFujiXerox:  "/properties/tcpip.htm",
	}
)

var (
	_ drivers.HostNamer      = (*ckSession)(nil)
	_ drivers.HostNamer      = (*vlSession)(nil)
	_ drivers.HostNamer      = (*fxSession)(nil)
	_ drivers.HostNameSetter = (*Driver)(nil)
)

// CanSetHostName implements drivers.HostNameSetter: every family but the
// legacy web admin.
func (*Driver) CanSetHostName(dev devices.Device) bool {
	return dev.Family != FamilyLegacy
}

// openTCPIP loads the TCP/IP page and checks that it shows the host name.
func (b *base) openTCPIP(ctx context.Context) error {
	path := b.pages["tcpip"]
	if path == "" {
		path = tcpipPaths[b.family]
	}
	pg, err := b.tab.Navigate(ctx, path)
	if err != nil {
		return err
	}
	if pg.Status == 401 {
		return fmt.Errorf("the device asked for the password again on the TCP/IP page: %w", drivers.ErrTransient)
	}
	k := hnHost
	k.Optional = true
	st, err := b.tab.Read(ctx, "TCP/IP", k)
	if err != nil {
		return err
	}
	if !st["host"].Found {
		// Walk the menus from the landing page.
		for _, step := range [][]string{{"Properties", "Connectivity", "Network"}, {"Protocols"}, {"TCP/IP", "TCP/IP Settings", "TCP/IP Protocol"}} {
			l, err := b.tab.FindLink(ctx, "TCP/IP", step, nil)
			if err != nil {
				continue
			}
			if _, err := b.tab.Navigate(ctx, l.Href); err != nil {
				return err
			}
		}
		if st, err = b.tab.Read(ctx, "TCP/IP", k); err != nil {
			return err
		}
		if !st["host"].Found {
			return &drivers.FieldError{Page: "TCP/IP", Label: hnHost.Labels[0], Names: hnHost.Names}
		}
		if loc, err := b.tab.Location(ctx); err == nil {
			b.pages["tcpip"] = drivers.URLPath(loc)
			b.rememberPages(b.pages)
		}
	}
	return nil
}

func (b *base) readHostName(ctx context.Context) (drivers.HostName, error) {
	var h drivers.HostName
	if err := b.openTCPIP(ctx); err != nil {
		return h, err
	}
	d := hnDomain
	d.Optional = true
	st, err := b.tab.Read(ctx, "TCP/IP", hnHost, d)
	if err != nil {
		return h, err
	}
	h.Host = strings.TrimSpace(st["host"].Value)
	h.Domain = strings.Trim(strings.TrimSpace(st["domain"].Value), ".")
	return h, nil
}

func (b *base) writeHostName(ctx context.Context, h drivers.HostName) error {
	cur, err := b.readHostName(ctx)
	if err != nil {
		return err
	}
	if h.Host == "" {
		h.Host = cur.Host
	}
	if h.Host == "" {
		return fmt.Errorf("the device has no host name and none was given")
	}
	vals := []drivers.FieldValue{{Field: hnHost, Value: h.Host}, {Field: hnDomain, Value: h.Domain}}
	if _, err := b.tab.Fill(ctx, "TCP/IP", vals...); err != nil {
		return err
	}
	near := hnHost
	if err := b.tab.SubmitAndWait(ctx, "TCP/IP", &near, []string{"Apply", "Save", "Apply New Settings", "OK"}, nil, ""); err != nil {
		return err
	}
	var text string
	if err := b.tab.Eval(ctx, "read the answer", `document.body ? document.body.innerText : ""`, &text); err != nil {
		return err
	}
	if m := saveError(b.tab.Scrub(text)); m != "" {
		return fmt.Errorf("the device refused the host name %q and domain %q: %q", h.Host, h.Domain, m)
	}
	back, err := b.readHostName(ctx)
	if err != nil {
		return err
	}
	if !strings.EqualFold(back.Host, h.Host) || !strings.EqualFold(back.Domain, h.Domain) {
		return fmt.Errorf("the TCP/IP page shows host %q domain %q after saving %q %q: the device did not keep them", back.Host, back.Domain, h.Host, h.Domain)
	}
	return nil
}

// ReadHostName implements drivers.HostNamer.
func (s *ckSession) ReadHostName(ctx context.Context) (drivers.HostName, error) {
	h, err := s.readHostName(ctx)
	return h, s.failIf(ctx, "read", err)
}

// WriteHostName implements drivers.HostNamer.
func (s *ckSession) WriteHostName(ctx context.Context, h drivers.HostName) error {
	return s.failIf(ctx, "write", s.writeHostName(ctx, h))
}

// ReadHostName implements drivers.HostNamer.
func (s *fxSession) ReadHostName(ctx context.Context) (drivers.HostName, error) {
	h, err := s.readHostName(ctx)
	return h, s.failIf(ctx, "read", err)
}

// WriteHostName implements drivers.HostNamer.
func (s *fxSession) WriteHostName(ctx context.Context, h drivers.HostName) error {
	return s.failIf(ctx, "write", s.writeHostName(ctx, h))
}

// ReadHostName implements drivers.HostNamer; the app is loaded again
// afterwards, where the other steps expect it.
func (s *vlSession) ReadHostName(ctx context.Context) (drivers.HostName, error) {
	h, err := s.readHostName(ctx)
	if rerr := s.backToApp(ctx); err == nil {
		err = rerr
	}
	return h, s.failIf(ctx, "read", err)
}

// WriteHostName implements drivers.HostNamer.
func (s *vlSession) WriteHostName(ctx context.Context, h drivers.HostName) error {
	err := s.writeHostName(ctx, h)
	if rerr := s.backToApp(ctx); err == nil {
		err = rerr
	}
	return s.failIf(ctx, "write", err)
}

func (s *vlSession) backToApp(ctx context.Context) error {
	_, err := s.tab.NavigateSettled(ctx, "/home/index.html", nil, vlHasLogout+" || "+vlHasLogin)
	return err
}

func (b *base) failIf(ctx context.Context, step string, err error) error {
	if err == nil {
		return nil
	}
	return b.fail(ctx, step, fmt.Errorf("TCP/IP host name: %w", err))
}
