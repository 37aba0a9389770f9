package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// RotateOptions configure Rotate. The embedded Options carry the new app
// password (AppPassword), its Label, the account (default: the old
// credential's), Parallel, timeouts, Progress and so on; Options.Select is
// ignored: the devices are those holding From.
type RotateOptions struct {
	Options
	// From is the credential being replaced: its ID, label or fingerprint
	// prefix (as `mfpfleet audit` shows them).
	From string
	// Exclude are devices that are gone (lost, decommissioned): their
	// address, serial or MAC. They are marked retired and skipped.
	Exclude []string
	// To = config.MethodRelay moves the devices holding the account's app
	// passwords (or From's) onto the Workspace SMTP relay instead of
	// giving them a new app password; "" = a new app password.
	To string
}

// DeviceRef names a device in a RotateResult.
type DeviceRef struct {
	ID     int64  `json:"id"`
	IP     string `json:"ip"`
	Serial string `json:"serial,omitempty"`
	Model  string `json:"model,omitempty"`
}

func refOf(d inventory.Device) DeviceRef {
	return DeviceRef{ID: d.ID, IP: d.IP, Serial: d.Serial, Model: d.Model}
}

// RotateResult is what Rotate did.
type RotateResult struct {
	Summary
	// Old is the replaced credential.
	Old CredInfo `json:"old"`
	// Holders are the devices that held Old when the rotation started.
	Holders []DeviceRef `json:"holders"`
	// Excluded devices were marked retired.
	Excluded []DeviceRef `json:"excluded,omitempty"`
	// StillHolding are devices (in service) that still hold Old.
	StillHolding []DeviceRef `json:"still_holding,omitempty"`
	// Revoked is true when Old was marked revoked in the inventory (no
	// device in service holds it any more).
	Revoked bool `json:"revoked"`
	// Next tells the technician what to do now: revoke Old by its label at
	// RevokeURL, or re-run for the devices still holding it.
	Next      string `json:"next"`
	RevokeURL string `json:"revoke_url"`
	// To is "relay" for `rotate --to relay`.
	To string `json:"to,omitempty"`
	// ToRevoke are the app passwords no device holds any more after a
	// move to the relay (marked revoked in the inventory): revoke each at
	// RevokeURL by its label.
	ToRevoke []CredInfo `json:"to_revoke,omitempty"`
}

// Rotate replaces credential From on every device that holds it: the
// excluded devices are retired, the others get the new app password
// through the same engine as Push (plan, preflight, journal, confirm;
// run kind "rotate"), and once no device in service holds From any more it
// is marked revoked, and Next tells the technician to revoke it by its
// label at https://myaccount.google.com/apppasswords. Re-running after a
// failure continues with the devices still holding From. Errors are those
// of Push.
func Rotate(ctx context.Context, ro RotateOptions) (RotateResult, error) {
	o := ro.Options
	res := RotateResult{RevokeURL: gmail.AppPasswordsURL}
	if o.DB == nil || o.Config == nil {
		return res, fmt.Errorf("rollout: Options.Config and Options.DB are required")
	}
	switch ro.To {
	case "", config.MethodAppPassword:
	case config.MethodRelay:
		if len(ro.Exclude) > 0 {
			return res, errors.New("--exclude is for replacing an app password; for --to relay, retire gone devices first (`mfpfleet devices retire`)")
		}
		return rotateToRelay(ctx, ro)
	default:
		return res, fmt.Errorf("--to %q: use %q (move to the Workspace SMTP relay) or leave it out for a new app password", ro.To, config.MethodRelay)
	}
	if ro.From == "" {
		return res, fmt.Errorf("say which credential to rotate (--from ID, label or fingerprint prefix; `mfpfleet audit` lists them)")
	}
	old, err := o.DB.FindCredential(ctx, ro.From)
	if err != nil {
		return res, fmt.Errorf("--from %s: %w", ro.From, err)
	}
	res.Old = *credInfo(old)
	if o.Account == "" {
		o.Account = old.Account
	}
	if !o.AppPassword.IsZero() && o.DB.Fingerprint(o.AppPassword.Reveal()) == old.Fingerprint {
		return res, fmt.Errorf("the new app password is the one being rotated out (%q): create a new one at %s", old.Label, gmail.AppPasswordsURL)
	}
	holders, err := o.DB.DevicesHolding(ctx, old.ID)
	if err != nil {
		return res, err
	}
	for _, d := range holders {
		res.Holders = append(res.Holders, refOf(d))
	}
	excluded := map[int64]bool{}
	for _, ref := range ro.Exclude {
		d, err := o.DB.FindDevice(ctx, ref)
		if err != nil {
			return res, fmt.Errorf("--exclude %s: %w", ref, err)
		}
		excluded[d.ID] = true
		res.Excluded = append(res.Excluded, refOf(d))
		if !o.DryRun {
			why := fmt.Sprintf("excluded from the rotation of credential %q (gone)", old.Label)
			if err := o.DB.RetireDevice(ctx, d.ID, why); err != nil {
				return res, err
			}
		}
	}
	o.Select = Selector{}
	for _, d := range holders {
		if !excluded[d.ID] {
			o.Select.DeviceIDs = append(o.Select.DeviceIDs, d.ID)
		}
	}
	if len(o.Select.DeviceIDs) > 0 || o.Resume {
		res.Summary, err = execute(ctx, o, inventory.RunRotate)
		if o.DryRun || (err != nil && res.RunID == 0) {
			res.Next = "nothing changed (dry run or stopped before the run)"
			return res, err
		}
	} else {
		res.Summary = Summary{Kind: inventory.RunRotate, Account: o.Account, Status: inventory.RunSucceeded, Devices: []DeviceResult{}}
	}
	if o.DryRun {
		res.Next = "dry run: nothing changed"
		return res, nil
	}

	still, serr := o.DB.DevicesHolding(context.WithoutCancel(ctx), old.ID)
	if serr != nil {
		return res, serr
	}
	for _, d := range still {
		res.StillHolding = append(res.StillHolding, refOf(d))
	}
	if len(still) == 0 {
		if rerr := o.DB.RevokeCredential(context.WithoutCancel(ctx), old.ID); rerr != nil {
			return res, rerr
		}
		res.Revoked = true
		res.Next = fmt.Sprintf("no device holds %q any more: revoke it now in the Google account %s at %s (look for the app named %q)", old.Label, old.Account, gmail.AppPasswordsURL, old.Label)
	} else {
		var ips []string
		for _, d := range still {
			ips = append(ips, d.IP)
		}
		res.Next = fmt.Sprintf("%d device(s) still hold %q (%s): fix what the summary says and run the rotation again; revoke it at %s only once none does, or --exclude devices that are gone", len(still), old.Label, strings.Join(ips, ", "), gmail.AppPasswordsURL)
	}
	return res, err
}
