//go:build cuda

package cuda

import (
	"fmt"
	"math"

	"github.com/nbench/nbench/kernel"
)

// Norm kernels (kernels/norms.cu). The row norms share one kernel per
// statistic (ln, rms, crms); the per-channel inference norms fold their
// parameters into a scale and shift, then run one elementwise pass; the
// training norms share chunked per-channel statistics merged in a fixed
// order (bn_partial/sq_partial, then bn_final or chunk_merge).

func init() {
	register("layernorm", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.LayerNorm)
		return b.rowNorm("ln", op.Rows, op.C, op.Eps, 1, op.X, op.Y, op.Gamma, op.Beta)
	})
	register("rmsnorm", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.RMSNorm)
		return b.rowNorm("rms", op.Rows, op.C, op.Eps, 1, op.X, op.Y, op.Gamma, nil)
	})
	register("layernorm_scaling", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.LayerNormScaling)
		// s = 1/sqrt(layer) in float64, rounded once (KERNELS.md 1.3).
		s := float32(1 / math.Sqrt(float64(op.Layer)))
		if op.Base == kernel.BaseRMSNorm {
			return b.rowNorm("rms", op.Rows, op.C, op.Eps, s, op.X, op.Y, op.Gamma, nil)
		}
		return b.rowNorm("ln", op.Rows, op.C, op.Eps, s, op.X, op.Y, op.Gamma, op.Beta)
	})
	register("nonscaling_layernorm", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.NonScalingLayerNorm)
		return b.rowNorm("ln", op.Rows, op.C, op.Eps, 1, op.X, op.Y, nil, op.Bias)
	})
	register("crmsnorm", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.CRMSNorm)
		return b.rowNorm("crms", op.Rows, op.N, op.Eps, 1, op.Z, op.Y, op.Gamma, nil)
	})
	register("single_scale_rmsnorm", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.SingleScaleRMSNorm)
		return b.rowNorm("rms", op.Rows, op.C, op.Eps, op.Scale, op.X, op.Y, nil, nil)
	})
	register("selu", prepareSELU)
	register("batchnorm_infer", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.BatchNormInfer)
		return b.bnInfer(op, 0)
	})
	register("repbn_infer", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.RepBNInfer)
		return b.bnInfer(kernel.BatchNormInfer{M: op.M, C: op.C, Eps: op.Eps, X: op.X, Gamma: op.Gamma, Beta: op.Beta,
			RunMean: op.RunMean, RunVar: op.RunVar, Y: op.Y}, op.Alpha)
	})
	register("unified_norm_infer", prepareUnifiedNormInfer)
	register("powernorm_infer", preparePowerNormInfer)
	register("batchnorm_train", prepareBatchNormTrain)
	register("prepbn_train", preparePRepBNTrain)
	register("powernorm_train", preparePowerNormTrain)
	register("unified_norm_train", prepareUnifiedNormTrain)
	register("evonorm_b0", prepareEvoNormB0)
	register("evonorm_s0", prepareEvoNormS0)
}

// rowPlan picks the row-norm variant for rows of c values: the row in
// registers (v1..v8 float4 per thread) when c % 4 == 0 and it fits, else
// the loop over global memory ("s"); and the threads per block.
func rowPlan(c int) (variant string, block int) {
	if c%4 == 0 {
		c4 := c / 4
		for _, nv := range []int{1, 2, 4, 8} {
			t := roundUp(ceilDiv(c4, nv), 32)
			if t <= 512 || nv == 8 && t <= 1024 {
				return fmt.Sprintf("v%d", nv), t
			}
		}
	}
	return "s", min(max(roundUp(c, 32), 32), 1024)
}

// rowNorm binds one row norm: y = ((x - mu)*r*g + b)*scale per row of c
// (g, b may be nil).
func (b *Backend) rowNorm(mode string, rows, c int, eps, scale float32, x, y, g, be kernel.Tensor) (*bound, error) {
	variant, block := rowPlan(c)
	k := b.newBound("rownorm_" + variant)
	if rows == 0 {
		return k, nil
	}
	a := (&args{}).ptr(b, x).ptr(b, y).ptr(b, g).ptr(b, be).i32(c).f32(eps).f32(scale).i32(1)
	return k, k.add("norms", "rownorm_"+mode+"_"+variant, grid1(rows), threads(block), 0, a)
}

func prepareSELU(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.SELU)
	vec := op.N%4 == 0
	name := "selu_s"
	n := int64(op.N)
	if vec {
		name, n = "selu_v", n/4
	}
	k := b.newBound(name)
	if n == 0 {
		return k, nil
	}
	return k, k.add("norms", name, grid1(b.streamGrid(n)), threads(256), 0, (&args{}).ptr(b, op.X).ptr(b, op.Y).i64(n))
}

