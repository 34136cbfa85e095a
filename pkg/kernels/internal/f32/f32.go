package f32

// The pure-Go loops. Each takes slices of equal length (the first
// argument's) and is written so the compiler drops bounds checks and keeps
// eight independent accumulations in flight. On amd64 with AVX2 and FMA,
// stubs_amd64.go routes Add, Axpy, Dot and GatherSum to assembly and uses
// these for the tails; stubs_noasm.go uses these alone.

// NTMin is the destination size (bytes) from which GatherRows writes with
// non-temporal stores: well past any last-level cache, where reading the
// destination's lines before overwriting them is pure waste.
const NTMin = 64 << 20

// axpyGo sets dst[i] += a * x[i].
func axpyGo(dst []float32, a float32, x []float32) {
	x = x[:len(dst)]
	i := 0
	for ; i+8 <= len(dst); i += 8 {
		d := dst[i : i+8 : i+8]
		s := x[i : i+8 : i+8]
		d[0] += a * s[0]
		d[1] += a * s[1]
		d[2] += a * s[2]
		d[3] += a * s[3]
		d[4] += a * s[4]
		d[5] += a * s[5]
		d[6] += a * s[6]
		d[7] += a * s[7]
	}
	for ; i < len(dst); i++ {
		dst[i] += a * x[i]
	}
}

// addGo sets dst[i] += x[i].
func addGo(dst, x []float32) {
	x = x[:len(dst)]
	i := 0
	for ; i+8 <= len(dst); i += 8 {
		d := dst[i : i+8 : i+8]
		s := x[i : i+8 : i+8]
		d[0] += s[0]
		d[1] += s[1]
		d[2] += s[2]
		d[3] += s[3]
		d[4] += s[4]
		d[5] += s[5]
		d[6] += s[6]
		d[7] += s[7]
	}
	for ; i < len(dst); i++ {
		dst[i] += x[i]
	}
}

// ScaleTo sets dst[i] = a * x[i].
func ScaleTo(dst []float32, a float32, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = a * v
	}
}

// Scal sets dst[i] *= a.
func Scal(dst []float32, a float32) {
	for i := range dst {
		dst[i] *= a
	}
}

// dotGo returns sum_i x[i] * y[i].
func dotGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(x); i += 8 {
		a := x[i : i+8 : i+8]
		b := y[i : i+8 : i+8]
		s0 += a[0] * b[0]
		s1 += a[1] * b[1]
		s2 += a[2] * b[2]
		s3 += a[3] * b[3]
		s4 += a[4] * b[4]
		s5 += a[5] * b[5]
		s6 += a[6] * b[6]
		s7 += a[7] * b[7]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

// gatherSumGo sets dst[j] = sum_k v_k * x[idx[k]*stride + off + j] with
// v_k = vals[k] (1 when vals is nil); len(idx) >= 1.
func gatherSumGo(dst, x []float32, stride, off int, idx []int32, vals []float32) {
	n := len(dst)
	row := func(c int32) []float32 {
		p := int(c)*stride + off
		return x[p : p+n]
	}
	if vals == nil {
		copy(dst, row(idx[0]))
		for _, c := range idx[1:] {
			addGo(dst, row(c))
		}
		return
	}
	vals = vals[:len(idx)]
	ScaleTo(dst, vals[0], row(idx[0]))
	for k, c := range idx[1:] {
		axpyGo(dst, vals[k+1], row(c))
	}
}

// gatherExtGo sets dst[j] to the maximum (max true) or minimum over the
// entries k of v_k * x[idx[k]*stride + off + j], v_k = vals[k] or 1, and,
// when arg is not nil, arg[j] to k0 + the first k that attains it (ties
// keep the earlier entry; a NaN candidate never replaces). len(idx) >= 1.
func gatherExtGo(dst []float32, arg []int64, x []float32, stride, off int, idx []int32, vals []float32, k0 int64, max bool) {
	n := len(dst)
	v := float32(1)
	for k, c := range idx {
		p := int(c)*stride + off
		xr := x[p : p+n]
		if vals != nil {
			v = vals[k]
		}
		if k == 0 {
			ScaleTo(dst, v, xr)
			if arg != nil {
				for j := range arg[:n] {
					arg[j] = k0
				}
			}
			continue
		}
		kk := k0 + int64(k)
		switch {
		case arg == nil && max:
			for j, xv := range xr {
				if t := v * xv; t > dst[j] {
					dst[j] = t
				}
			}
		case arg == nil:
			for j, xv := range xr {
				if t := v * xv; t < dst[j] {
					dst[j] = t
				}
			}
		case max:
			arg := arg[:n]
			for j, xv := range xr {
				if t := v * xv; t > dst[j] {
					dst[j] = t
					arg[j] = kk
				}
			}
		default:
			arg := arg[:n]
			for j, xv := range xr {
				if t := v * xv; t < dst[j] {
					dst[j] = t
					arg[j] = kk
				}
			}
		}
	}
}

// gatherRowsGo copies src[ids[i]*srcStride+off:][:cols] to
// dst[i*dstStride+off:][:cols].
func gatherRowsGo(dst []float32, dstStride int, src []float32, srcStride int, ids []int32, off, cols int) {
	for i, id := range ids {
		p := int(id)*srcStride + off
		copy(dst[i*dstStride+off:][:cols], src[p:p+cols])
	}
}

// scatterAddRowsGo adds src[i*srcStride+off:][:cols] to
// dst[ids[i]*dstStride+off:][:cols].
func scatterAddRowsGo(dst []float32, dstStride int, src []float32, srcStride int, ids []int32, off, cols int) {
	for i, id := range ids {
		p := int(id)*dstStride + off
		addGo(dst[p:p+cols], src[i*srcStride+off:][:cols])
	}
}
