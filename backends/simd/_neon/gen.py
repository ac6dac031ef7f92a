#!/usr/bin/env python3
"""Generator of the NEON files attention_arm64.s and w4g_arm64.s of package simd.

Usage: python3 backends/simd/_neon/gen.py [outdir]   (outdir: backends/simd)
Needs binutils-aarch64-linux-gnu. The micro-kernels are register-blocked and
unrolled, so they are written once here rather than by hand. Instructions the
Go assembler lacks are given in GNU syntax with W(...), encoded in one batch
with aarch64-linux-gnu-as and emitted as WORDs with objdump's disassembly as
the comment (a mismatch with the input text, normalised, is reported), which
ci/check-asm.sh decodes again. Register conventions per routine are in the
comments it emits."""
import re, subprocess, sys, tempfile, os

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

class Asm:
    def __init__(self):
        self.lines = []
        self.words = []  # (index into lines, gnu text)

    def __call__(self, s=""):
        self.lines.append(s)

    def W(self, gnu):
        self.words.append((len(self.lines), gnu))
        self.lines.append(None)

    def render(self):
        if self.words:
            with tempfile.TemporaryDirectory() as d:
                src = os.path.join(d, "w.s")
                with open(src, "w") as f:
                    f.write("\n".join(g for _, g in self.words) + "\n")
                obj = os.path.join(d, "w.o")
                subprocess.run(["aarch64-linux-gnu-as", "-march=armv8.2-a+dotprod", src, "-o", obj], check=True)
                dis = subprocess.run(["aarch64-linux-gnu-objdump", "-d", obj], check=True, capture_output=True, text=True).stdout
            enc = []
            for line in dis.splitlines():
                m = re.match(r"^\s*[0-9a-f]+:\s+([0-9a-f]{8})\s+(\S+)\s*(.*)$", line)
                if m:
                    enc.append((m.group(1), (m.group(2) + " " + m.group(3)).strip()))
            assert len(enc) == len(self.words), (len(enc), len(self.words))
            norm = lambda s: re.sub(r",\s*", ",", re.sub(r"\s+", " ", s.strip())).replace("#0x", "#").lower()
            for (i, gnu), (hexw, text) in zip(self.words, enc):
                if norm(gnu) != norm(text):
                    sys.exit(f"gen.py: {gnu!r} disassembles as {text!r}")
                self.lines[i] = f"\tWORD $0x{hexw}; // {re.sub(r'  +', ' ', text.replace(chr(9), ' '))}"
        return "\n".join(self.lines) + "\n"


def v(n, t="4s"):
    return f"v{n}.{t}"


# ---------------------------------------------------------------- exp

# Constant registers of the attention exp (softmaxTileNEON).
EXP_LO, EXP_ONE, EXP_BIAS, EXP_K, EXP_P, EXP_P2 = 31, 30, 29, 28, 27, 26


def exp_consts(a):
    a("\t// exp constants: V31 = -110, V30 = 1, V29 = 127+32 (int), V28 = [log2e, ln2hi, ln2lo, 2^-32],")
    a("\t// V27 = [p0, p1, p2, p3], V26 = [p4, p5] (Cephes expf, as expPoly)")
    for reg, bits in ((EXP_LO, 0xc2dc0000), (EXP_ONE, 0x3f800000), (EXP_BIAS, 159)):
        a(f"\tMOVW ${bits:#x}, R17")
        a(f"\tVDUP R17, V{reg}.S4")
    lanes = {EXP_K: [0x3fb8aa3b, 0x3f318000, 0xb95e8083, 0x2f800000],
             EXP_P: [0x39506967, 0x3ab743ce, 0x3c088908, 0x3d2aa9c1],
             EXP_P2: [0x3e2aaaaa, 0x3f000000]}
    for reg, vals in lanes.items():
        for k, bits in enumerate(vals):
            a(f"\tMOVW ${bits:#x}, R17")
            a(f"\tVMOV R17, V{reg}.S[{k}]")