// chanAffine adds y = (x - m_c)*a_c + b_c over x [rows, c]; m, a, b are
// scratch offsets (m < 0: none) or, for b, a tensor when bt is set.
func (b *Backend) chanAffine(k *bound, x, y kernel.Tensor, rows, c int, m, a int64, bOff int64, bt kernel.Tensor) error {
	if rows == 0 {
		return nil
	}
	vec := c%4 == 0
	units, name := c, "chan_affine_s"
	if vec {
		units, name = c/4, "chan_affine_v"
	}
	// T threads, a multiple of the channel units, each with a fixed channel.
	target := b.sms * 2048
	perPass := max(1, min(rows, target/units))
	T := perPass * units
	if T > math.MaxInt32-256 {
		return fmt.Errorf("%w: %d channels", kernel.ErrUnimplemented, c)
	}
	ar := (&args{}).ptr(b, x).ptr(b, y)
	if m >= 0 {
		ar.ws(m)
	} else {
		ar.null()
	}
	ar.ws(a)
	if bt != nil {
		ar.ptr(b, bt)
	} else {
		ar.ws(bOff)
	}
	ar.i64(int64(rows) * int64(units)).i32(units).i32(T)
	k.path += " " + name
	return k.add("norms", name, grid1(ceilDiv(T, 256)), threads(256), 0, ar)
}

// bnInfer: y = x*a + b with a = gamma/sqrt(rv+eps) + alpha, b = beta - rm*gamma/sqrt(rv+eps).
func (b *Backend) bnInfer(op kernel.BatchNormInfer, alpha float32) (*bound, error) {
	k := b.newBound("bn_fold")
	if op.M == 0 {
		return k, nil
	}
	var l wsLayout
	aOff, bOff := l.take(4*int64(op.C)), l.take(4*int64(op.C))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	fold := (&args{}).ptr(b, op.Gamma).ptr(b, op.Beta).ptr(b, op.RunMean).ptr(b, op.RunVar).i32(op.C).f32(op.Eps).f32(alpha).ws(aOff).ws(bOff)
	if err := k.add("norms", "bn_fold", grid1(ceilDiv(op.C, 256)), threads(256), 0, fold); err != nil {
		return nil, err
	}
	return k, b.chanAffine(k, op.X, op.Y, op.M, op.C, -1, aOff, bOff, nil)
}

// prepareUnifiedNormInfer: y = x * w/sqrt(rv+eps) + bias.
func prepareUnifiedNormInfer(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.UnifiedNormInfer)
	k := b.newBound("scale_fold")
	if op.M == 0 {
		return k, nil
	}
	var l wsLayout
	aOff := l.take(4 * int64(op.C))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	fold := (&args{}).ptr(b, op.Weight).ptr(b, op.RunVar).i32(op.C).f32(op.Eps).ws(aOff)
	if err := k.add("norms", "scale_fold", grid1(ceilDiv(op.C, 256)), threads(256), 0, fold); err != nil {
		return nil, err
	}
	return k, b.chanAffine(k, op.X, op.Y, op.M, op.C, -1, aOff, 0, op.Bias)
}

// groupScaleEps is GroupScaling1D's fixed epsilon (KERNELS.md 1.9).
const groupScaleEps = 1e-5

// preparePowerNormInfer: a = w/sqrt(phi+eps) per channel, then each group
// of C/G channels of a row is one RMS row with eps 1e-5, scaled by a and
// shifted by the bias (period G).
func preparePowerNormInfer(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.PowerNormInfer)
	cg := op.C / op.Groups
	variant, block := rowPlan(cg)
	k := b.newBound("scale_fold rownorm_" + variant)
	if op.M == 0 {
		return k, nil
	}
	var l wsLayout
	aOff := l.take(4 * int64(op.C))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	fold := (&args{}).ptr(b, op.Weight).ptr(b, op.Phi).i32(op.C).f32(op.Eps).ws(aOff)
	if err := k.add("norms", "scale_fold", grid1(ceilDiv(op.C, 256)), threads(256), 0, fold); err != nil {
		return nil, err
	}
	rows := op.M * op.Groups
	a := (&args{}).ptr(b, op.X).ptr(b, op.Y).ws(aOff).ptr(b, op.Bias).i32(cg).f32(groupScaleEps).f32(1).i32(op.Groups)
	return k, k.add("norms", "rownorm_rms_"+variant, grid1(rows), threads(block), 0, a)
}

