// Package torch is the "torch" backend: PyTorch on the CPU, run as an
// external worker (backends/external, docs/protocol.md). The worker is a
// Python file embedded in the binary; it runs under NBENCH_PYTHON, else
// the first of python3 on PATH and /usr/bin/python3 that can import torch.
// Without one, the backend is unavailable with each interpreter's reason.
package torch

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nbench/nbench/backends"
	"github.com/nbench/nbench/backends/external"
	"github.com/nbench/nbench/kernel"
)

// Name is the backend's name on the command line.
const Name = "torch"

//go:embed torch_worker.py
var workerPy []byte

func init() {
	backends.Register(backends.Entry{Name: Name, Order: 30, Explicit: true,
		Summary: "PyTorch (CPU) through an embedded Python worker (run when named: --backend=simd,torch)",
		Open:    func(cfg kernel.Config) (kernel.Backend, error) { return Open(cfg) }})
}

// Candidates lists the interpreters to try, with where each came from:
// NBENCH_PYTHON alone when set, else python3 on PATH and /usr/bin/python3
// (Debian's python3-torch installs for the system interpreter, which a
// pyenv or venv python3 earlier on PATH does not see).
func Candidates() [][2]string {
	if p := os.Getenv("NBENCH_PYTHON"); p != "" {
		return [][2]string{{p, "NBENCH_PYTHON"}}
	}
	var cs [][2]string
	seen := map[string]bool{}
	add := func(path, why string) {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			real = path
		}
		if !seen[real] {
			seen[real] = true
			cs = append(cs, [2]string{path, why})
		}
	}
	if p, err := exec.LookPath("python3"); err == nil {
		add(p, "python3 on PATH")
	}
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		add("/usr/bin/python3", "system python3")
	}
	return cs
}

// Open starts the worker under the first candidate that can import torch.
func Open(cfg kernel.Config) (*external.Backend, error) {
	dir, err := external.Materialize(map[string][]byte{"nbench_worker.py": external.PythonLib, "torch_worker.py": workerPy})
	if err != nil {
		return nil, fmt.Errorf("writing the worker: %w", err)
	}
	cands := Candidates()
	if len(cands) == 0 {
		return nil, fmt.Errorf("no python3 (on PATH or /usr/bin/python3; or set NBENCH_PYTHON)")
	}
	var rejected []string
	for _, c := range cands {
		spec := external.Spec{Name: Name, Argv: []string{c[0], filepath.Join(dir, "torch_worker.py")},
			Env: []string{"PYTHONDONTWRITEBYTECODE=1", "NBENCH_PYTHON_CHOICE=" + choice(c, rejected)}}
		b, err := external.Open(spec, cfg)
		if err == nil {
			return b, nil
		}
		rejected = append(rejected, fmt.Sprintf("%s (%s): %v", c[0], c[1], err))
	}
	return nil, fmt.Errorf("no usable python: %s", strings.Join(rejected, "; "))
}

// choice says which interpreter runs the worker and why the ones before
// it were passed over (a configuration line of result files).
func choice(c [2]string, rejected []string) string {
	s := c[0] + " (" + c[1] + ")"
	if len(rejected) > 0 {
		s += "; rejected: " + strings.Join(rejected, "; ")
	}
	return s
}
