package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/gate"
	"github.com/nbench/nbench/reports"
	"github.com/nbench/nbench/suites/suite"
)

// Gated measurements are made of rounds: each round is a fresh process (an
// nbench binary: this one, or another revision's for `nbench ab`) that
// allocates its own buffers and measures every selected case with a few
// samples. The gate's statistics treat a round's median of a case as one
// observation (harness/gate: CompareRounds).

// Round measurement defaults, measured on this project's 2-vCPU VM (the
// between-process spread of the gate selection's cases, median over
// cases, 6 processes each): cases measured one after another, each in one
// stretch with rotated buffers beyond the L3 (5 x 20 ms): 5.8-9.8%; in
// cache (one buffer set): 5.8%; in cache with the samples of all cases
// taken in turns (harness.RunInterleaved): 1.3-3.2%, for 4 x 10 ms as for
// 5 x 20 ms, and 8 s a round instead of 16. DRAM bandwidth on a shared
// host is what varies most from one process to the next, and a slow spell
// of the host lasts longer than a sample: spread over the round, a case's
// median is clean. Rounds run at one thread: the second CPU absorbs the OS
// and neighbours.
const (
	roundCount     = 4
	roundBenchtime = 10 * time.Millisecond
	roundThreads   = 1
	roundCache     = "warm"
	// defaultBudget bounds the rounds of one gate so that `nbench ab` of the
	// gate selection takes about 10 minutes on a 2-vCPU VM.
	defaultBudget = 8 * time.Minute
)

// selfExe is the nbench binary that the rounds of a stored-baseline gate
// and of baseline save start as fresh processes. "" runs them in this process (the tests set it: their
// binary is not nbench).
var selfExe = func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return exe
}()

// worker is an nbench binary that runs rounds.
type worker struct {
	label string
	exe   string          // "" runs rounds in this process (the tests: their binary is not nbench)
	flags map[string]bool // the flags its run command accepts
}

var flagLine = regexp.MustCompile(`^\s+-{1,2}([a-z][a-z0-9-]*)`)

// newWorker asks the binary which run flags it has, so rounds can drive an
// older revision that lacks the newer ones (--no-check).
func newWorker(label, exe string) (*worker, error) {
	w := &worker{label: label, exe: exe, flags: map[string]bool{}}
	if exe == "" {
		w.flags["no-check"], w.flags["case"], w.flags["interleave"] = true, true, true
		return w, nil
	}
	out, err := exec.Command(exe, "run", "-h").CombinedOutput()
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("%s: %v", exe, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := flagLine.FindStringSubmatch(sc.Text()); m != nil {
			w.flags[m[1]] = true
		}
	}
	if !w.flags["case"] {
		return nil, fmt.Errorf("%s (%s) cannot run gate rounds: its run command has no --case flag (too old, or not nbench)", exe, label)
	}
	return w, nil
}

// roundPlan is what every round measures and how.
type roundPlan struct {
	flags runFlags          // measurement flags (threads, count, benchtime, cache, isa, max-mem, seed)
	ids   []string          // case IDs in plan order
	name  map[string]string // case ID -> case name (kernel/shape)
	bk    map[string]string // case ID -> backend
}

// newRoundPlan plans the rounds of a session: its items on its backends,
// measured as its flags say, with gate defaults for what they leave open.
func newRoundPlan(s *runSession) *roundPlan {
	p := &roundPlan{flags: s.flags, name: map[string]string{}, bk: map[string]string{}}
	if p.flags.threads == 0 {
		p.flags.threads = roundThreads
	}
	if p.flags.count == 0 {
		p.flags.count = roundCount
	}
	if p.flags.benchtime == 0 {
		p.flags.benchtime = roundBenchtime
	}
	if p.flags.cache == "" {
		p.flags.cache = roundCache
	}
	p.flags.seed = s.opt.Seed
	p.flags.quick, p.flags.set, p.flags.shape, p.flags.suite, p.flags.kernel = false, "", "", "", ""
	for _, it := range s.items {
		for _, b := range s.backends {
			id := it.Name() + "/backend=" + b.Name
			p.ids = append(p.ids, id)
			p.name[id], p.bk[id] = it.Name(), b.Name
		}
	}
	return p
}

// selection returns the --case and --backend values of a round over ids,
// the cases in an order drawn from the round number: the two rounds of a
// pair see the same order, successive pairs different ones, so no case
// always runs first after the process's fresh allocations.
func (p *roundPlan) selection(k int, ids []string) (cases, backends string) {
	var names, bks []string
	for _, id := range ids {
		if !contains(names, p.name[id]) {
			names = append(names, p.name[id])
		}
		if !contains(bks, p.bk[id]) {
			bks = append(bks, p.bk[id])
		}
	}
	rng := rand.New(rand.NewPCG(p.flags.seed, uint64(k)))
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	sort.Strings(bks)
	return strings.Join(names, ";"), strings.Join(bks, ",")
}

