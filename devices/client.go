package devices

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpfleet/mfpfleet/config"
)

// Client is the slice of an SNMP client that identification needs: one
// GET at a time against one agent. The real one wraps a gosnmp.GoSNMP of
// its own (never shared between goroutines); tests use a fake that replays
// recorded PDUs.
type Client interface {
	// Get asks for oids in one request. It returns the response PDU as
	// is, error status included (an SNMPv1 agent answers noSuchName for
	// the whole request when one OID is missing); err is for transport,
	// timeout and SNMPv3 security failures.
	Get(ctx context.Context, oids []string) (*gosnmp.SnmpPacket, error)
	Close() error
}

// V3User is one SNMPv3 USM user tried on agents that answer the engine-ID
// probe. Protocols are spelled as in fleet.toml: auth MD5, SHA, SHA224,
// SHA256, SHA384, SHA512 ("" = noAuthNoPriv); priv DES, AES, AES192,
// AES256, AES192C, AES256C ("" = authNoPriv).
type V3User struct {
	User         string
	AuthProtocol string
	AuthPassword config.Secret
	PrivProtocol string
	PrivPassword config.Secret
	ContextName  string
}

// V3UsersFromConfig resolves the [[snmp.v3]] users of fleet.toml.
func V3UsersFromConfig(users []config.SNMPv3) ([]V3User, error) {
	var out []V3User
	for i, u := range users {
		v := V3User{User: u.User, AuthProtocol: u.AuthProtocol, PrivProtocol: u.PrivProtocol, ContextName: u.ContextName}
		if u.AuthProtocol != "" {
			s, err := u.AuthRef().Resolve()
			if err != nil {
				return nil, fmt.Errorf("snmp.v3[%d] (user %q): %w", i, u.User, err)
			}
			v.AuthPassword = s
		}
		if u.PrivProtocol != "" {
			s, err := u.PrivRef().Resolve()
			if err != nil {
				return nil, fmt.Errorf("snmp.v3[%d] (user %q): %w", i, u.User, err)
			}
			v.PrivPassword = s
		}
		if _, err := v.usm(); err != nil {
			return nil, fmt.Errorf("snmp.v3[%d]: %w", i, err)
		}
		out = append(out, v)
	}
	return out, nil
}

var authProtocols = map[string]gosnmp.SnmpV3AuthProtocol{
	"MD5": gosnmp.MD5, "SHA": gosnmp.SHA, "SHA1": gosnmp.SHA, "SHA224": gosnmp.SHA224,
	"SHA256": gosnmp.SHA256, "SHA384": gosnmp.SHA384, "SHA512": gosnmp.SHA512,
}

var privProtocols = map[string]gosnmp.SnmpV3PrivProtocol{
	"DES": gosnmp.DES, "AES": gosnmp.AES, "AES128": gosnmp.AES, "AES192": gosnmp.AES192,
	"AES256": gosnmp.AES256, "AES192C": gosnmp.AES192C, "AES256C": gosnmp.AES256C,
}

func normProto(s string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(strings.TrimSpace(s)))
}

// usm builds fresh security parameters (never shared between hosts: gosnmp
// stores the engine ID, boots and time it learns in them).
func (u V3User) usm() (*gosnmp.UsmSecurityParameters, error) {
	if u.User == "" {
		return nil, errors.New("snmpv3 user has no name: set user = \"...\"")
	}
	sp := &gosnmp.UsmSecurityParameters{UserName: u.User}
	if u.AuthProtocol == "" {
		if u.PrivProtocol != "" {
			return nil, fmt.Errorf("snmpv3 user %q: priv_protocol needs an auth_protocol too", u.User)
		}
		return sp, nil
	}
	ap, ok := authProtocols[normProto(u.AuthProtocol)]
	if !ok {
		return nil, fmt.Errorf("snmpv3 user %q: auth_protocol %q: use MD5, SHA, SHA224, SHA256, SHA384 or SHA512", u.User, u.AuthProtocol)
	}
	if u.AuthPassword.Empty() {
		return nil, fmt.Errorf("snmpv3 user %q: auth password is missing, required for auth_protocol %s (set auth_password_env or auth_password_file)", u.User, u.AuthProtocol)
	}
	sp.AuthenticationProtocol = ap
	sp.AuthenticationPassphrase = u.AuthPassword.Reveal()
	if u.PrivProtocol == "" {
		return sp, nil
	}
	pp, ok := privProtocols[normProto(u.PrivProtocol)]
	if !ok {
		return nil, fmt.Errorf("snmpv3 user %q: priv_protocol %q: use DES, AES, AES192 or AES256", u.User, u.PrivProtocol)
	}
	if u.PrivPassword.Empty() {
		return nil, fmt.Errorf("snmpv3 user %q: priv password is missing, required for priv_protocol %s (set priv_password_env or priv_password_file)", u.User, u.PrivProtocol)
	}
	sp.PrivacyProtocol = pp
	sp.PrivacyPassphrase = u.PrivPassword.Reveal()
	return sp, nil
}

func (u V3User) flags() gosnmp.SnmpV3MsgFlags {
	switch {
	case u.AuthProtocol == "":
		return gosnmp.NoAuthNoPriv
	case u.PrivProtocol == "":
		return gosnmp.AuthNoPriv
	}
	return gosnmp.AuthPriv
}