// bnChunkRows is the rows per statistics chunk of BatchNorm training (at
// least M/65535, the grid's y limit).
func bnChunkRows(m int) int { return max(256, ceilDiv(m, 65535)) }

// bnStats is BatchNorm training's batch statistics of x [m, c]: per-chunk
// mean and M2 (bn_partial), then a fixed-order merge into mu, a =
// gamma/sqrt(var+eps) and the new running state (bn_final).
type bnStats struct {
	m, c, rowsPer, chunks int
	pm, p2, mu, a         int64 // workspace offsets
}

func newBNStats(l *wsLayout, m, c int) *bnStats {
	s := &bnStats{m: m, c: c, rowsPer: bnChunkRows(m)}
	s.chunks = ceilDiv(m, s.rowsPer)
	s.pm, s.p2 = l.take(4*int64(s.chunks)*int64(c)), l.take(4*int64(s.chunks)*int64(c))
	s.mu, s.a = l.take(4*int64(c)), l.take(4*int64(c))
	return s
}

// add appends bn_partial (none for an empty batch) and bn_final to k.
func (s *bnStats) add(b *Backend, k *bound, x, gamma, runMean, runVar, newMean, newVar kernel.Tensor, eps, momentum float32) error {
	cb := ceilDiv(s.c, 32)
	if s.m > 0 {
		part := (&args{}).ptr(b, x).i32(s.m).i32(s.c).i32(s.rowsPer).ws(s.pm).ws(s.p2)
		if err := k.add("norms", "bn_partial", grid2(cb, s.chunks), [3]int{32, 8, 1}, 0, part); err != nil {
			return err
		}
	}
	fin := (&args{}).ws(s.pm).ws(s.p2).i32(s.m).i32(s.c).i32(s.chunks).i32(s.rowsPer).ptr(b, gamma).ptr(b, runMean).ptr(b, runVar).
		f32(eps).f32(momentum).ws(s.mu).ws(s.a).ptr(b, newMean).ptr(b, newVar)
	return k.add("norms", "bn_final", grid1(cb), [3]int{32, 8, 1}, 0, fin)
}

// prepareBatchNormTrain: the batch statistics (bnStats), then y = (x -
// mu)*a + beta.
func prepareBatchNormTrain(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.BatchNormTrain)
	var l wsLayout
	st := newBNStats(&l, op.M, op.C)
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	k := b.newBound("bn_partial bn_final")
	if err := st.add(b, k, op.X, op.Gamma, op.RunMean, op.RunVar, op.NewMean, op.NewVar, op.Eps, op.Momentum); err != nil {
		return nil, err
	}
	return k, b.chanAffine(k, op.X, op.Y, op.M, op.C, st.mu, st.a, 0, op.Beta)
}

// ---- the other training norms: shared statistics ----

// chanStats is the chunked per-channel statistics of segs segments of m
// rows of x [segs*m, c]: bn_partial (or sq_partial for the uncentered mean
// of squares) per chunk, then chunk_merge into mean and m2 [segs, c].
type chanStats struct {
	m, c, segs, rowsPer, chunks int
	pm, p2, mean, m2            int64 // p2, m2 < 0: uncentered
}

func newChanStats(l *wsLayout, segs, m, c int, centered bool) *chanStats {
	s := &chanStats{m: m, c: c, segs: segs, rowsPer: bnChunkRows(m), p2: -1, m2: -1}
	s.chunks = ceilDiv(m, s.rowsPer)
	n := 4 * int64(segs) * int64(c)
	s.pm, s.mean = l.take(n*int64(s.chunks)), l.take(n)
	if centered {
		s.p2, s.m2 = l.take(n*int64(s.chunks)), l.take(n)
	}
	return s
}

// add launches the statistics of x (uncentered: of (x*scale)^2, scale at
// sOff per row and group of cg channels, sOff < 0 for none).
func (s *chanStats) add(b *Backend, k *bound, x kernel.Tensor, sOff int64, groups, cg int) error {
	if s.m == 0 || s.segs == 0 {
		return nil
	}
	cb := ceilDiv(s.c, 32)
	if s.p2 >= 0 {
		part := (&args{}).ptr(b, x).i32(s.m).i32(s.c).i32(s.rowsPer).ws(s.pm).ws(s.p2)
		if err := k.add("norms", "bn_partial", [3]int{cb, s.chunks, s.segs}, [3]int{32, 8, 1}, 0, part); err != nil {
			return err
		}
	} else {
		part := (&args{}).ptr(b, x)
		if sOff >= 0 {
			part.ws(sOff)
		} else {
			part.null()
		}
		part.i32(groups).i32(cg).i32(s.m).i32(s.c).i32(s.rowsPer).ws(s.pm)
		if err := k.add("norms", "sq_partial", grid2(cb, s.chunks), [3]int{32, 8, 1}, 0, part); err != nil {
			return err
		}
	}
	mg := (&args{}).ws(s.pm)
	if s.p2 >= 0 {
		mg.ws(s.p2)
	} else {
		mg.null()
	}
	mg.i32(s.m).i32(s.c).i32(s.chunks).i32(s.rowsPer).ws(s.mean)
	if s.m2 >= 0 {
		mg.ws(s.m2)
	} else {
		mg.null()
	}
	return k.add("norms", "chunk_merge", grid2(cb, s.segs), [3]int{32, 8, 1}, 0, mg)
}

