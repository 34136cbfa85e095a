//go:build cgo

package cpu

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// blasName names the BLAS this build uses.
const blasName = "openblas"

// blasSplits says Gemm may split rows across workers when the BLAS runs on
// one thread.
const blasSplits = true

// openBLAS is gonum's pure-Go Float32 with the Level 3 product replaced
// by OpenBLAS's cblas_sgemm. Only Sgemm is on a hot path; the embedded
// implementation supplies the rest of blas.Float32.
type openBLAS struct{ gonum.Implementation }

// newBLAS sets OpenBLAS's process-wide thread count and returns the BLAS.
func newBLAS(threads int) blas.Float32 {
	C.openblas_set_num_threads(C.int(threads))
	return openBLAS{}
}

// blasThreads reports OpenBLAS's current thread count.
func blasThreads() int { return int(C.openblas_get_num_threads()) }

// Sgemm computes c = alpha * op(a) * op(b) + beta * c in row-major order.
// The caller (Backend.Gemm) has checked every dimension and length and
// handled m, n or k == 0, so the pointers below are valid.
func (openBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans), C.enum_CBLAS_TRANSPOSE(C.CblasNoTrans)
	if tA != blas.NoTrans {
		ta = C.CblasTrans
	}
	if tB != blas.NoTrans {
		tb = C.CblasTrans
	}
	C.cblas_sgemm(C.CblasRowMajor, ta, tb, C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda),
		(*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb),
		C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
}
