"""nbench worker protocol, version 1 (docs/protocol.md), for Python workers.

A worker is a program that nbench starts; nbench sends one JSON request per
line on the worker's stdin and reads one JSON answer per line from its
stdout. Tensors are files in shared memory that nbench creates; the worker
maps them (mmap) and computes in place, so no tensor data crosses the pipe.

This module does the protocol; a worker supplies an implementation object:

    class Impl:
        name = "mylib"                       # hello "name"
        def hello(self, threads, isa):       # -> dict: version, kernels, device, paths, config
        def wrap(self, buf, dtype, n):       # buf: writable buffer of n elements of dtype
                                             # ("f32", "i8", "u8", "i32") -> the tensor object
        def prepare(self, kernel, params, outputs):
            # params: the op's fields by name, tensors already wrapped (None
            # when absent); outputs: the names of the output fields.
            # -> (run, path): run() computes the op once; path names the code path.
            # raise Unimplemented for a kernel or shape it lacks, ShapeError
            # for parameters it rejects.
        def sync(self):                      # wait for queued device work (optional)

    nbench_worker.serve(Impl())

Anything the worker prints goes to stderr (stdout is the protocol's).
"""

import json
import mmap
import os
import sys
import time
import traceback

PROTOCOL = 1


class Unimplemented(Exception):
    """The worker lacks this kernel (or this variant of it): a gap, not a failure."""


class ShapeError(Exception):
    """The op's parameters do not fit the kernel."""


def _params(v, tensors):
    # Tensors arrive as {"tensor": handle}, non-finite floats as strings.
    if isinstance(v, dict):
        if set(v) == {"tensor"}:
            return tensors[v["tensor"]][1]
        return {k: _params(x, tensors) for k, x in v.items()}
    if isinstance(v, list):
        return [_params(x, tensors) for x in v]
    if isinstance(v, str):
        return float(v)
    return v


def _handles(v, out):
    if isinstance(v, dict):
        if set(v) == {"tensor"}:
            out.add(v["tensor"])
        for x in v.values():
            _handles(x, out)
    elif isinstance(v, list):
        for x in v:
            _handles(x, out)
    return out


def serve(impl):
    """Answer nbench's requests until close or end of input."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints (ours or a library's) go to stderr
    sys.stdout = sys.stderr
    tensors = {}  # handle -> (mmap, wrapped)
    bounds = {}   # handle -> (run, tensor handles)
    sync = getattr(impl, "sync", lambda: None)
    for line in sys.stdin:
        ans = {}
        req = {}
        try:
            req = json.loads(line)
            op = req["op"]
            if op == "hello":
                if req["protocol"] != PROTOCOL:
                    raise ValueError("nbench speaks protocol %d, this worker %d" % (req["protocol"], PROTOCOL))
                ans = dict(impl.hello(req["threads"], req.get("isa", "")))
                ans["protocol"], ans["name"] = PROTOCOL, impl.name
            elif op == "alloc":
                with open(req["file"], "r+b") as f:
                    mm = mmap.mmap(f.fileno(), 0)
                n, nbytes = req["len"], req["bytes"]
                if len(mm) < nbytes:
                    raise ValueError("alloc: %s has %d bytes, want %d" % (req["file"], len(mm), nbytes))
                tensors[req["tensor"]] = (mm, impl.wrap(mm, req["dtype"], n))
            elif op == "free":
                h = req["tensor"]
                for b in [b for b, (_, uses) in bounds.items() if h in uses]:
                    del bounds[b]
                mm, _ = tensors.pop(h, (None, None))
                if mm is not None:
                    try:
                        mm.close()
                    except BufferError:
                        pass  # a view still exists; the mapping goes with it
            elif op == "prepare":
                params = _params(req["params"], tensors)
                run, path = impl.prepare(req["kernel"], params, req.get("outputs", []))
                bounds[req["bound"]] = (run, _handles(req["params"], set()))
                ans["path"] = path
            elif op == "run":
                fns = [bounds[b][0] for b in req["bounds"]]
                n = req["n"]
                if n < 1 or not fns:
                    raise ValueError("run: want bounds and n >= 1")
                if len(fns) == 1:
                    f = fns[0]
                    t0 = time.perf_counter_ns()
                    for _ in range(n):
                        f()
                    sync()
                    t1 = time.perf_counter_ns()
                else:
                    k = len(fns)
                    t0 = time.perf_counter_ns()
                    for i in range(n):
                        fns[i % k]()
                    sync()
                    t1 = time.perf_counter_ns()
                ans["ns"] = t1 - t0
            elif op == "close":
                pass
            else:
                raise ValueError("unknown op %r" % op)
            ans["ok"] = True
        except Unimplemented as e:
            ans = {"ok": False, "kind": "unimplemented", "error": str(e)}
        except ShapeError as e:
            ans = {"ok": False, "kind": "shape", "error": str(e)}
        except Exception as e:  # reported to nbench, which fails the case
            traceback.print_exc(file=sys.stderr)
            ans = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        ans["id"] = req.get("id", 0) if isinstance(req, dict) else 0
        out.write(json.dumps(ans) + "\n")
        if req.get("op") == "close":
            break