// copyState adds dst = src over n values.
func (b *Backend) copyState(k *bound, src, dst kernel.Tensor, n int) error {
	if n == 0 {
		return nil
	}
	return k.add("norms", "copy_f32", grid1(b.streamGrid(int64(n))), threads(256), 0, (&args{}).ptr(b, src).ptr(b, dst).i64(int64(n)))
}

// elementwise adds a grid-stride kernel over n values.
func (b *Backend) elementwise(k *bound, name string, n int64, a *args) error {
	if n == 0 {
		return nil
	}
	return k.add("norms", name, grid1(b.streamGrid(n)), threads(256), 0, a)
}

// preparePRepBNTrain: BatchNorm's batch statistics (bn_partial, bn_final),
// then one block per row for the LayerNorm part and the blend.
func preparePRepBNTrain(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.PRepBNTrain)
	m, c := op.M, op.C
	var l wsLayout
	st := newBNStats(&l, m, c)
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	k := b.newBound("bn_partial bn_final prepbn_out")
	if err := st.add(b, k, op.X, op.BNGamma, op.RunMean, op.RunVar, op.NewMean, op.NewVar, op.BNEps, op.Momentum); err != nil {
		return nil, err
	}
	if m == 0 {
		return k, nil
	}
	out := (&args{}).ptr(b, op.X).ptr(b, op.Y).i32(c).f32(op.LNEps).f32(op.Lambda).f32(op.Alpha).ptr(b, op.LNGamma).
		ptr(b, op.LNBeta).ws(st.mu).ws(st.a).ptr(b, op.BNBeta)
	return k, k.add("norms", "prepbn_out", grid1(m), threads(min(max(roundUp(c, 32), 32), 256)), 0, out)
}

// preparePowerNormTrain: GroupScaling1D's scale per row and group, the
// per-channel quadratic mean of the scaled x, the fold with phi, then y.
func preparePowerNormTrain(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.PowerNormTrain)
	m, c := op.M, op.C
	cg := c / op.Groups
	var l wsLayout
	sOff := l.take(4 * int64(m) * int64(op.Groups))
	st := newChanStats(&l, 1, m, c, false)
	kOff := l.take(4 * int64(c))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	k := b.newBound("group_scale sq_partial chunk_merge pn_final pn_out")
	if m == 0 {
		return k, b.copyState(k, op.Phi, op.NewPhi, c)
	}
	gs := (&args{}).ptr(b, op.X).i32(cg).f32(groupScaleEps).ws(sOff)
	if err := k.add("norms", "group_scale", grid1(m*op.Groups), threads(min(max(roundUp(cg, 32), 32), 256)), 0, gs); err != nil {
		return nil, err
	}
	if err := st.add(b, k, op.X, sOff, op.Groups, cg); err != nil {
		return nil, err
	}
	fin := (&args{}).ws(st.mean).ptr(b, op.Weight).ptr(b, op.Phi).i32(c).f32(op.Eps).f32(op.Momentum).i32(op.Iter).i32(op.Warmup).
		ws(kOff).ptr(b, op.NewPhi)
	if err := k.add("norms", "pn_final", grid1(ceilDiv(c, 256)), threads(256), 0, fin); err != nil {
		return nil, err
	}
	n := int64(m) * int64(c)
	return k, b.elementwise(k, "pn_out", n, (&args{}).ptr(b, op.X).ptr(b, op.Y).ws(sOff).ws(kOff).ptr(b, op.Bias).i32(c).i32(cg).i64(n))
}

