package external

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ProtocolVersion is the version of docs/protocol.md this nbench speaks.
const ProtocolVersion = 1

// Deadlines for a worker's answer. A worker that misses one is killed and
// the request fails; the next request starts a fresh worker.
type Deadlines struct {
	Hello   time.Duration // start-up and hello (imports can be slow)
	Control time.Duration // alloc, free, prepare, release
	Run     time.Duration // a run request, on top of Control
}

// DefaultDeadlines are generous: a timed batch lasts about --benchtime.
var DefaultDeadlines = Deadlines{Hello: 60 * time.Second, Control: 30 * time.Second, Run: 120 * time.Second}

// reply is every answer: ok, or error with a kind; the other fields are
// those of the request's answer.
type reply struct {
	ID       int64       `json:"id"`
	OK       bool        `json:"ok"`
	Error    string      `json:"error"`
	Kind     string      `json:"kind"` // "unimplemented", "shape" or "" (any other failure)
	Protocol int         `json:"protocol"`
	Name     string      `json:"name"`
	Version  string      `json:"version"`
	Kernels  []string    `json:"kernels"`
	Paths    []string    `json:"paths"`
	Device   string      `json:"device"`
	Config   [][2]string `json:"config"`
	Path     string      `json:"path"`
	NS       *int64      `json:"ns"`
}

// proc is one running worker process and its pipes.
type proc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	out     *bufio.Reader
	lines   chan lineOrErr
	stderr  *tailBuffer
	nextID  int64
	dead    error // why it is no longer usable
	mu      sync.Mutex
	exited  chan struct{} // closed when the process has exited
	done    chan struct{} // closed by kill: the reader stops delivering
	waitErr error
}

type lineOrErr struct {
	line []byte
	err  error
}

// start launches argv with its stdin and stdout as the protocol pipes.
func start(argv []string, env []string) (*proc, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // kill its children too
	// Our own pipes (not StdinPipe/StdoutPipe), so that Wait, which runs
	// as soon as the worker exits, never closes the ends we still read.
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout = inR, outW
	p := &proc{cmd: cmd, stdin: inW, out: bufio.NewReaderSize(outR, 1<<16), lines: make(chan lineOrErr, 1),
		stderr: &tailBuffer{max: 4096}, exited: make(chan struct{}), done: make(chan struct{})}
	cmd.Stderr = p.stderr
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	go p.readLoop(outR)
	return p, nil
}

// readLoop feeds lines to the request in flight, so a deadline can
// abandon a read.
func (p *proc) readLoop(r io.Closer) {
	defer r.Close()
	for {
		line, err := p.out.ReadBytes('\n')
		select {
		case p.lines <- lineOrErr{line, err}:
		case <-p.done: // killed: nobody reads any more
			return
		}
		if err != nil {
			return
		}
	}
}

// call sends req (adding "id") and waits for the answer within d. Any
// transport or protocol failure kills the worker and is returned; a
// well-formed error answer is returned as *workerError.
func (p *proc) call(op string, req map[string]any, d time.Duration) (*reply, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead != nil {
		return nil, p.dead
	}
	p.nextID++
	id := p.nextID
	req["id"], req["op"] = id, op
	msg, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%s: encode request: %w", op, err)
	}
	if _, err := p.stdin.Write(append(msg, '\n')); err != nil {
		return nil, p.kill(fmt.Errorf("%s: worker gone (writing the request: %v)%s", op, err, p.stderr.note()))
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case l, ok := <-p.lines:
		if !ok || l.err != nil || len(l.line) == 0 {
			return nil, p.kill(fmt.Errorf("%s: worker exited without answering%s%s", op, p.exitNote(), p.stderr.note()))
		}
		var r reply
		if err := json.Unmarshal(l.line, &r); err != nil {
			return nil, p.kill(fmt.Errorf("%s: malformed answer (not a JSON object: %v): %.200q", op, err, l.line))
		}
		if r.ID != id {
			return nil, p.kill(fmt.Errorf("%s: answer has id %d, want %d: %.200q", op, r.ID, id, l.line))
		}
		if !r.OK {
			if r.Error == "" {
				return nil, p.kill(fmt.Errorf("%s: answer has neither \"ok\": true nor an \"error\": %.200q", op, l.line))
			}
			return &r, &workerError{op: op, kind: r.Kind, msg: r.Error}
		}
		return &r, nil
	case <-timer.C:
		return nil, p.kill(fmt.Errorf("%s: no answer within %v (worker hung; killed)%s", op, d, p.stderr.note()))
	}
}

// kill ends the process (its whole group) and records why.
func (p *proc) kill(why error) error {
	if p.dead == nil {
		p.dead = why
		close(p.done)
		if p.cmd.Process != nil {
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		}
		p.stdin.Close()
	}
	return why
}

// exitNote waits briefly for the exit status of a worker that closed its
// stdout, for the error message.
func (p *proc) exitNote() string {
	select {
	case <-p.exited:
		if p.waitErr != nil {
			return " (" + p.waitErr.Error() + ")"
		}
		return " (exit status 0)"
	case <-time.After(2 * time.Second):
		return ""
	}
}

// close asks the worker to exit, then kills it if it does not.
func (p *proc) close(d time.Duration) {
	if p.dead == nil {
		p.call("close", map[string]any{}, d)
		p.mu.Lock()
		p.kill(errors.New("closed"))
		p.mu.Unlock()
	}
}

// workerError is an error the worker reported in a well-formed answer.
type workerError struct {
	op, kind, msg string
}

func (e *workerError) Error() string { return e.op + ": " + e.msg }

// tailBuffer keeps the last max bytes of the worker's stderr for error
// messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(b), nil
}

// note is the last lines of stderr, for an error message.
func (t *tailBuffer) note() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return "; worker stderr: " + strings.Join(lines, " | ")
}
