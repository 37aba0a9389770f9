package drivers

import (
	"sync"

	"github.com/mfpfleet/mfpfleet/config"
)

var (
	labelMu sync.RWMutex
	labels  config.LabelPasswords
)

// SetLabelPasswords gives the drivers the passwords printed on devices'
// labels ([rollout] label_passwords), by serial: a family's PasswordLabel
// login is tried with the one of its device's serial. nil forgets them.
func SetLabelPasswords(l config.LabelPasswords) {
	labelMu.Lock()
	defer labelMu.Unlock()
	labels = l
}

// LabelPassword returns the label password given for serial.
func LabelPassword(serial string) (config.Secret, bool) {
	labelMu.RLock()
	defer labelMu.RUnlock()
	return labels.Lookup(serial)
}
