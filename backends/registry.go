// Package backends is the registry of nbench backends. Each backend package
// registers itself in init; backends/all imports them all.
package backends

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/nbench/nbench/kernel"
)

// Entry describes a backend that may be opened.
type Entry struct {
	Name    string
	Summary string
	// Order sorts backends in listings and in --backend=all.
	Order int
	// Open opens the backend; an error says why it is unavailable here.
	Open func(cfg kernel.Config) (kernel.Backend, error)
	// ISAs lists, best first, every level Config.ISA may name for this
	// backend in this build (GOARCH, build tags), whether or not this CPU
	// runs it; nil for a backend that ignores Config.ISA.
	ISAs func() []string
	// Explicit backends run only when named, never as part of
	// --backend=all: peers such as torch, measured for comparison and
	// judged by nbench's checks, whose known deviations would otherwise
	// fail every default run.
	Explicit bool
}

var registry = map[string]Entry{}

// Register adds a backend entry.
func Register(e Entry) {
	if _, dup := registry[e.Name]; dup {
		panic("backends: registered twice: " + e.Name)
	}
	registry[e.Name] = e
}

// List returns every registered backend in display order.
func List() []Entry {
	es := make([]Entry, 0, len(registry))
	for _, e := range registry {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].Order < es[j].Order })
	return es
}

// Names returns the registered backend names in display order.
func Names() []string {
	var ns []string
	for _, e := range List() {
		ns = append(ns, e.Name)
	}
	return ns
}

// Resolver makes an entry for a dynamic backend name (e.g. "exec:PATH",
// an external worker), or reports ok = false for a name it does not handle.
type Resolver struct {
	Prefix string // the names it handles start with this ("exec:")
	Usage  string // how such a name is written, for error messages ("exec:PATH")
	Entry  func(name string) Entry
}

var resolvers []Resolver

// AddResolver registers a resolver for names starting with r.Prefix.
func AddResolver(r Resolver) { resolvers = append(resolvers, r) }

// Lookup returns the entry named name, or an error listing the valid names.
func Lookup(name string) (Entry, error) {
	e, ok := registry[name]
	if ok {
		return e, nil
	}
	valid := append([]string{"all"}, Names()...)
	for _, r := range resolvers {
		if strings.HasPrefix(name, r.Prefix) {
			return r.Entry(name), nil
		}
		valid = append(valid, r.Usage)
	}
	return Entry{}, fmt.Errorf("unknown backend %q (valid: %s)", name, strings.Join(valid, ", "))
}

// ISAs returns the levels Config.ISA may name in this build: every
// registered backend's ISAs, in backend order, without repeats.
func ISAs() []string {
	var out []string
	for _, e := range List() {
		if e.ISAs == nil {
			continue
		}
		for _, l := range e.ISAs() {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// CheckISA returns an error, listing the valid levels, when isa is neither
// empty (the best level) nor a level of ISAs, whichever backends are
// selected: an unknown level is a typo. A known level that this CPU cannot
// run is left to the backend's Open, which says so.
func CheckISA(isa string) error {
	known := ISAs()
	if isa == "" || slices.Contains(known, isa) {
		return nil
	}
	if len(known) == 0 {
		return fmt.Errorf("unknown ISA level %q (no backend of this build takes one)", isa)
	}
	return fmt.Errorf("unknown ISA level %q (valid on %s: %s)", isa, runtime.GOARCH, strings.Join(known, ", "))
}
