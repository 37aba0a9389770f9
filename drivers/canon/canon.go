// Package canon drives Canon's two Remote UIs: the imageCLASS / i-SENSYS
// MF one (login.html → /checkLogin.cgi → portal_top.html, numeric field
// names iNNNN and an iToken per page) and the imageRUNNER ADVANCE one
// (POST /login with deptid/password, settings under /rps/ once the iR
// cookie is set). The family comes from the SNMP identity and is
// confirmed from the page; the page wins.
//
// Sourced facts ([C] in docs/vendors-smtp-pages.md, "Canon") are used as
// they are: the login posts and their answers, the MF E-mail/I-Fax page
// and its field names, the iR-ADV cookies and the factory System Manager
// ID/PIN 7654321 (Administrator/7654321 on the DX generation). Everything
// else ([I]: the iR-ADV E-mail page, both port pages, error wordings) is
// found the way a person finds it, by the labels next to the fields,
// with the simulator's names only as first guesses.
//
// Canon's SMTP encryption is STARTTLS only ("Use TLS for SMTP", "Allow
// TLS (SMTP Send)"), and the SMTP port is set on the TCP/IP Port Number
// page, not on the E-mail page: a Canon reaches Gmail on 587. Neither UI
// has a test e-mail action: a push ends written-unconfirmed until a scan
// to the plus-address arrives.
package canon

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Name is the driver's registry name.
const Name = "canon"

// Web-admin families.
const (
	FamilyImageClass = "canon/imageclass"
	FamilyIRAdvance  = "canon/iradvance"
)

// Factory login kinds.
const (
	KindMFSysMgr    = "canon-mf-7654321"
	KindIRASysMgr   = "canon-iradv-7654321"
	KindIRAAdminDX  = "canon-iradv-administrator"
	sysMgrID        = "7654321"
	sysMgrPIN       = "7654321"
	dxAdministrator = "Administrator"
)

// passwordMax is the SMTP password field's length ([I] guess, from the
// simulator; the page's maxlength is checked on every write).
const passwordMax = 32

// lockout: Canon's Lockout setting (threshold and period) [I]; the
// manual says it does not apply to Department ID/PIN logins, but some
// firmware may: the budget assumes the worst.
var lockout = drivers.Lockout{After: 5, Until: "the lock-out period (about 10 minutes) or a restart"}

// Driver is the Canon driver.
type Driver struct{}

var _ drivers.Driver = (*Driver)(nil)

func init() { drivers.Register(&Driver{}) }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

var (
	reIRADV = regexp.MustCompile(`(?i)\b(ir-?adv|imagerunner advance|imagerunner adv)\b`)
	// MF: imageCLASS, i-SENSYS, MF and D-series numbers ("D1180/MF6680",
	// "MF420 Series").
	reMF = regexp.MustCompile(`(?i)(^|[\s/])(imageclass|i-sensys|mf\d|d1\d{3}\b|x\s?\d{4})`)
	// Printers without scan-to-e-mail: LBP laser printers, TM/iPF plotters.
	reNoScan = regexp.MustCompile(`(?i)(^|\s)(lbp|tm-|ipf|imageprograf)`)
)

// modelText is what Match looks at: the model, else the sysDescr.
func modelText(dev devices.Device) string {
	if strings.TrimSpace(dev.Model) != "" {
		return dev.Model
	}
	return dev.SysDescr
}

// The families' Match: the registry calls them only for a Canon device
// (Info.Vendors), and prefers a recorded family to them.
func matchIRA(dev devices.Device) bool { return reIRADV.MatchString(modelText(dev)) }

func matchMF(dev devices.Device) bool {
	return !reIRADV.MatchString(modelText(dev)) && reMF.MatchString(modelText(dev))
}

