package inventory

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mfpfleet/mfpfleet/inventory/pgtest"
)

// backend is the engine the suite is running on: TestMain runs every test
// of the package on SQLite, then again on a throw-away PostgreSQL (when
// its server binaries are installed, or MFPFLEET_REQUIRE_PEERS=1 demands
// it).
var backend = "sqlite"

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && (pgtest.Available() || os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1") {
		fmt.Println("=== the same inventory suite on PostgreSQL")
		backend = "postgres"
		code = m.Run()
		pgtest.StopShared()
	}
	os.Exit(code)
}

// testTarget returns where a test opens an inventory: a new SQLite file,
// or a new PostgreSQL database on the second pass.
func testTarget(t testing.TB) string {
	t.Helper()
	if backend == "postgres" {
		return pgtest.Database(t)
	}
	return filepath.Join(t.TempDir(), "fleet.db")
}

// sqliteOnly skips a test about the SQLite file itself on the PostgreSQL
// pass.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if backend != "sqlite" {
		t.Skip("about the SQLite file")
	}
}

// Login kinds as the Xerox driver declares them (the inventory stores
// kinds as data and names none).
const (
	AdminDefault1111   = "default-1111"
	AdminDefaultSerial = "default-serial"
	AdminDefaultOther  = "default-other"
)
