#!/usr/bin/env python3
"""A template nbench worker: copy this directory, replace the kernels.

Run it as a backend with `nbench run --backend=exec:path/to/worker.py`
(executable, with nbench_worker.py beside it). It implements two kernels in
plain Python (slow, dependency-free) to show the shape of a worker: selu
(elementwise) and mse (a loss with a scalar output). docs/protocol.md lists
every kernel's parameters.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbench_worker as nw  # noqa: E402

FORMATS = {"f32": "f", "i8": "b", "u8": "B", "i32": "i"}
LAM = 1.0507009873554804934193349852946
ALPHA = 1.6732632423543772848170429916717


class Template:
    name = "template"

    def hello(self, threads, isa):
        return {"version": "1", "kernels": ["selu", "mse"], "device": "cpu (python)",
                "paths": ["python"], "config": [["threads", str(threads)]]}

    def wrap(self, buf, dtype, n):
        # A typed view of the shared memory: writes land in nbench's tensor.
        return memoryview(buf)[: n * {"f32": 4, "i32": 4}.get(dtype, 1)].cast(FORMATS[dtype])

    def prepare(self, kernel, p, outputs):
        if kernel == "selu":
            x, y, n = p["X"], p["Y"], p["N"]

            def run():
                for i in range(n):
                    v = x[i]
                    y[i] = LAM * v if v > 0 else LAM * ALPHA * math.expm1(v)
            return run, "python"
        if kernel == "mse":
            pr, t, out, n = p["P"], p["T"], p["Out"], p["N"] * p["D"]

            def run():
                s = math.fsum((pr[i] - t[i]) ** 2 for i in range(n))
                out[0] = s / n if n else math.nan
            return run, "python"
        raise nw.Unimplemented(kernel)


if __name__ == "__main__":
    nw.serve(Template())
