package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// globals is what every command shares: the loaded config, the logger and
// the output streams. It lives in the App's Metadata.
type globals struct {
	cfg     *config.Config
	cfgErr  error // the config's error, kept for doctor (which reports it)
	log     *slog.Logger
	json    bool
	dbPath  string
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	closers []func() error
	db      *inventory.DB
}

func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Value: "fleet.toml", EnvVars: []string{"MFPFLEET_CONFIG"},
			Usage: "configuration `FILE` (see fleet.example.toml); a missing default file means built-in defaults"},
		&cli.StringFlag{Name: "db", EnvVars: []string{"MFPFLEET_DB"},
			Usage: "inventory: an SQLite file `PATH` (default: [inventory] path of the config, else ./fleet.db) or a postgres://USER@HOST/DB URL (password in PGPASSWORD or ~/.pgpass)"},
		&cli.BoolFlag{Name: "json", Usage: "machine-readable output on stdout (logs and progress stay on stderr)"},
		&cli.StringFlag{Name: "log-level", Value: "warn", EnvVars: []string{"MFPFLEET_LOG_LEVEL"},
			Usage: "stderr log `LEVEL`: debug, info, warn or error"},
	}
}

func setupGlobals(c *cli.Context) error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return usageError("--log-level %q: use debug, info, warn or error", c.String("log-level"))
	}
	g := &globals{
		json:   c.Bool("json"),
		stdin:  c.App.Reader,
		stdout: c.App.Writer,
		stderr: c.App.ErrWriter,
	}
	g.log = slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: lvl}))

	path := c.String("config")
	cfg, err := config.Load(path)
	switch {
	case errors.Is(err, config.ErrNotFound) && !c.IsSet("config") && os.Getenv("MFPFLEET_CONFIG") == "":
		d := config.Default()
		cfg = &d
		g.log.Debug("no fleet.toml here; using built-in defaults", "path", path)
	case err != nil && c.Args().First() == "doctor":
		d := config.Default()
		cfg, g.cfgErr = &d, err
	case err != nil:
		return fmt.Errorf("%w: %w", errConfig, err)
	}
	for _, w := range cfg.Warnings {
		g.log.Warn(w)
	}
	g.cfg = cfg
	// Passwords printed on the devices' labels, by serial ([rollout]
	// label_passwords): the factory logins of families that have one.
	labels, err := cfg.LabelPasswords()
	if err != nil {
		return fmt.Errorf("%w: %w", errConfig, err)
	}
	drivers.SetLabelPasswords(labels)
	g.dbPath = cfg.Inventory.Path
	if c.IsSet("db") || os.Getenv("MFPFLEET_DB") != "" {
		g.dbPath = c.String("db")
	}
	if c.App.Metadata == nil {
		c.App.Metadata = map[string]any{}
	}
	c.App.Metadata["globals"] = g
	return nil
}

func closeGlobals(c *cli.Context) error {
	g, ok := c.App.Metadata["globals"].(*globals)
	if !ok {
		return nil
	}
	var errs []error
	for i := len(g.closers) - 1; i >= 0; i-- {
		errs = append(errs, g.closers[i]())
	}
	g.closers = nil
	return errors.Join(errs...)
}

func getGlobals(c *cli.Context) *globals {
	return c.App.Metadata["globals"].(*globals)
}

// onClose runs f when the command ends (in reverse order).
func (g *globals) onClose(f func() error) { g.closers = append(g.closers, f) }

// printJSON writes v as indented JSON on stdout.
func (g *globals) printJSON(v any) error {
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes rows aligned in columns on stdout.
func (g *globals) table(header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		for i := range r {
			if r[i] == "" {
				r[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// stdoutWidth is the terminal's width in columns, 0 when stdout is not a
// terminal (a pipe or a file: nothing is left out).
func (g *globals) stdoutWidth() int {
	f, ok := g.stdout.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// stderrIsTerminal reports whether progress bars make sense.
func (g *globals) stderrIsTerminal() bool {
	f, ok := g.stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// openDB opens the inventory once per command and closes it at the end.
func (g *globals) openDB(ctx context.Context) (*inventory.DB, error) {
	if g.db != nil {
		return g.db, nil
	}
	db, err := inventory.Open(ctx, g.dbPath)
	if err != nil {
		if errors.Is(err, inventory.ErrNewerSchema) {
			return nil, withHint(err, "this inventory was written by a newer mfpfleet: upgrade, or use another --db")
		}
		return nil, err // names the file, or the URL without its password
	}
	if db.Created() {
		where := g.dbPath
		if abs, err := filepath.Abs(where); err == nil {
			where = abs
		}
		fmt.Fprintf(g.stderr, "mfpfleet: created a new inventory at %s (readable only by you; keep it: it holds the devices, the journal and the fingerprint key; --db or [inventory] path to put it elsewhere)\n", where)
	}
	g.db = db
	g.onClose(db.Close)
	return db, nil
}

// redactDB is the inventory path or URL fit for output (no password).
func redactDB(ref string) string { return inventory.Redact(ref) }
