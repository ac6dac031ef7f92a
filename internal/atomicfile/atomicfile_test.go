package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "f.txt")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "one"); return err }); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "two"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Errorf("content %q", b)
	}
}

// A failure halfway through (a crash, Ctrl-C, a render error) must leave
// the previous file as it was and no temporary behind.
func TestFailedWriteKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "baseline.txt")
	os.WriteFile(path, []byte("old complete file"), 0o644)
	err := Write(path, func(w io.Writer) error {
		io.WriteString(w, "half a fi")
		return errors.New("interrupted")
	})
	if err == nil {
		t.Fatal("want the fill's error")
	}
	if b, _ := os.ReadFile(path); string(b) != "old complete file" {
		t.Errorf("old file damaged: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
}