def exp_chains(a, chains):
    """exp of each x in place; chains is a list of (x, n, p, t) register numbers.
    Steps are interleaved over the chains so their latencies overlap."""
    def each(f):
        for c in chains:
            f(*c)
    each(lambda x, n, p, t: a.W(f"fmax {v(x)}, {v(x)}, {v(EXP_LO)}"))
    each(lambda x, n, p, t: a.W(f"fmul {v(n)}, {v(x)}, v{EXP_K}.s[0]"))
    each(lambda x, n, p, t: a.W(f"frintn {v(n)}, {v(n)}"))
    each(lambda x, n, p, t: a.W(f"fmls {v(x)}, {v(n)}, v{EXP_K}.s[1]"))
    each(lambda x, n, p, t: a.W(f"fmls {v(x)}, {v(n)}, v{EXP_K}.s[2]"))
    each(lambda x, n, p, t: a(f"\tVDUP V{EXP_P}.S[1], V{p}.S4"))
    each(lambda x, n, p, t: a.W(f"fmla {v(p)}, {v(x)}, v{EXP_P}.s[0]"))
    steps = [(EXP_P, 2), (EXP_P, 3), (EXP_P2, 0), (EXP_P2, 1)]
    for i, (reg, lane) in enumerate(steps):
        # alternate the destination between t and p
        def step(x, n, p, t, reg=reg, lane=lane, i=i):
            src, dst = (p, t) if i % 2 == 0 else (t, p)
            return src, dst
        each(lambda x, n, p, t: a(f"\tVDUP V{reg}.S[{lane}], V{step(x, n, p, t)[1]}.S4"))
        each(lambda x, n, p, t: a.W(f"fmla {v(step(x, n, p, t)[1])}, {v(step(x, n, p, t)[0])}, {v(x)}"))
    # after 4 steps the polynomial is in p
    each(lambda x, n, p, t: a.W(f"fmul {v(t)}, {v(x)}, {v(x)}"))
    each(lambda x, n, p, t: a.W(f"fmla {v(x)}, {v(p)}, {v(t)}"))
    each(lambda x, n, p, t: a.W(f"fadd {v(x)}, {v(x)}, {v(EXP_ONE)}"))
    each(lambda x, n, p, t: a.W(f"fcvtzs {v(n)}, {v(n)}"))
    each(lambda x, n, p, t: a(f"\tVADD V{EXP_BIAS}.S4, V{n}.S4, V{n}.S4"))
    each(lambda x, n, p, t: a(f"\tVSHL $23, V{n}.S4, V{n}.S4"))
    each(lambda x, n, p, t: a.W(f"fmul {v(x)}, {v(x)}, {v(n)}"))
    each(lambda x, n, p, t: a.W(f"fmul {v(x)}, {v(x)}, v{EXP_K}.s[3]"))


# ---------------------------------------------------------------- attention

GENERATED = "// Code generated by _neon/gen.py (python3 backends/simd/_neon/gen.py). DO NOT EDIT."


def attention(a):
    a(GENERATED)
    a("")
    a("// Softmax attention micro-kernels for arm64 NEON (the attnK contract of")
    a("// attention.go; meanings = the Go twins qkTileGo, softmaxTileGo,")
    a("// pvTile6Go, pvTile1Go). Instructions the Go assembler lacks (FMLA/FMLS/FMUL")
    a("// by element, vector FADD, FSUB, FMUL, FMAX, FMAXV, FADDP, FRINTN, FCVTZS,")
    a("// scalar FMADD) are WORDs with the mnemonic in a comment; ci/check-asm.sh")
    a("// decodes each against its comment.")
    a("")
    a("//go:build !purego")
    a("")
    a('#include "textflag.h"')
    a("")
    qk(a)
    softmax(a)
    for nz in range(1, 5):
        pv6(a, nz)
    for nz in range(1, 5):
        pv1(a, nz)


