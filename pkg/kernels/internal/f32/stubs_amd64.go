//go:build amd64 && !noasm

package f32

import "unsafe"

// Assembly versions of the hot inner loops (vec_amd64.s), used when the CPU
// and OS support AVX2 and FMA; otherwise, and for the tails of lengths that
// are not a multiple of 8, the Go loops of vec.go run. Each asm routine's
// doc comment is the Go loop it computes, as gonum's internal/asm does. The
// noasm build tag (vec_noasm.go) drops the assembly.

// Impl names the implementation in use: "avx2" or "go".
func Impl() string {
	if hasAVX2FMA {
		return "avx2"
	}
	return "go"
}

// hasAVX2FMA is set once at start-up from CPUID: AVX, AVX2 and FMA present
// and YMM state enabled by the OS (XGETBV).
var hasAVX2FMA = detectAVX2FMA()

func detectAVX2FMA() bool {
	_, _, c1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if c1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if eax, _ := xgetbv(); eax&6 != 6 { // XMM and YMM state
		return false
	}
	_, b7, _, _ := cpuid(7, 0)
	return b7&(1<<5) != 0 // AVX2
}

// cpuid executes CPUID with EAX=eaxArg, ECX=ecxArg.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// xgetbv reads extended control register 0.
func xgetbv() (eax, edx uint32)

// addAVX computes, for n a positive multiple of 8:
//
//	for i := 0; i < n; i++ {
//		dst[i] += x[i]
//	}
//
//go:noescape
func addAVX(dst, x *float32, n int)

// axpyAVX computes, for n a positive multiple of 8:
//
//	for i := 0; i < n; i++ {
//		dst[i] += a * x[i] // fused multiply-add
//	}
//
//go:noescape
func axpyAVX(dst *float32, a float32, x *float32, n int)

// dotAVX computes, for n a positive multiple of 8:
//
//	var s float32
//	for i := 0; i < n; i++ {
//		s += x[i] * y[i] // in 32 lanes, fused, summed at the end
//	}
//	return s
//
//go:noescape
func dotAVX(x, y *float32, n int) float32

// gatherSumAVX computes, for n a positive multiple of 8 and m >= 1:
//
//	for j := 0; j < n; j++ {
//		var s float32
//		for k := 0; k < m; k++ {
//			v := float32(1)
//			if vals != nil {
//				v = vals[k]
//			}
//			s += v * x[int(idx[k])*stride+j] // fused multiply-add
//		}
//		dst[j] = s
//	}
//
// walking the columns in blocks of 64, 32, 16 and 8 held in registers and
// prefetching the rows of the entries a few ahead. Every row it touches
// must lie inside x: the caller checks idx against x's rows first.
//
//go:noescape
func gatherSumAVX(dst *float32, n int, x *float32, stride int, idx *int32, m int, vals *float32)

// Add sets dst[i] += x[i].
func Add(dst, x []float32) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		addGo(dst, x)
		return
	}
	x = x[:len(dst)]
	addAVX(&dst[0], &x[0], n)
	if n < len(dst) {
		addGo(dst[n:], x[n:])
	}
}

// Axpy sets dst[i] += a * x[i].
func Axpy(dst []float32, a float32, x []float32) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		axpyGo(dst, a, x)
		return
	}
	x = x[:len(dst)]
	axpyAVX(&dst[0], a, &x[0], n)
	if n < len(dst) {
		axpyGo(dst[n:], a, x[n:])
	}
}

// Dot returns sum_i x[i] * y[i].
func Dot(x, y []float32) float32 {
	n := len(x) &^ 7
	if !hasAVX2FMA || n == 0 {
		return dotGo(x, y)
	}
	y = y[:len(x)]
	s := dotAVX(&x[0], &y[0], n)
	if n < len(x) {
		s += dotGo(x[n:], y[n:])
	}
	return s
}

// GatherSum sets dst[j] = sum_k v_k * x[idx[k]*stride + off + j], v_k =
// vals[k] or 1 when vals is nil; len(idx) >= 1 and every row
// x[idx[k]*stride+off : +len(dst)] in bounds (the asm does not check).
func GatherSum(dst, x []float32, stride, off int, idx []int32, vals []float32) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 {
		gatherSumGo(dst, x, stride, off, idx, vals)
		return
	}
	var vp *float32
	if vals != nil {
		vals = vals[:len(idx)]
		vp = &vals[0]
	}
	gatherSumAVX(&dst[0], n, &x[off], stride, &idx[0], len(idx), vp)
	if n < len(dst) {
		gatherSumGo(dst[n:], x, stride, off+n, idx, vals)
	}
}