// prepareUnifiedNormTrain: the per-channel quadratic mean, the window
// logic in one block (un_final), then y = x*k + bias.
func prepareUnifiedNormTrain(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.UnifiedNormTrain)
	m, c := op.M, op.C
	var l wsLayout
	st := newChanStats(&l, 1, m, c, false)
	kOff := l.take(4 * int64(c))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	k := b.newBound("sq_partial chunk_merge un_final chan_affine")
	if err := st.add(b, k, op.X, -1, 1, c); err != nil {
		return nil, err
	}
	fin := (&args{}).ws(st.mean).ptr(b, op.Weight).ptr(b, op.Buf).ptr(b, op.RunVar).i32(m).i32(c).i32(op.Window).i32(op.Warmup).
		i32(op.Iter).flag(op.Filter).f32(op.Eps).f32(op.Momentum).ws(kOff).ptr(b, op.NewBuf).ptr(b, op.NewRunVar)
	if err := k.add("norms", "un_final", grid1(1), threads(256), 0, fin); err != nil {
		return nil, err
	}
	return k, b.chanAffine(k, op.X, op.Y, m, c, -1, kOff, 0, op.Bias)
}

// prepareEvoNormB0: instance statistics per image (bn_partial with one
// segment per image), the batch variance (training) and the output pass.
func prepareEvoNormB0(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.EvoNormB0)
	n, hw, c := op.N, op.HW, op.C
	total := int64(n) * int64(hw) * int64(c)
	k := b.newBound("evonorm_b0")
	if !op.Nonlinear {
		if op.Training {
			if err := b.copyState(k, op.RunVar, op.NewRunVar, c); err != nil {
				return nil, err
			}
		}
		return k, b.elementwise(k, "affine_param", total, (&args{}).ptr(b, op.X).ptr(b, op.Y).ptr(b, op.Gamma).ptr(b, op.Beta).i32(c).i64(total))
	}
	if n == 0 || hw == 0 {
		if op.Training {
			return k, b.copyState(k, op.RunVar, op.NewRunVar, c)
		}
		return k, nil
	}
	var l wsLayout
	inst := newChanStats(&l, n, hw, c, true)
	var batch *chanStats
	if op.Training {
		batch = newChanStats(&l, 1, n*hw, c, true)
	}
	sb := l.take(4 * int64(c))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	if err := inst.add(b, k, op.X, -1, 1, c); err != nil {
		return nil, err
	}
	fin := &args{}
	if op.Training {
		if err := batch.add(b, k, op.X, -1, 1, c); err != nil {
			return nil, err
		}
		fin.ws(batch.m2).ptr(b, op.RunVar).i32(c).f32(float32(n*hw)).f32(op.Eps).f32(op.Decay).i32(1).ws(sb).ptr(b, op.NewRunVar)
	} else {
		fin.null().ptr(b, op.RunVar).i32(c).f32(1).f32(op.Eps).f32(op.Decay).i32(0).ws(sb).null()
	}
	if err := k.add("norms", "evo_b0_final", grid1(ceilDiv(c, 256)), threads(256), 0, fin); err != nil {
		return nil, err
	}
	out := (&args{}).ptr(b, op.X).ptr(b, op.Y).ws(sb).ws(inst.m2).ptr(b, op.V).ptr(b, op.Gamma).ptr(b, op.Beta).i32(hw).i32(c).
		f32(op.Eps).i64(total)
	return k, b.elementwise(k, "evo_b0_out", total, out)
}

// prepareEvoNormS0: instance statistics per image, merged per group
// (evo_s0_group), then the output pass.
func prepareEvoNormS0(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.EvoNormS0)
	n, hw, c := op.N, op.HW, op.C
	total := int64(n) * int64(hw) * int64(c)
	k := b.newBound("evonorm_s0")
	if !op.Nonlinear {
		return k, b.elementwise(k, "affine_param", total, (&args{}).ptr(b, op.X).ptr(b, op.Y).ptr(b, op.Gamma).ptr(b, op.Beta).i32(c).i64(total))
	}
	if total == 0 {
		return k, nil
	}
	var l wsLayout
	inst := newChanStats(&l, n, hw, c, true)
	kOff := l.take(4 * int64(n) * int64(c))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	if err := inst.add(b, k, op.X, -1, 1, c); err != nil {
		return nil, err
	}
	cg := c / op.Groups
	grp := (&args{}).ws(inst.mean).ws(inst.m2).ptr(b, op.Gamma).i32(n).i32(c).i32(cg).i32(hw).f32(op.Eps).ws(kOff)
	if err := k.add("norms", "evo_s0_group", grid1(ceilDiv(n*op.Groups, 256)), threads(256), 0, grp); err != nil {
		return nil, err
	}
	out := (&args{}).ptr(b, op.X).ptr(b, op.Y).ws(kOff).ptr(b, op.V).ptr(b, op.Beta).i32(hw).i32(c).i64(total)
	return k, b.elementwise(k, "evo_s0_out", total, out)
}