def qk(a):
    a("// func qkTileNEON(s, qt, kt []float32, d int, scale float32)")
    a("// Four passes of 16 columns; per pass 6x4 accumulators V0-V23 (row i,")
    a("// column vector c in V(4i+c)), per t one load of qt[t*8:t*8+8] (V24, V25)")
    a("// and of kt[t*64+16c':+16] (V26-V29), 24 FMLA by element.")
    a("TEXT ·qkTileNEON(SB), NOSPLIT, $0-84")
    a("\tMOVD s_base+0(FP), R0")
    a("\tMOVD qt_base+24(FP), R1")
    a("\tMOVD kt_base+48(FP), R2")
    a("\tMOVD d+72(FP), R3")
    a("\tFMOVS scale+80(FP), F30")
    a("\tMOVD $256, R4")
    a("\tMOVD $4, R5")
    a("block:")
    for r in range(24):
        a(f"\tVEOR V{r}.B16, V{r}.B16, V{r}.B16")
    a("\tMOVD R1, R6")
    a("\tMOVD R2, R7")
    a("\tMOVD R3, R8")
    a("\tCBZ R8, store")
    a("loop:")
    a("\tVLD1.P 32(R6), [V24.S4, V25.S4]")
    a("\tVLD1.P (R7)(R4), [V26.S4, V27.S4, V28.S4, V29.S4]")
    for i in range(6):
        for c in range(4):
            a.W(f"fmla {v(4*i+c)}, {v(26+c)}, v{24 + i//4}.s[{i%4}]")
    a("\tSUBS $1, R8, R8")
    a("\tBNE loop")
    a("store:")
    for r in range(24):
        a.W(f"fmul {v(r)}, {v(r)}, v30.s[0]")
    a("\tMOVD R0, R9")
    for i in range(6):
        a(f"\tVST1.P [V{4*i}.S4, V{4*i+1}.S4, V{4*i+2}.S4, V{4*i+3}.S4], (R9)(R4)")
    a("\tADD $64, R0")
    a("\tADD $64, R2")
    a("\tSUBS $1, R5, R5")
    a("\tBNE block")
    a("\tRET")
    a("")


