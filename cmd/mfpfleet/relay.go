package main

import (
	"fmt"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// relayByIPOnly reports whether every device o can select sends through
// the relay without SMTP AUTH, so that no app password goes on a device
// (one may still be given to read the mailbox).
func relayByIPOnly(cfg *config.Config, o rollout.Options) bool {
	if cfg.Gmail.RelayAuth {
		return false
	}
	if o.Method != "" {
		return o.Method == config.MethodRelay
	}
	sites := o.Select.Sites
	if len(sites) == 0 {
		if cfg.Gmail.Method != config.MethodRelay {
			return false
		}
		for _, s := range cfg.Sites {
			if s.Method != "" && s.Method != config.MethodRelay {
				return false
			}
		}
		return true
	}
	for _, s := range sites {
		if cfg.MethodFor(s) != config.MethodRelay {
			return false
		}
	}
	return true
}

// printPlanNotes prints what the plan says per device beyond the table:
// for the relay, the domain name each device gets or what to do by hand.
func (g *globals) printPlanNotes(p *rollout.Plan) {
	for _, t := range p.Targets {
		if t.Note != "" && t.Skip == "" && t.Fail == "" {
			fmt.Fprintf(g.stderr, "note: %s: %s\n", t.Device.IP, t.Note)
		}
	}
}
