package xerox

import "github.com/mfpfleet/mfpfleet/drivers"

// RememberPages makes the registered driver believe model's pages are at
// the paths in m (tests of pages that moved since they were remembered).
func RememberPages(model string, m map[string]string) {
	drv, ok := drivers.Lookup(Name)
	if !ok {
		panic("xerox driver not registered")
	}
	drv.(*Driver).pages.Store(model, m)
}
