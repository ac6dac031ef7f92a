package external

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nbench/nbench/backends"
	"github.com/nbench/nbench/kernel"
)

// Prefix names an external worker on the command line: --backend=exec:PATH.
const Prefix = "exec:"

// Entry is the registry entry of a worker command; its Open starts it.
func Entry(name, summary string, order int, argv []string) backends.Entry {
	return backends.Entry{Name: name, Summary: summary, Order: order, Explicit: true,
		Open: func(cfg kernel.Config) (kernel.Backend, error) {
			b, err := Open(Spec{Name: name, Argv: argv}, cfg)
			if err != nil {
				return nil, err
			}
			return b, nil
		}}
}

// ConfigFile is the file that registers external backends by name:
// NBENCH_BACKENDS, else <user config dir>/nbench/backends. Each line is
// "NAME COMMAND [ARGS...]" (fields split on blanks; # starts a comment).
func ConfigFile() string {
	if f := os.Getenv("NBENCH_BACKENDS"); f != "" {
		return f
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "nbench", "backends")
}

// readConfig parses the config file into entries; a malformed line is an
// entry that is unavailable with the reason, so list and run show it.
func readConfig(path string) ([]backends.Entry, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var es []backends.Entry
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		summary := "external worker (" + path + ")"
		if len(fields) < 2 {
			err := fmt.Errorf("%s:%d: want \"NAME COMMAND [ARGS...]\", got %q", path, line, strings.TrimSpace(text))
			es = append(es, backends.Entry{Name: fields[0], Summary: summary, Order: 40 + line, Explicit: true,
				Open: func(kernel.Config) (kernel.Backend, error) { return nil, err }})
			continue
		}
		es = append(es, Entry(fields[0], summary, 40+line, fields[1:]))
	}
	return es, sc.Err()
}

func init() {
	backends.AddResolver(backends.Resolver{Prefix: Prefix, Usage: Prefix + "PATH",
		Entry: func(name string) backends.Entry {
			path := strings.TrimPrefix(name, Prefix)
			return Entry(name, "external worker "+path, 50, []string{path})
		}})
}

// RegisterConfig registers the backends of ConfigFile. backends/all calls
// it after every built-in backend has registered, so a name that is taken
// is reported, not registered twice.
func RegisterConfig() {
	path := ConfigFile()
	if path == "" {
		return
	}
	es, err := readConfig(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "nbench: backends file %s: %v\n", path, err)
	}
	for _, e := range es {
		if _, err := backends.Lookup(e.Name); err == nil || strings.HasPrefix(e.Name, Prefix) {
			fmt.Fprintf(os.Stderr, "nbench: backends file %s: name %q is taken; line ignored\n", path, e.Name)
			continue
		}
		backends.Register(e)
	}
}