// Info implements drivers.Driver: what this driver knows of Canon's
// Remote UIs.
func (*Driver) Info() drivers.Info {
	mfLogin := drivers.FactoryLogin{Kind: KindMFSysMgr, User: sysMgrID, From: drivers.PasswordFixed, Password: sysMgrPIN,
		Text: "the factory System Manager ID and PIN (7654321 / 7654321)", Short: "default 7654321"}
	return drivers.Info{
		Name: Name, Maker: "Canon", Vendors: []string{"canon"},
		Families: []drivers.Family{
			{
				ID: FamilyIRAdvance, Name: "imageRUNNER ADVANCE Remote UI (/rps/)",
				Match: matchIRA,
				Logins: []drivers.FactoryLogin{
					{Kind: KindIRASysMgr, User: sysMgrID, From: drivers.PasswordFixed, Password: sysMgrPIN,
						Text: "the factory System Manager ID and PIN (7654321 / 7654321)", Short: "default 7654321"},
					{Kind: KindIRAAdminDX, User: dxAdministrator, From: drivers.PasswordFixed, Password: sysMgrPIN,
						Text: "the factory administrator of user-authentication firmware (Administrator / 7654321)", Short: "default Administrator"},
				},
				Test: drivers.TestNone, Lockout: lockout, PasswordMax: passwordMax,
				Security:  []drivers.Security{drivers.SecurityStartTLS, drivers.SecurityNone},
				Confirmed: "login (/login, deptid/password, the iR cookie after /rps/nativetop.cgi) and factory logins confirmed; the E-mail and port pages found by label (guessed names); no test action",
				// The Remote UI often answers on 8000 (Metasploit's and
				// P1's port [C]) as well as 443; 8443 [I].
				HTTPSPorts: []int{443, 8443}, HTTPPorts: []int{8000, 80},
			},
			{
				ID: FamilyImageClass, Name: "imageCLASS / i-SENSYS MF Remote UI (portal_top.html)",
				Match: matchMF, Logins: []drivers.FactoryLogin{mfLogin},
				Test: drivers.TestNone, Lockout: lockout, PasswordMax: passwordMax,
				Security:  []drivers.Security{drivers.SecurityStartTLS, drivers.SecurityNone},
				Confirmed: "login (/checkLogin.cgi), the E-mail/I-Fax page and its field names confirmed (MF42x); the port page and error wordings guessed; no test action",
			},
			{
				// LBP printers and large-format plotters: no scan to e-mail.
				ID: "canon/printer", Name: "LBP / imagePROGRAF printers (no scan to e-mail)",
				Match:   func(dev devices.Device) bool { return reNoScan.MatchString(modelText(dev)) },
				Decline: declineNoScan,
			},
		},
	}
}

func declineNoScan(dev devices.Device) error {
	return fmt.Errorf("the Canon %s is a printer without scan to e-mail: there is no SMTP setting to push (leave it out of the push, or set its e-mail notifications by hand): %w",
		strings.TrimSpace(modelText(dev)), drivers.ErrUnsupported)
}

// NewSession implements drivers.Driver: it loads "/" and confirms the
// family from what the device serves (login.html with the i0012 radio
// or portal_top.html: MF; a form posting to /login with deptid, or the
// "Remote UI : Portal": iR-ADV).
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	b := base{tab: tab, dev: tab.Device(), drv: d, log: tab.Logger().With("driver", Name)}
	fam, err := b.detect(ctx)
	if err != nil {
		return nil, tab.Fail(ctx, "open", err)
	}
	if want := b.dev.Family; want != "" && want != fam {
		b.log.Info("web admin family differs from what SNMP suggests; following the page", "snmp_family", want, "page_family", fam)
	}
	b.family = fam
	if fam == FamilyImageClass {
		return &mfSession{base: b}, nil
	}
	return &iraSession{base: b}, nil
}

// base is what the two families' sessions share.
type base struct {
	tab      *drivers.Tab
	dev      devices.Device
	drv      *Driver
	family   string
	log      *slog.Logger
	loggedIn bool
	// onLogin: the tab shows the login form (detect left it there, or a
	// refused login came back to it).
	onLogin bool
	// dx: the iR-ADV page asks a user name (user-authentication login).
	dx bool
}

type landing struct {
	Path     string `json:"path"`
	MFLogin  bool   `json:"mfLogin"`
	MFPortal bool   `json:"mfPortal"`
	IRALogin bool   `json:"iraLogin"`
	IRAPort  bool   `json:"iraPortal"`
	DX       bool   `json:"dx"`
}

const landingJS = `({path: location.pathname,
  mfLogin: !!document.querySelector("input[name=i0012], form[action*='checkLogin.cgi']"),
  mfPortal: /portal_top\.html$/.test(location.pathname),
  iraLogin: !!document.querySelector("form[action$='/login'] input[name=deptid], input[name=deptid]"),
  iraPortal: /Remote UI\s*:\s*Portal/.test(document.title + " " + (document.body ? document.body.innerText : "")) || /\/rps\//.test(location.pathname),
  dx: !!document.querySelector("input[name=user_type_generic]")})`

// detect loads "/" and tells the family.
func (b *base) detect(ctx context.Context) (string, error) {
	pg, err := b.tab.NavigateSettled(ctx, "/", nil, `document.querySelector("form,input,a") || (document.body && document.body.innerText.trim().length > 0)`)
	if err != nil {
		return "", err
	}
	if pg.Status >= 500 {
		return "", fmt.Errorf("the Remote UI answers HTTP %d: %w", pg.Status, drivers.ErrTransient)
	}
	var l landing
	if err := b.tab.Eval(ctx, "look at the landing page", landingJS, &l); err != nil {
		return "", err
	}
	switch {
	case l.MFLogin || l.MFPortal:
		b.onLogin = l.MFLogin
		return FamilyImageClass, nil
	case l.IRALogin || l.IRAPort:
		b.onLogin, b.dx = l.IRALogin, l.DX
		return FamilyIRAdvance, nil
	}
	return "", fmt.Errorf("the landing page %s looks like neither Canon Remote UI this driver knows (imageCLASS/i-SENSYS MF, imageRUNNER ADVANCE); run `mfpfleet probe %s` and send us the output: %w", l.Path, b.tab.Address(), drivers.ErrUnsupported)
}