def softmax(a):
    a("// func softmaxTileNEON(s, m, l, corr []float32)")
    a("// Row maxima (parked in corr), then the new maxima and the corrections for")
    a("// the six rows as two vectors, then per row exp(s - m) in place (four")
    a("// interleaved exp chains of 4 lanes) and l = l*corr + Σ p. exp is expPoly")
    a("// with the argument clamped at -110 and 2^n applied as 2^(n+32) * 2^-32")
    a("// (exact; arguments here are <= 0), so -Inf and anything below -110 give")
    a("// exactly 0 and the results in [-110, -87] are the rounded denormals.")
    a("TEXT ·softmaxTileNEON(SB), NOSPLIT, $0-96")
    a("\tMOVD s_base+0(FP), R0")
    a("\tMOVD m_base+24(FP), R1")
    a("\tMOVD l_base+48(FP), R2")
    a("\tMOVD corr_base+72(FP), R3")
    exp_consts(a)
    a("\tMOVD R0, R9")
    a("\tMOVD R3, R10")
    a("\tMOVD $6, R11")
    a("rowmax:")
    for q in range(4):
        a(f"\tVLD1.P 64(R9), [V{4*q}.S4, V{4*q+1}.S4, V{4*q+2}.S4, V{4*q+3}.S4]")
    for w in (8, 4, 2, 1):
        for r in range(w):
            a.W(f"fmax {v(r)}, {v(r)}, {v(r+w)}")
    a.W("fmaxv s0, v0.4s")
    a("\tFMOVS.P F0, 4(R10)")
    a("\tSUBS $1, R11, R11")
    a("\tBNE rowmax")
    a("\t// m' = max(m, rowmax); corr = exp(m - m'); rows 0-3 in lanes of V24/V0, 4-5 of V25/V1.")
    a("\tADD $16, R3, R12")
    a("\tADD $16, R1, R13")
    a("\tVLD1 (R3), [V24.S4]")
    a("\tVLD1 (R12), [V25.S2]")
    a("\tVLD1 (R1), [V0.S4]")
    a("\tVLD1 (R13), [V1.S2]")
    a.W("fmax v24.4s, v24.4s, v0.4s")
    a.W("fmax v25.4s, v25.4s, v1.4s")
    a("\tVST1 [V24.S4], (R1)")
    a("\tVST1 [V25.S2], (R13)")
    a.W("fsub v0.4s, v0.4s, v24.4s")
    a.W("fsub v1.4s, v1.4s, v25.4s")
    exp_chains(a, [(0, 4, 8, 12), (1, 5, 9, 13)])
    a("\tVST1 [V0.S4], (R3)")
    a("\tVST1 [V1.S2], (R12)")
    a("\t// Per row: p = exp(s - m') in place, summed in V22.")
    a("\tMOVD R0, R9")
    a("\tMOVD R1, R10")
    a("\tMOVD R2, R11")
    a("\tMOVD R3, R12")
    a("\tMOVD $6, R13")
    a("row:")
    a("\tVLD1R.P 4(R10), [V23.S4]")
    a("\tVEOR V22.B16, V22.B16, V22.B16")
    a("\tMOVD $4, R14")
    a("blk:")
    a("\tVLD1 (R9), [V0.S4, V1.S4, V2.S4, V3.S4]")
    for c in range(4):
        a.W(f"fsub {v(c)}, {v(c)}, v23.4s")
    exp_chains(a, [(c, 4 + c, 8 + c, 12 + c) for c in range(4)])
    a("\tVST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R9)")
    a.W("fadd v16.4s, v0.4s, v1.4s")
    a.W("fadd v17.4s, v2.4s, v3.4s")
    a.W("fadd v16.4s, v16.4s, v17.4s")
    a.W("fadd v22.4s, v22.4s, v16.4s")
    a("\tSUBS $1, R14, R14")
    a("\tBNE blk")
    a.W("faddp v22.4s, v22.4s, v22.4s")
    a.W("faddp s22, v22.2s")
    a("\tFMOVS (R11), F16")
    a("\tFMOVS.P 4(R12), F17")
    a.W("fmadd s16, s16, s17, s22")
    a("\tFMOVS.P F16, 4(R11)")
    a("\tSUBS $1, R13, R13")
    a("\tBNE row")
    a("\tRET")
    a("")


