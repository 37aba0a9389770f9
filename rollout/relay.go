package rollout

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// StepHostName is the journal step that gives a relay device a fully
// qualified EHLO name.
const StepHostName = "hostname"

// methodOf is the delivery method a target's device is pushed with: the
// run's Options.Method when set, else its site's ([[sites]] method, else
// [gmail] method).
func (o *Options) methodOf(site string) string {
	if o.Method != "" {
		return o.Method
	}
	return o.Config.MethodFor(site)
}

// relayAuth reports whether relay devices log in (the Admin console's
// "Require SMTP Authentication").
func (o *Options) relayAuth() bool { return o.Config.Gmail.RelayAuth }

// needsAppPassword reports whether pushing t puts an app password on the
// device.
func (o *Options) needsAppPassword(t Target) bool {
	return t.Method != config.MethodRelay || o.relayAuth()
}

// settingsFor is what a device of method m is given.
func (o *Options) settingsFor(m string) drivers.SMTPSettings {
	g := o.Config.Gmail
	if m != config.MethodRelay {
		return drivers.GmailSettings(g.DeviceSMTPHost, o.Account, o.AppPassword.Secret(), g.DevicePort)
	}
	s := drivers.GmailSettings(g.DeviceRelayHost, o.Account, o.AppPassword.Secret(), g.DevicePort)
	if !o.relayAuth() {
		// The site's IP is allow-listed: nothing secret on the device.
		s.Auth, s.User, s.Password = false, "", config.Secret{}
	}
	return s
}