// run measures one round of ids on w. Only checked rounds compute the
// reference; the others time (UNCHECKED) when the binary can skip it.
func (p *roundPlan) run(w *worker, k int, ids []string, check bool, stderr io.Writer) (*gate.Set, error) {
	f := p.flags
	f.gate = gateFlags{}
	f.gate.cases, f.backend = p.selection(k, ids)
	f.out, f.format, f.noProgress, f.checkOnly = "", "", true, false
	label := fmt.Sprintf("%s round %d", w.label, k+1)
	if w.exe == "" {
		s, code := f.setup(io.Discard)
		if s == nil {
			return nil, fmt.Errorf("%s: setup failed (exit %d)", label, code)
		}
		if err := s.prepare(); err != nil {
			return nil, fmt.Errorf("%s: %v", label, err)
		}
		s.opt.NoCheck = !check
		s.flags.interleave = true
		return gate.FromResults(label, s.env, s.execute(io.Discard)), nil
	}
	tmp, err := os.CreateTemp("", "nbench-round-*.json")
	if err != nil {
		return nil, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	args := append(append([]string{"run"}, selectionArgs(&f)...), fmt.Sprintf("--seed=%d", f.seed), "--no-progress", "--format=json", "-o", tmp.Name())
	if !check && w.flags["no-check"] {
		args = append(args, "--no-check")
	}
	if w.flags["interleave"] {
		args = append(args, "--interleave")
	}
	var errBuf bytes.Buffer
	cmd := exec.Command(w.exe, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, &errBuf
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == exitFail) { // 1: a FAILED verdict, in the file
		io.Copy(stderr, &errBuf)
		return nil, fmt.Errorf("%s: %s %s: %v", label, w.exe, strings.Join(args, " "), err)
	}
	set, err := readRound(tmp.Name(), label)
	if err != nil {
		io.Copy(stderr, &errBuf)
	}
	return set, err
}

// readRound reads a round's JSON results (every verdict, timed or not).
func readRound(path, label string) (*gate.Set, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f reports.JSONFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: reading its results: %v", label, err)
	}
	env := envOf(f.Env)
	rs := make([]harness.Result, len(f.Results))
	for i, r := range f.Results {
		rs[i] = harness.Result{Kernel: r.Kernel, Params: r.Params, Backend: r.Backend, Path: r.Path,
			Check: suite.Check{Verdict: suite.Verdict(r.Verdict), Detail: r.Detail}, Samples: r.Samples}
	}
	return gate.FromResults(label, env, rs), nil
}

// envOf turns configuration read back from a file into result-file
// lines, in key order.
func envOf(config map[string]string) harness.Env {
	var env harness.Env
	for k, v := range config {
		env = append(env, harness.KV{Key: k, Value: v})
	}
	sort.Slice(env, func(i, j int) bool { return env[i].Key < env[j].Key })
	return env
}

// budget stops rounds when the next one would not fit: it predicts a
// round (pair) from the last one.
type budget struct {
	limit       time.Duration
	start, mark time.Time
	last        time.Duration
}

func newBudget(limit time.Duration) *budget {
	now := time.Now()
	return &budget{limit: limit, start: now, mark: now}
}

// more is gate.Adaptive.More.
func (b *budget) more(int) bool {
	now := time.Now()
	b.last, b.mark = now.Sub(b.mark), now
	return now.Sub(b.start)+b.last <= b.limit
}

// roundProgress prints one line per round (pair) on stderr.
func roundProgress(stderr io.Writer, what string, b *budget, total int) func(int, *gate.Report, []string) {
	return func(k int, rep *gate.Report, active []string) {
		worst, worstID := 0.0, ""
		for _, row := range rep.Rows {
			if contains(active, row.ID) && row.MDE > worst {
				worst, worstID = row.MDE, row.ID
			}
		}
		line := fmt.Sprintf("nbench: %s %d done (%s of %s): %d of %d cases still measuring", what, k, roundDur(time.Since(b.start)), roundDur(b.limit), len(active), total)
		if worstID != "" {
			line += fmt.Sprintf("; widest: %s (detectable %s)", worstID, gate.FormatMDE(worst))
		}
		fmt.Fprintln(stderr, line)
	}
}

func roundDur(d time.Duration) string { return d.Round(time.Second).String() }
