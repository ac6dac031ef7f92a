//go:build cuda

package cuda

import (
	"fmt"
	"math"

	"github.com/nbench/nbench/kernel"
)

// Norm kernels (kernels/norms.cu). The row norms share one kernel per
// statistic (ln, rms, crms); the per-channel inference norms fold their
// parameters into a scale and shift, then run one elementwise pass.

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

// prepareBatchNormTrain: per-chunk mean and M2 (bn_partial), a fixed-order
// merge into mu, a = gamma/sqrt(var+eps) and the new state (bn_final),
// then y = (x - mu)*a + beta.
func prepareBatchNormTrain(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.BatchNormTrain)
	m, c := op.M, op.C
	rowsPer := bnChunkRows(m)
	chunks := ceilDiv(m, rowsPer)
	var l wsLayout
	pm, p2 := l.take(4*int64(chunks)*int64(c)), l.take(4*int64(chunks)*int64(c))
	mu, a := l.take(4*int64(c)), l.take(4*int64(c))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	k := b.newBound("bn_partial bn_final")
	cb := ceilDiv(c, 32)
	if m > 0 {
		part := (&args{}).ptr(b, op.X).i32(m).i32(c).i32(rowsPer).ws(pm).ws(p2)
		if err := k.add("norms", "bn_partial", grid2(cb, chunks), [3]int{32, 8, 1}, 0, part); err != nil {
			return nil, err
		}
	}
	fin := (&args{}).ws(pm).ws(p2).i32(m).i32(c).i32(chunks).i32(rowsPer).ptr(b, op.Gamma).ptr(b, op.RunMean).ptr(b, op.RunVar).
		f32(op.Eps).f32(op.Momentum).ws(mu).ws(a).ptr(b, op.NewMean).ptr(b, op.NewVar)
	if err := k.add("norms", "bn_final", grid1(cb), [3]int{32, 8, 1}, 0, fin); err != nil {
		return nil, err
	}
	return k, b.chanAffine(k, op.X, op.Y, m, c, mu, a, 0, op.Beta)
}