// level is the security level as net-snmp names it, for logs.
func (u V3User) level() string {
	switch u.flags() {
	case gosnmp.NoAuthNoPriv:
		return "noAuthNoPriv"
	case gosnmp.AuthNoPriv:
		return "authNoPriv"
	}
	return "authPriv"
}

// ClientOptions configures NewClient.
type ClientOptions struct {
	Version   string // "1", "2c" or "3"
	Community string // v1/v2c
	V3        V3User // v3
	Timeout   time.Duration
	Retries   int
}

// NewClient connects a gosnmp-backed Client to one agent. Each Client owns
// its socket and security state; use it from one goroutine.
func NewClient(ctx context.Context, agent netip.AddrPort, o ClientOptions) (Client, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	g := &gosnmp.GoSNMP{
		Target:  agent.Addr().String(),
		Port:    agent.Port(),
		Timeout: o.Timeout,
		Retries: o.Retries,
		MaxOids: gosnmp.MaxOids,
		Context: ctx,
	}
	switch o.Version {
	case "1":
		g.Version, g.Community = gosnmp.Version1, o.Community
	case "2c", "":
		g.Version, g.Community = gosnmp.Version2c, o.Community
	case "3":
		sp, err := o.V3.usm()
		if err != nil {
			return nil, err
		}
		g.Version = gosnmp.Version3
		g.SecurityModel = gosnmp.UserSecurityModel
		g.MsgFlags = o.V3.flags()
		g.SecurityParameters = sp
		g.ContextName = o.V3.ContextName
	default:
		return nil, fmt.Errorf("snmp version %q: use 1, 2c or 3", o.Version)
	}
	if err := g.Connect(); err != nil {
		return nil, fmt.Errorf("%s: connect: %w", agent.Addr(), err)
	}
	return &gosnmpClient{g: g}, nil
}

type gosnmpClient struct{ g *gosnmp.GoSNMP }

func (c *gosnmpClient) Get(ctx context.Context, oids []string) (*gosnmp.SnmpPacket, error) {
	c.g.Context = ctx
	return c.g.Get(oids)
}

func (c *gosnmpClient) Close() error {
	if c.g.Conn == nil {
		return nil
	}
	return c.g.Conn.Close()
}

// gather drives the identification GETs of one host: IdentityOIDs first,
// then FollowUpOIDs of what came back. It copes with SNMPv1 agents that
// fail a whole request for one missing OID (noSuchName: ask again without
// it) and with tooBig or other errors (split the request). Both the
// asynchronous sweep and Collect use it; it does no I/O itself.
type gather struct {
	values   Values
	stage    int // 0 identity, 1 follow-up, 2 done
	queue    [][]string
	inflight int
}

func newGather() *gather {
	return &gather{values: Values{}, queue: [][]string{IdentityOIDs}}
}

// next returns the next request to send, if any.
func (g *gather) next() ([]string, bool) {
	if len(g.queue) == 0 {
		return nil, false
	}
	oids := g.queue[0]
	g.queue = g.queue[1:]
	g.inflight++
	return oids, true
}

// answer takes the response to a request that next returned.
func (g *gather) answer(asked []string, pkt *gosnmp.SnmpPacket) {
	g.inflight--
	switch {
	case pkt.Error == gosnmp.NoError:
		pduValues(g.values, pkt.Variables)
	case pkt.Error == gosnmp.NoSuchName && int(pkt.ErrorIndex) >= 1 && int(pkt.ErrorIndex) <= len(asked):
		rest := make([]string, 0, len(asked)-1)
		rest = append(rest, asked[:pkt.ErrorIndex-1]...)
		rest = append(rest, asked[pkt.ErrorIndex:]...)
		if len(rest) > 0 {
			g.queue = append(g.queue, rest)
		}
	case len(asked) > 1:
		h := len(asked) / 2
		g.queue = append(g.queue, asked[:h], asked[h:])
	}
	g.advance()
}

// fail gives up on a request (timed out after its retries).
func (g *gather) fail([]string) {
	g.inflight--
	g.advance()
}

func (g *gather) advance() {
	for g.inflight == 0 && len(g.queue) == 0 && g.stage < 2 {
		g.stage++
		if g.stage == 1 {
			var more []string
			for _, o := range FollowUpOIDs(g.values) {
				if _, have := g.values[strings.TrimPrefix(o, ".")]; !have {
					more = append(more, o)
				}
			}
			for len(more) > 0 {
				n := min(len(more), 20)
				g.queue = append(g.queue, more[:n])
				more = more[n:]
			}
		}
	}
}

func (g *gather) done() bool { return g.stage >= 2 }

// ErrNoAnswer is wrapped by Collect when the agent answered none of the
// identification requests.
var ErrNoAnswer = errors.New("no answer")

// Collect runs the identification GETs (IdentityOIDs, then FollowUpOIDs)
// over c and returns what the agent answered. It fails, wrapping the
// client's error, only when the very first request gets no answer.
func Collect(ctx context.Context, c Client) (Values, error) {
	g := newGather()
	first := true
	for !g.done() {
		oids, ok := g.next()
		if !ok {
			break // cannot happen: done() covers an empty queue
		}
		pkt, err := c.Get(ctx, oids)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if first {
				return nil, fmt.Errorf("%w: %w", ErrNoAnswer, err)
			}
			g.fail(oids)
			continue
		}
		first = false
		g.answer(oids, pkt)
	}
	return g.values, nil
}
