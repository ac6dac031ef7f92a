package external

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// PythonLib is template/nbench_worker.py, the protocol for Python workers,
// embedded so that a Python worker shipped inside the binary can import it.
//
//go:embed template/nbench_worker.py
var PythonLib []byte

// Materialize writes files (name -> content) into a directory named after
// their hash under the user's cache directory (else the temporary one) and
// returns it; files already there are reused, so a worker shipped in the
// binary is written once per version.
func Materialize(files map[string][]byte) (string, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(files[n]))
		h.Write(files[n])
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "nbench", "workers", hex.EncodeToString(h.Sum(nil))[:16])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, n := range names {
		path := filepath.Join(dir, n)
		if old, err := os.ReadFile(path); err == nil && string(old) == string(files[n]) {
			continue
		}
		// Write then rename: a concurrent nbench never sees half a file.
		tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
		if err := os.WriteFile(tmp, files[n], 0o644); err != nil {
			return "", err
		}
		if err := os.Rename(tmp, path); err != nil {
			return "", err
		}
	}
	return dir, nil
}