// Info implements drivers.Session.
func (b *base) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: b.family, Address: b.tab.Address(), BaseURL: b.tab.BaseURL(),
		CertSHA256: b.tab.CertSHA256(), FirstContact: b.tab.FirstContact()}
}

// Close implements drivers.Session.
func (b *base) Close() error { return b.tab.Close() }

func (b *base) fail(ctx context.Context, step string, err error) error {
	if err == nil {
		return nil
	}
	return b.tab.Fail(ctx, step, err)
}

// credentials returns the factory logins of family fam.
func (b *base) credentials(fam string) []drivers.Credential {
	for _, f := range b.drv.Info().Families {
		if f.ID == fam {
			return f.Credentials(b.dev)
		}
	}
	return nil
}

var (
	reLocked = regexp.MustCompile(`(?i)\blocked\b|lock-?out|number of failed login attempts|too many (failed )?(login|log-in)`)
	reBusy   = regexp.MustCompile(`(?i)another (user|administrator|system manager)[^.]{0,60}(logged|logging) in|already logged in|is being used by another|cannot log ?in because another`)
	reSaveOK = regexp.MustCompile(`(?i)settings (were|have been) (applied|changed|saved)|\bapplied\b`)
	reError  = regexp.MustCompile(`(?i)\berror\b|incorrect|invalid|enter (a|up to|the|a number)|could not be performed|out of date`)
)

// loginError classifies a refused login from what the page says.
func loginError(c drivers.Credential, text string) error {
	switch {
	case reLocked.MatchString(text):
		return fmt.Errorf("%s: the device says %q: %w", c.Describe(), firstMatch(text, reLocked), drivers.ErrLockedOut)
	case reBusy.MatchString(text):
		return fmt.Errorf("%s: the device says %q: %w", c.Describe(), firstMatch(text, reBusy), drivers.ErrBusy)
	}
	return fmt.Errorf("%s: %w", c.Describe(), drivers.ErrBadCredentials)
}

func firstMatch(text string, re *regexp.Regexp) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && re.MatchString(l) {
			if len(l) > 200 {
				l = l[:200]
			}
			return l
		}
	}
	return ""
}

// checkSettings validates what WriteSMTP is asked to write: Canon
// encrypts with STARTTLS only, so SSL/TLS on 465 is refused with what
// to do instead.
func checkSettings(s drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(s); err != nil {
		return err
	}
	if s.Security == drivers.SecuritySSLTLS || s.Port == 465 {
		return fmt.Errorf("the Canon Remote UI offers only STARTTLS (\"Use TLS for SMTP\"), not SSL/TLS on port %d: push with port 587 (STARTTLS) instead: %w", s.Port, drivers.ErrUnsupported)
	}
	return nil
}

// firmwareChecks turns what the E-mail page lacks into ErrFirmware: no
// SMTP AUTH, no TLS, a password field too short for w.Password.
func firmwareChecks(st map[string]drivers.FieldState, w drivers.SMTPSettings, page string) error {
	var missing []string
	if w.Auth && !st["auth"].Found {
		missing = append(missing, "SMTP authentication (SMTP AUTH)")
	}
	if w.Security == drivers.SecurityStartTLS && !st["tls"].Found {
		missing = append(missing, "TLS for SMTP")
	}
	if len(missing) > 0 {
		return fmt.Errorf("the %s page has no %s: this firmware cannot reach Gmail (it needs SMTP AUTH and STARTTLS with TLS 1.2): update the firmware or use a local relay: %w",
			page, strings.Join(missing, " and no "), drivers.ErrFirmware)
	}
	if pw := st["pw"]; w.Auth && pw.Found && pw.MaxLength > 0 && len(w.Password.Reveal()) > pw.MaxLength {
		return fmt.Errorf("the %s page's SMTP password field takes only %d characters, the app password has %d: update the firmware: %w",
			page, pw.MaxLength, len(w.Password.Reveal()), drivers.ErrFirmware)
	}
	return nil
}

// boolText is a checkbox value for Fill.
func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// dummy is the cache-buster the Remote UI's own links carry.
func dummy() string { return fmt.Sprint(time.Now().UnixMilli()) }

// pinFits refuses, before typing it, a password longer than the login
// page's PIN field takes (a System Manager PIN is at most 7 digits): it
// cannot be this device's, and the page would cut it. It wraps
// ErrBadCredentials and says what to put in fleet.toml.
func pinFits(ctx context.Context, tab *drivers.Tab, pin drivers.Field, c drivers.Credential) error {
	st, err := tab.Read(ctx, "Login", pin)
	if err != nil {
		return err
	}
	if m := st[pin.Key].MaxLength; m > 0 && len(c.Password.Reveal()) > m {
		return fmt.Errorf("%s: the login page's %s field takes at most %d characters, so this password cannot be the device's (a Canon System Manager PIN is up to 7 digits): put the System Manager ID as user and the PIN as password in fleet.toml [[credentials]]: %w",
			c.Describe(), strings.TrimSuffix(st[pin.Key].Label, ":"), m, drivers.ErrBadCredentials)
	}
	return nil
}
