package external

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbench/nbench/backends"
	"github.com/nbench/nbench/kernel"
)

// exec:PATH resolves to an explicit entry that starts PATH; unknown names
// say that exec:PATH is a valid form.
func TestExecResolver(t *testing.T) {
	e, err := backends.Lookup("exec:/bin/cat")
	if err != nil || e.Name != "exec:/bin/cat" || !e.Explicit {
		t.Fatalf("Lookup(exec:...) = %+v, %v", e, err)
	}
	if _, err := backends.Lookup("nosuch"); err == nil || !strings.Contains(err.Error(), "exec:PATH") {
		t.Errorf("unknown backend error %v does not mention exec:PATH", err)
	}
	// cat echoes the hello request: an answer without "ok" or "error".
	if _, err := e.Open(kernel.Config{}); err == nil || !strings.Contains(err.Error(), "neither") {
		t.Errorf("exec:/bin/cat: %v, want unavailable, naming the bad answer", err)
	}
}

// The backends file gives named entries; a malformed line is an entry that
// is unavailable, naming the file and line.
func TestConfigFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "backends")
	os.WriteFile(path, []byte("# workers\nmylib /opt/mylib/worker --fast  # comment\n\nbroken\n"), 0o644)
	es, err := readConfig(path)
	if err != nil || len(es) != 2 {
		t.Fatalf("readConfig: %d entries, %v", len(es), err)
	}
	if es[0].Name != "mylib" || !es[0].Explicit {
		t.Errorf("entry 0: %+v", es[0])
	}
	if _, err := es[0].Open(kernel.Config{}); err == nil || !strings.Contains(err.Error(), "/opt/mylib/worker") {
		t.Errorf("mylib open: %v, want the missing command named", err)
	}
	if _, err := es[1].Open(kernel.Config{}); err == nil || !strings.Contains(err.Error(), path+":4") {
		t.Errorf("malformed line: %v, want %s:4 named", err, path)
	}
	if es, err := readConfig(filepath.Join(t.TempDir(), "none")); err != nil || es != nil {
		t.Errorf("missing file: %v %v", es, err)
	}
}