def pv6(a, nz):
    name = f"pvTile6x{nz}NEON"
    a(f"// func {name}(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)")
    if nz == 1:
        a("// Per block of 16 columns: 6x4 accumulators V0-V23 (row i, vector c in")
        a("// V(4i+c)) loaded from o and scaled by corr[i]; per 4 keys the six rows")
        a("// of P (V24-V29, one row each) and per key one row of V (V30, V31 twice),")
        a("// 24 FMLA by element per key. Keys past a multiple of 4 one at a time.")
    a(f"TEXT ·{name}(SB), NOSPLIT, $0-120")
    a("\tMOVD o_base+0(FP), R0")
    a("\tMOVD ldo+24(FP), R1")
    a("\tLSL $2, R1")
    a("\tMOVD p_base+32(FP), R2")
    a("\tMOVD nk+56(FP), R3")
    a("\tMOVD v_base+64(FP), R4")
    a("\tMOVD ldv+88(FP), R5")
    a("\tLSL $2, R5")
    a("\tMOVD corr_base+96(FP), R6")
    a("\tSUB $32, R5, R8")
    if nz > 1:
        a(f"\tMOVD ${nz}, R7")
        a("block:")
    a("\tMOVD R0, R10")
    for i in range(6):
        a(f"\tVLD1 (R10), [V{4*i}.S4, V{4*i+1}.S4, V{4*i+2}.S4, V{4*i+3}.S4]")
        if i < 5:
            a("\tADD R1, R10")
    a("\tADD $16, R6, R10")
    a("\tVLD1 (R6), [V24.S4]")
    a("\tVLD1 (R10), [V25.S2]")
    for i in range(6):
        for c in range(4):
            a.W(f"fmul {v(4*i+c)}, {v(4*i+c)}, v{24 + i//4}.s[{i%4}]")
    a("\tMOVD R2, R11")
    for i in range(1, 6):
        a(f"\tADD ${256*i}, R11, R{11+i}")
    a("\tMOVD R4, R17")
    a("\tMOVD R3, R19")
    a("\tSUBS $4, R19, R19")
    a("\tBLT tail")
    a("loop4:")
    for i in range(6):
        a(f"\tVLD1.P 16(R{11+i}), [V{24+i}.S4]")
    for jj in range(4):
        for half in range(2):
            if half == 0:
                a("\tVLD1.P 32(R17), [V30.S4, V31.S4]")
            else:
                a("\tVLD1.P (R17)(R8), [V30.S4, V31.S4]")
            for i in range(6):
                for c in range(2):
                    a.W(f"fmla {v(4*i+2*half+c)}, {v(30+c)}, v{24+i}.s[{jj}]")
    a("\tSUBS $4, R19, R19")
    a("\tBGE loop4")
    a("tail:")
    a("\tADDS $4, R19, R19")
    a("\tBEQ store")
    a("tail1:")
    for i in range(6):
        a(f"\tFMOVS.P 4(R{11+i}), F{24+i}")
    for half in range(2):
        if half == 0:
            a("\tVLD1.P 32(R17), [V30.S4, V31.S4]")
        else:
            a("\tVLD1.P (R17)(R8), [V30.S4, V31.S4]")
        for i in range(6):
            for c in range(2):
                a.W(f"fmla {v(4*i+2*half+c)}, {v(30+c)}, v{24+i}.s[0]")
    a("\tSUBS $1, R19, R19")
    a("\tBNE tail1")
    a("store:")
    a("\tMOVD R0, R10")
    for i in range(6):
        a(f"\tVST1 [V{4*i}.S4, V{4*i+1}.S4, V{4*i+2}.S4, V{4*i+3}.S4], (R10)")
        if i < 5:
            a("\tADD R1, R10")
    if nz > 1:
        a("\tADD $64, R0")
        a("\tADD $64, R4")
        a("\tSUBS $1, R7, R7")
        a("\tBNE block")
    a("\tRET")
    a("")


def pv1(a, nz):
    name = f"pvTile1x{nz}NEON"
    a(f"// func {name}(o []float32, p []float32, nk int, v []float32, ldv int)")
    if nz == 1:
        a("// Accumulators V0-V(4nz-1) = o[0:16nz]; per 4 keys one load of P (V24), per")
        a("// key the row of V in groups of 4 vectors (V16-V19, V20-V23 alternating)")
        a("// and 4nz FMLA by element.")
    a(f"TEXT ·{name}(SB), NOSPLIT, $0-88")
    a("\tMOVD o_base+0(FP), R0")
    a("\tMOVD p_base+24(FP), R2")
    a("\tMOVD nk+48(FP), R3")
    a("\tMOVD v_base+56(FP), R4")
    a("\tMOVD ldv+80(FP), R5")
    a("\tLSL $2, R5")
    a("\tMOVD R0, R10")
    for b in range(nz):
        a(f"\tVLD1.P 64(R10), [V{4*b}.S4, V{4*b+1}.S4, V{4*b+2}.S4, V{4*b+3}.S4]")

    def key(lane):
        a("\tMOVD R4, R17")
        for b in range(nz):
            d = 16 + 4 * (b % 2)
            a(f"\tVLD1.P 64(R17), [V{d}.S4, V{d+1}.S4, V{d+2}.S4, V{d+3}.S4]")
            for c in range(4):
                a.W(f"fmla {v(4*b+c)}, {v(d+c)}, v24.s[{lane}]")
        a("\tADD R5, R4")
    a("\tSUBS $4, R3, R3")
    a("\tBLT tail")
    a("loop4:")
    a("\tVLD1.P 16(R2), [V24.S4]")
    for jj in range(4):
        key(jj)
    a("\tSUBS $4, R3, R3")
    a("\tBGE loop4")
    a("tail:")
    a("\tADDS $4, R3, R3")
    a("\tBEQ store")
    a("tail1:")
    a("\tFMOVS.P 4(R2), F24")
    key(0)
    a("\tSUBS $1, R3, R3")
    a("\tBNE tail1")
    a("store:")
    a("\tMOVD R0, R10")
    for b in range(nz):
        a(f"\tVST1.P [V{4*b}.S4, V{4*b+1}.S4, V{4*b+2}.S4, V{4*b+3}.S4], 64(R10)")
    a("\tRET")
    a("")