// gatherExtAVX computes, for n a positive multiple of 8 and m >= 1:
//
//	for j := 0; j < n; j++ {
//		for k := 0; k < m; k++ {
//			v := float32(1)
//			if vals != nil {
//				v = vals[k]
//			}
//			t := v * x[int(idx[k])*stride+j]
//			if k == 0 || (!isMin && t > dst[j]) || (isMin && t < dst[j]) {
//				dst[j] = t
//				if arg != nil {
//					arg[j] = k0 + int64(k)
//				}
//			}
//		}
//	}
//
// in column blocks of 32 and 8 held in registers, the winning k kept as
// int32 lanes and widened to int64 on the store. Every row it touches must
// lie inside x, and m < 2^31.
//
//go:noescape
func gatherExtAVX(dst *float32, arg *int64, n int, x *float32, stride int, idx *int32, m int, vals *float32, k0 int64, isMin bool)

// GatherExt sets dst[j] to the max (max true) or min over the entries k of
// v_k * x[idx[k]*stride + off + j] and, when arg is not nil, arg[j] to k0
// plus the first k attaining it. len(idx) >= 1; rows in bounds as for
// GatherSum.
func GatherExt(dst []float32, arg []int64, x []float32, stride, off int, idx []int32, vals []float32, k0 int64, max bool) {
	n := len(dst) &^ 7
	if !hasAVX2FMA || n == 0 || len(idx) >= 1<<31 {
		gatherExtGo(dst, arg, x, stride, off, idx, vals, k0, max)
		return
	}
	var vp *float32
	if vals != nil {
		vals = vals[:len(idx)]
		vp = &vals[0]
	}
	var ap *int64
	if arg != nil {
		arg = arg[:len(dst)]
		ap = &arg[0]
	}
	gatherExtAVX(&dst[0], ap, n, &x[off], stride, &idx[0], len(idx), vp, k0, !max)
	if n < len(dst) {
		var at []int64
		if arg != nil {
			at = arg[n:]
		}
		gatherExtGo(dst[n:], at, x, stride, off+n, idx, vals, k0, max)
	}
}

// copyRowsAVX computes, for cols a positive multiple of 8 and n >= 1:
//
//	for i := 0; i < n; i++ {
//		copy(dst[i*dstStride:i*dstStride+cols], src[int(ids[i])*srcStride:][:cols])
//	}
//
// prefetching the source row 8 ids ahead. With nt it writes dst with
// non-temporal stores (dst and dstStride*4 must be 32-byte aligned), which
// skip reading dst's lines into the cache first. Every source row must lie
// inside src: the caller checks ids first.
//
//go:noescape
func copyRowsAVX(dst *float32, dstStride int, src *float32, srcStride int, ids *int32, n int, cols int, nt bool)

// scatterAddRowsAVX computes, for cols a positive multiple of 8 and n >= 1:
//
//	for i := 0; i < n; i++ {
//		d := dst[int(ids[i])*dstStride:][:cols]
//		for j := range d {
//			d[j] += src[i*srcStride+j]
//		}
//	}
//
// prefetching the destination row 8 ids ahead. Every destination row must
// lie inside dst: the caller checks ids first.
//
//go:noescape
func scatterAddRowsAVX(dst *float32, dstStride int, src *float32, srcStride int, ids *int32, n int, cols int)

// GatherRows copies, for i < len(ids), the cols values at
// src[ids[i]*srcStride+off:] to dst[i*dstStride+off:]. Every id must index
// a row inside src (the caller checks; the assembly does not), and
// bigDst says the whole destination is large (see NTMin) so
// non-temporal stores may pay.
func GatherRows(dst []float32, dstStride int, src []float32, srcStride int, ids []int32, off, cols int, bigDst bool) {
	if len(ids) == 0 || cols == 0 {
		return
	}
	n8 := cols &^ 7
	if hasAVX2FMA && n8 > 0 {
		d := &dst[off]
		nt := bigDst && uintptr(unsafe.Pointer(d))%32 == 0 && dstStride%8 == 0
		copyRowsAVX(d, dstStride, &src[off], srcStride, &ids[0], len(ids), n8, nt)
		if n8 == cols {
			return
		}
		off, cols = off+n8, cols-n8
	}
	gatherRowsGo(dst, dstStride, src, srcStride, ids, off, cols)
}

// ScatterAddRows adds, for i < len(ids), the cols values at
// src[i*srcStride+off:] to dst[ids[i]*dstStride+off:]. Every id must index
// a row inside dst (the caller checks; the assembly does not).
func ScatterAddRows(dst []float32, dstStride int, src []float32, srcStride int, ids []int32, off, cols int) {
	if len(ids) == 0 || cols == 0 {
		return
	}
	n8 := cols &^ 7
	if hasAVX2FMA && n8 > 0 {
		scatterAddRowsAVX(&dst[off], dstStride, &src[off], srcStride, &ids[0], len(ids), n8)
		if n8 == cols {
			return
		}
		off, cols = off+n8, cols-n8
	}
	scatterAddRowsGo(dst, dstStride, src, srcStride, ids, off, cols)
}