// planRelay notes, before the push, what the relay needs from t's device:
// an EHLO name in the client's domain, which the driver sets — or, where
// it cannot, what the technician must do by hand.
func (o *Options) planRelay(t *Target) {
	if t.Method != config.MethodRelay {
		return
	}
	t.EHLODomain = o.Config.EHLODomainFor(t.Device.Site)
	if t.Skip != "" || t.Fail != "" {
		return
	}
	if !drivers.CanSetHostName(t.Device.Device) {
		t.Note = fmt.Sprintf("relay: the %s driver cannot set this device's host and domain name, and smtp-relay.gmail.com drops a bare EHLO name: set its domain name to %s on the device's TCP/IP page by hand before the push", cmpOr(t.Driver, "no"), t.EHLODomain)
		return
	}
	t.Note = fmt.Sprintf("relay: the device's domain name will be set to %s so that its EHLO is HOST.%s", t.EHLODomain, t.EHLODomain)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// setHostName gives a relay device an EHLO name in the client's domain,
// keeping its host name. It returns the name the device now announces.
func setHostName(ctx context.Context, sess drivers.Session, ip, domain string) (string, error) {
	hn, ok := sess.(drivers.HostNamer)
	if !ok {
		return "", fmt.Errorf("%s: the %s web admin offers mfpfleet no way to set the host and domain name, and smtp-relay.gmail.com drops a bare EHLO name: set the domain name to %s on the device by hand: %w", ip, sess.Info().Family, domain, drivers.ErrUnsupported)
	}
	cur, err := hn.ReadHostName(ctx)
	if err != nil {
		return "", err
	}
	if cur.InDomain(domain) && gmail.ValidEHLO(cur.EHLO()) {
		return cur.EHLO(), nil
	}
	want := drivers.HostName{Host: cur.Host, Domain: domain}
	if !gmail.ValidEHLO(want.EHLO()) {
		// A host name the relay would refuse even with a domain
		// (spaces, underscores): derive one from the address.
		want.Host = "mfp-" + strings.NewReplacer(".", "-", ":", "-").Replace(ip)
	}
	if err := hn.WriteHostName(ctx, want); err != nil {
		return "", err
	}
	return want.EHLO(), nil
}

// relayPreflight tries the relay from this machine as a printer would,
// once, before any device is touched.
func relayPreflight(ctx context.Context, o *Options, ehloDomain string) (gmail.Result, error) {
	g := o.Config.Gmail
	port, mode := g.RelayStartTLSPort, gmail.ModeSTARTTLS
	if g.DevicePort == gmail.DefaultTLSPort {
		port, mode = g.RelayTLSPort, gmail.ModeTLS
	}
	rcpt, err := gmail.PlusAddress(o.Account, "mfp-preflight")
	if err != nil {
		rcpt = o.Account
	}
	ehlo := ""
	if ehloDomain != "" {
		ehlo = "mfpfleet-check." + ehloDomain
	}
	return gmail.RelayCheck(ctx, gmail.RelayCheckOptions{
		Sender: o.Account, Recipient: rcpt, EHLO: ehlo, Host: g.RelayHost, Port: port, Mode: mode, CAFile: g.CAFile,
		Auth: o.relayAuth(), Password: o.AppPassword, Timeout: o.StepTimeout, Logger: o.Logger,
	})
}

// rotateToRelay moves the devices holding app passwords of a Workspace
// account (all of them, or those holding ro.From) onto the SMTP relay:
// the relay settings are pushed and confirmed through the same engine as
// Push (run kind "rotate"); every app password no device in service
// holds any more is marked revoked and listed in ToRevoke, to be revoked
// at https://myaccount.google.com/apppasswords.
func rotateToRelay(ctx context.Context, ro RotateOptions) (RotateResult, error) {
	o := ro.Options
	res := RotateResult{RevokeURL: gmail.AppPasswordsURL, To: config.MethodRelay}
	if o.Account == "" {
		o.Account = o.Config.Gmail.Account
	}
	var olds []inventory.Credential
	if ro.From != "" {
		c, err := o.DB.FindCredential(ctx, ro.From)
		if err != nil {
			return res, fmt.Errorf("--from %s: %w", ro.From, err)
		}
		olds = append(olds, c)
		if o.Account == "" {
			o.Account = c.Account
		}
	}
	if o.Account == "" {
		return res, errors.New("no account: pass --account ADDRESS (the Workspace sender, e.g. scans@client.com) or set [gmail] account in fleet.toml")
	}
	if dom := domainOf(o.Account); dom == "gmail.com" || dom == "googlemail.com" {
		return res, fmt.Errorf("%s is a consumer Gmail account: the SMTP relay serves Google Workspace domains only; keep app passwords for it", o.Account)
	}
	if ro.From == "" {
		cs, err := o.DB.ListCredentials(ctx, false)
		if err != nil {
			return res, err
		}
		for _, c := range cs {
			if strings.EqualFold(c.Account, o.Account) {
				olds = append(olds, c)
			}
		}
	}
	seen := map[int64]bool{}
	o.Select = Selector{}
	for _, c := range olds {
		holders, err := o.DB.DevicesHolding(ctx, c.ID)
		if err != nil {
			return res, err
		}
		for _, d := range holders {
			if !seen[d.ID] {
				seen[d.ID] = true
				res.Holders = append(res.Holders, refOf(d))
				o.Select.DeviceIDs = append(o.Select.DeviceIDs, d.ID)
			}
		}
	}
	o.Method = config.MethodRelay
	if len(o.Select.DeviceIDs) == 0 && !o.Resume {
		res.Summary = Summary{Kind: inventory.RunRotate, Account: o.Account, Status: inventory.RunSucceeded, Devices: []DeviceResult{}}
		res.Next = fmt.Sprintf("no device in service holds an app password of %s: nothing to move to the relay", o.Account)
		return res, nil
	}
	var err error
	res.Summary, err = execute(ctx, o, inventory.RunRotate)
	if o.DryRun || (err != nil && res.RunID == 0) {
		res.Next = "nothing changed (dry run or stopped before the run)"
		return res, err
	}
	var still []string
	for _, c := range olds {
		holders, herr := o.DB.DevicesHolding(context.WithoutCancel(ctx), c.ID)
		if herr != nil {
			return res, herr
		}
		if len(holders) > 0 {
			for _, d := range holders {
				res.StillHolding = append(res.StillHolding, refOf(d))
				still = append(still, d.IP)
			}
			continue
		}
		if o.relayAuth() && o.DB.Fingerprint(o.AppPassword.Reveal()) == c.Fingerprint {
			continue // the relay logs in with this one
		}
		if rerr := o.DB.RevokeCredential(context.WithoutCancel(ctx), c.ID); rerr != nil {
			return res, rerr
		}
		res.ToRevoke = append(res.ToRevoke, *credInfo(c))
	}
	res.Revoked = len(res.ToRevoke) > 0
	var labels []string
	for _, c := range res.ToRevoke {
		labels = append(labels, fmt.Sprintf("%q", c.Label))
	}
	switch {
	case len(still) > 0:
		res.Next = fmt.Sprintf("%d device(s) still hold an app password of %s (%s): fix what the summary says and run `mfpfleet rotate --to relay` again", len(still), o.Account, strings.Join(still, ", "))
		if len(labels) > 0 {
			res.Next += fmt.Sprintf("; no device holds %s any more: revoke them at %s", strings.Join(labels, ", "), gmail.AppPasswordsURL)
		}
	case len(labels) > 0:
		res.Next = fmt.Sprintf("every device sends through the relay now: revoke these app passwords of %s at %s: %s", o.Account, gmail.AppPasswordsURL, strings.Join(labels, ", "))
	default:
		res.Next = "every device sends through the relay now"
	}
	return res, err
}

func domainOf(addr string) string {
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		return strings.ToLower(addr[at+1:])
	}
	return ""
}

// wipeSettings is want with AUTH on and a random password of no use to
// anyone: written before AUTH is switched off, it replaces the app
// password a device stored.
func wipeSettings(want, cur drivers.SMTPSettings, account string) drivers.SMTPSettings {
	w := want
	w.Auth = true
	w.User = cmpOr(cur.User, account)
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	w.Password = config.NewSecret(string(b))
	return w
}