# ---------------------------------------------------------------- w4g

def w4g(a):
    a(GENERATED)
    a("")
    a("// gemm_w4g micro-kernels for arm64 NEON (the w4K contract of gemm_w4g.go;")
    a("// meaning = w4RowsGo). Per 16 code bytes (32 weights): AND and USHR split")
    a("// the nibbles; TBL against {nibbles, 0x4B00...} builds each code as the")
    a("// float 2^23+q (bytes q, 0, 0, 0x4B), and one FSUB of 2^23+z (z from the")
    a("// group's zero point) gives q-z exactly, so a code at its zero point adds")
    a("// exactly 0. Then per row of X two loads (16 even-k, 16 odd-k floats) and")
    a("// 8 FMLA. Instructions the Go assembler lacks (vector FADD, FSUB, FADDP,")
    a("// FMLA by element) are WORDs with the mnemonic in a comment.")
    a("")
    a("//go:build !purego")
    a("")
    a('#include "textflag.h"')
    a("")
    for rows in range(1, 5):
        w4rows(a, rows)


def w4rows(a, R):
    name = f"w4Rows{R}NEON"
    na = {1: 8, 2: 4, 3: 2, 4: 2}[R]  # dot accumulators per row

    def dot(m, k):
        return 22 + m * na + k
    a(f"// func {name}(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)")
    if R == 1:
        a("// Registers: V0-V7 the 32 weights of a chunk as floats (V0-V3 even k, V4-V7")
        a("// odd k), V8/V10 the low/high nibbles with V9/V11 = 0x4B00 halfwords (the")
        a("// TBL tables), V12 = 0x0F bytes, V13-V16 the TBL indices, V17 = 2^23+z,")
        a("// V18-V21 X, V22-V29 the group's dot products (8/rows per row, one per")
        a("// weight vector mod 8/rows), V30 the rows' sums (lane m = row m), V31 the")
        a("// group scale or bias. A tail chunk of a group (gb%16 bytes) is gathered")
        a("// byte by byte into two GPRs: nothing is read past the group.")
    a(f"TEXT ·{name}(SB), NOSPLIT, $0-184")
    a("\tMOVD y_base+0(FP), R0")
    a("\tMOVD ldy+24(FP), R1")
    a("\tLSL $2, R1")
    a("\tMOVD x_base+32(FP), R2")
    a("\tMOVD ldx+56(FP), R3")
    a("\tLSL $2, R3")
    a("\tMOVD qp_base+64(FP), R4")
    a("\tMOVD s_base+88(FP), R5")
    a("\tMOVD z_base+112(FP), R6")
    a("\tMOVD bias_base+136(FP), R7")
    a("\tMOVD n+160(FP), R8")
    a("\tMOVD gb+168(FP), R9")
    a("\tMOVD ng+176(FP), R10")
    a("\tMOVD $0x4B00, R17")
    a("\tVDUP R17, V9.H8")
    a("\tVDUP R17, V11.H8")
    a("\tVMOVI $15, V12.B16")
    for k in range(4):
        a(f"\tMOVW ${0x11101000 + k:#x}, R17")
        a(f"\tVMOV R17, V13.S[{k}]")
    a("\tMOVW $4, R17")
    a("\tVDUP R17, V31.S4")
    for i in range(14, 17):
        a(f"\tVADD V31.S4, V{i-1}.S4, V{i}.S4")
    a("\tMOVW $0x4B000000, R22")
    a("row:")
    a("\tCBZ R8, done")
    a("\tMOVD R2, R13")
    for m in range(1, R):
        a(f"\tADD R3, R{12+m}, R{13+m}")
    a("\tVEOR V30.B16, V30.B16, V30.B16")
    a("\tMOVD R10, R11")
    a("group:")
    a("\tMOVBU.P 1(R6), R17")
    a("\tORRW R22, R17, R17")
    a("\tVDUP R17, V17.S4")
    for m in range(R):
        for k in range(na):
            r = dot(m, k)
            a(f"\tVEOR V{r}.B16, V{r}.B16, V{r}.B16")
    a("\tMOVD R9, R12")

    def body():
        a("\tVAND V12.B16, V10.B16, V8.B16")
        a("\tVUSHR $4, V10.B16, V10.B16")
        for w in range(4):
            a(f"\tVTBL V{13+w}.B16, [V8.B16, V9.B16], V{w}.B16")
        for w in range(4):
            a(f"\tVTBL V{13+w}.B16, [V10.B16, V11.B16], V{4+w}.B16")
        for w in range(8):
            a.W(f"fsub {v(w)}, {v(w)}, v17.4s")
        for m in range(R):
            for half in range(2):
                a(f"\tVLD1.P 64(R{13+m}), [V18.S4, V19.S4, V20.S4, V21.S4]")
                for c in range(4):
                    w = 4 * half + c
                    a.W(f"fmla {v(dot(m, w % na))}, {v(18+c)}, {v(w)}")
    a("\tSUBS $16, R12, R12")
    a("\tBLT tail")
    a("chunk:")
    a("\tVLD1.P 16(R4), [V10.B16]")
    body()
    a("\tSUBS $16, R12, R12")
    a("\tBGE chunk")
    a("tail:")
    a("\tADDS $16, R12, R12")
    a("\tBEQ gend")
    a("\tMOVD ZR, R20")
    a("\tMOVD ZR, R21")
    a("\tMOVD R12, R19")
    a("gather:")
    a("\tSUB $1, R19")
    a("\tMOVBU (R4)(R19), R17")
    a("\tEXTR $56, R20, R21, R21")
    a("\tLSL $8, R20")
    a("\tORR R17, R20")
    a("\tCBNZ R19, gather")
    a("\tVMOV R20, V10.D[0]")
    a("\tVMOV R21, V10.D[1]")
    a("\tADD R12, R4")
    body()
    a("gend:")
    # sum each row's dots into dot(m, 0)
    for m in range(R):
        w = na
        while w > 1:
            w //= 2
            for k in range(w):
                a.W(f"fadd {v(dot(m, k))}, {v(dot(m, k))}, {v(dot(m, k + w))}")
    d = [dot(m, 0) for m in range(R)]
    # lanes of V18 = the rows' dot products
    A = d[1] if R >= 2 else d[0]
    a.W(f"faddp v18.4s, {v(d[0])}, {v(A)}")
    if R >= 3:
        B = d[3] if R == 4 else d[2]
        a.W(f"faddp v19.4s, {v(d[2])}, {v(B)}")
        a.W("faddp v18.4s, v18.4s, v19.4s")
    else:
        a.W("faddp v18.4s, v18.4s, v18.4s")
    a("\tFMOVS.P 4(R5), F31")
    a.W("fmla v30.4s, v18.4s, v31.s[0]")
    a("\tSUBS $1, R11, R11")
    a("\tBNE group")
    a("\tVLD1R.P 4(R7), [V31.S4]")
    a.W("fadd v30.4s, v30.4s, v31.4s")
    a("\tMOVD R0, R17")
    for m in range(R):
        a(f"\tVST1 V30.S[{m}], (R17)")
        if m + 1 < R:
            a("\tADD R1, R17")
    a("\tADD $4, R0")
    a("\tSUB $1, R8")
    a("\tB row")
    a("done:")
    a("\tRET")
    a("")


