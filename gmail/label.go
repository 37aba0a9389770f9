package gmail

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
)

// MaxLabelLen is the longest label SuggestLabel and SiteLabel return.
// Google's app-password dialog takes short names and the list under
// myaccount.google.com/apppasswords shows them in one line; 40 runes
// keep "MFP <model> <serial>" whole for every model name seen so far.
const MaxLabelLen = 40

// SuggestLabel is the app name to type into Google's app-password dialog
// for one device, e.g. SuggestLabel("AltaLink C8070", "3TB123456") =
// "MFP AltaLink C8070 3TB123456". Only letters, digits, spaces and
// "-._/" are kept; when too long the model is shortened, never the serial
// (the serial is what maps the label back to the device).
func SuggestLabel(model, serial string) string {
	model = plain(model)
	serial = strings.ReplaceAll(plain(serial), " ", "")
	label := joinNonEmpty("MFP", model, serial)
	if runeLen(label) <= MaxLabelLen {
		return label
	}
	// Drop the model's last words until it fits (whole words read better
	// in Google's list than a cut one).
	words := strings.Fields(model)
	for len(words) > 0 {
		words = words[:len(words)-1]
		label = joinNonEmpty("MFP", strings.Join(words, " "), serial)
		if runeLen(label) <= MaxLabelLen {
			return label
		}
	}
	return string([]rune(label)[:min(MaxLabelLen, runeLen(label))])
}

// SiteLabel is the app name for one password shared by a site's devices,
// e.g. SiteLabel("HQ") = "MFP site HQ".
func SiteLabel(site string) string {
	label := joinNonEmpty("MFP site", plain(site))
	if runeLen(label) > MaxLabelLen {
		label = strings.TrimSpace(string([]rune(label)[:MaxLabelLen]))
	}
	return label
}

func plain(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '-', r == '.', r == '_', r == '/':
			b.WriteRune(r)
		default:
			b.WriteRune(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

func runeLen(s string) int { return len([]rune(s)) }

// ErrNotAnAddress is returned by PlusAddress for an account that is not
// user@domain.
var ErrNotAnAddress = errors.New("not an e-mail address (want user@gmail.com or user@your-domain)")

// maxLocalPart is RFC 5321's limit for the part before the @.
const maxLocalPart = 64

// PlusAddress returns account's plus-address for token:
// PlusAddress("it.scans@gmail.com", "mfp-3tb123456-k7q2m") =
// "it.scans+mfp-3tb123456-k7q2m@gmail.com". Gmail delivers it to the
// account's own inbox. The token is lower-cased and reduced to a–z, 0–9
// and "-" (what survives every printer's address field and Gmail's
// search), and shortened so the local part stays within 64 characters.
// A "+tag" already in the account is replaced.
func PlusAddress(account, token string) (string, error) {
	at := strings.LastIndexByte(account, '@')
	if at <= 0 || at == len(account)-1 || strings.ContainsAny(account, " \t<>,;\"") {
		return "", fmt.Errorf("account %q: %w", account, ErrNotAnAddress)
	}
	local, domain := account[:at], strings.ToLower(account[at+1:])
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	if local == "" {
		return "", fmt.Errorf("account %q: %w", account, ErrNotAnAddress)
	}
	tok := sanitizeToken(token)
	if tok == "" {
		return "", fmt.Errorf("plus-address token %q has no letters or digits: use NewToken", token)
	}
	if room := maxLocalPart - len(local) - 1; len(tok) > room {
		if room < 4 {
			return "", fmt.Errorf("account %q: local part too long to add a +token", account)
		}
		tok = strings.Trim(tok[len(tok)-room:], "-") // keep the nonce at the end
	}
	return local + "+" + tok + "@" + domain, nil
}

func sanitizeToken(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// NewToken returns a fresh confirmation token for a device,
// "mfp-<serial>-<nonce>" with a 6-character random nonce, e.g.
// "mfp-3tb123456-k7q2mx". Give it to PlusAddress.
func NewToken(serial string) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789" // no 0/o, 1/l
	var raw [6]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never fails (Go 1.24+)
	nonce := make([]byte, len(raw))
	for i, b := range raw {
		nonce[i] = alphabet[int(b)%len(alphabet)]
	}
	s := sanitizeToken(serial)
	if s == "" {
		return "mfp-" + string(nonce)
	}
	return "mfp-" + s + "-" + string(nonce)
}
