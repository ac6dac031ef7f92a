package harness

import (
	"runtime"
	"strconv"
	"strings"
)

// Version is nbench's version, written into every result file.
var Version = "0.1.0-dev"

// KV is one configuration line of a result file ("key: value").
type KV struct{ Key, Value string }

// Env describes where results were taken: the configuration lines written
// ahead of results (benchfmt) and into JSON. Providers can add lines (the
// machine description, GPU details) with AddEnv.
type Env []KV

var envProviders []func() Env

// AddEnv registers a provider of extra configuration lines.
func AddEnv(f func() Env) { envProviders = append(envProviders, f) }

// Describe returns the configuration of this run.
func Describe(threads int) Env {
	e := Env{
		{"goos", runtime.GOOS},
		{"goarch", runtime.GOARCH},
		{"nbench-version", Version},
		{"go-version", runtime.Version()},
		{"threads", strconv.Itoa(threads)},
	}
	for _, f := range envProviders {
		e = append(e, f()...)
	}
	return e
}

// Get returns the value of key, or "".
func (e Env) Get(key string) string {
	for _, kv := range e {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// ConfigKey turns a label into a benchfmt configuration key: lower case,
// no spaces or colons.
func ConfigKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == ':' || r == '\t':
			return '-'
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