# ---------------------------------------------------------------- gemm_f32

GF32_MR, GF32_NV = 8, 3  # 8 rows by 3 vectors (12 columns): 24 accumulators


def gemmf32(a):
    a(GENERATED)
    a("")
    a("// gemm_f32 micro-kernels for arm64 NEON (the gf32Tile contract of")
    a("// gemmf32.go; meaning = gf32TileGo(rows, 12)): rows (1..8) rows of Y by 12")
    a("// columns over kc steps of k. Accumulators V0-V23 (row i, vector j in")
    a("// V(3i+j)) start from c; per k one load of X (the packed rows' 8 floats,")
    a("// 4 for rows <= 4, one float for the GEMV's row as it is), one of the")
    a("// W panel's 12 floats (V26-V28), a PRFM of pf into L2 and rows*3 FMLA by")
    a("// element (WORDs, which the Go assembler lacks).")
    a("")
    a("//go:build !purego")
    a("")
    a('#include "textflag.h"')
    a("")
    for rows in range(1, GF32_MR + 1):
        gemmf32_tile(a, rows)


def gemmf32_tile(a, R):
    nr = 4 * GF32_NV
    name = f"gemmF32Tile{R}x{nr}NEON"
    a(f"// func {name}(y []float32, ldy int, c []float32, ldc int, xp []float32, ldx int, wp []float32, kc int, pf []float32)")
    a(f"TEXT ·{name}(SB), NOSPLIT, $0-152")
    for reg, arg, off, shift in ((0, "y_base", 0, False), (1, "ldy", 24, True), (2, "c_base", 32, False), (3, "ldc", 56, True),
                                 (4, "xp_base", 64, False), (5, "ldx", 88, True), (6, "wp_base", 96, False), (7, "kc", 120, False),
                                 (8, "pf_base", 128, False)):
        a(f"\tMOVD {arg}+{off}(FP), R{reg}")
        if shift:
            a(f"\tLSL $2, R{reg}")
    accs = lambda i: ", ".join(f"V{3 * i + j}.S4" for j in range(GF32_NV))
    for i in range(R):
        a(f"\tVLD1 (R2), [{accs(i)}]")
        if i + 1 < R:
            a("\tADD R3, R2")
    a("\tCBZ R7, store")
    a("loop:")
    if R == 1:
        a("\tFMOVS (R4), F24")
    elif R <= 4:
        a("\tVLD1 (R4), [V24.S4]")
    else:
        a("\tVLD1 (R4), [V24.S4, V25.S4]")
    a("\tADD R5, R4")
    a(f"\tVLD1.P {4 * nr}(R6), [V26.S4, V27.S4, V28.S4]")
    a.W("prfm pldl2keep, [x8]")
    a("\tADD $64, R8")
    for i in range(R):
        for j in range(GF32_NV):
            a.W(f"fmla v{3 * i + j}.4s, v{26 + j}.4s, v{24 + i // 4}.s[{i % 4}]")
    a("\tSUBS $1, R7, R7")
    a("\tBNE loop")
    a("store:")
    for i in range(R):
        a(f"\tVST1 [{accs(i)}], (R0)")
        if i + 1 < R:
            a("\tADD R1, R0")
    a("\tRET")
    a("")


for fname, f in (("attention_arm64.s", attention), ("w4g_arm64.s", w4g), ("gemmf32_arm64.s", gemmf32)):
    a = Asm()
    f(a)
    with open(os.path.join(OUT, fname), "w") as fh:
        fh.write(a.render())
    print("wrote", fname, len(a.lines), "lines", len(a.words), "words")
