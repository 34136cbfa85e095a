//go:build amd64 && !noasm

#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func addAVX(dst, x *float32, n int)
TEXT ·addAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX

add32:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $32
	JLT  add8
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS 32(DI)(AX*4), Y1
	VMOVUPS 64(DI)(AX*4), Y2
	VMOVUPS 96(DI)(AX*4), Y3
	VADDPS  (SI)(AX*4), Y0, Y0
	VADDPS  32(SI)(AX*4), Y1, Y1
	VADDPS  64(SI)(AX*4), Y2, Y2
	VADDPS  96(SI)(AX*4), Y3, Y3
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	VMOVUPS Y2, 64(DI)(AX*4)
	VMOVUPS Y3, 96(DI)(AX*4)
	ADDQ    $32, AX
	JMP     add32

add8:
	CMPQ AX, CX
	JGE  adddone
	VMOVUPS (DI)(AX*4), Y0
	VADDPS  (SI)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	JMP     add8

adddone:
	VZEROUPPER
	RET

// func axpyAVX(dst *float32, a float32, x *float32, n int)
TEXT ·axpyAVX(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	VBROADCASTSS a+8(FP), Y15
	MOVQ         x+16(FP), SI
	MOVQ         n+24(FP), CX
	XORQ         AX, AX

axpy32:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $32
	JLT  axpy8
	VMOVUPS     (DI)(AX*4), Y0
	VMOVUPS     32(DI)(AX*4), Y1
	VMOVUPS     64(DI)(AX*4), Y2
	VMOVUPS     96(DI)(AX*4), Y3
	VFMADD231PS (SI)(AX*4), Y15, Y0
	VFMADD231PS 32(SI)(AX*4), Y15, Y1
	VFMADD231PS 64(SI)(AX*4), Y15, Y2
	VFMADD231PS 96(SI)(AX*4), Y15, Y3
	VMOVUPS     Y0, (DI)(AX*4)
	VMOVUPS     Y1, 32(DI)(AX*4)
	VMOVUPS     Y2, 64(DI)(AX*4)
	VMOVUPS     Y3, 96(DI)(AX*4)
	ADDQ        $32, AX
	JMP         axpy32

axpy8:
	CMPQ AX, CX
	JGE  axpydone
	VMOVUPS     (DI)(AX*4), Y0
	VFMADD231PS (SI)(AX*4), Y15, Y0
	VMOVUPS     Y0, (DI)(AX*4)
	ADDQ        $8, AX
	JMP         axpy8

axpydone:
	VZEROUPPER
	RET

// func dotAVX(x, y *float32, n int) float32
TEXT ·dotAVX(SB), NOSPLIT, $0-28
	MOVQ   x+0(FP), SI
	MOVQ   y+8(FP), DI
	MOVQ   n+16(FP), CX
	XORQ   AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

dot32:
	MOVQ CX, BX
	SUBQ AX, BX
	CMPQ BX, $32
	JLT  dot8
	VMOVUPS     (SI)(AX*4), Y4
	VMOVUPS     32(SI)(AX*4), Y5
	VMOVUPS     64(SI)(AX*4), Y6
	VMOVUPS     96(SI)(AX*4), Y7
	VFMADD231PS (DI)(AX*4), Y4, Y0
	VFMADD231PS 32(DI)(AX*4), Y5, Y1
	VFMADD231PS 64(DI)(AX*4), Y6, Y2
	VFMADD231PS 96(DI)(AX*4), Y7, Y3
	ADDQ        $32, AX
	JMP         dot32

dot8:
	CMPQ AX, CX
	JGE  dotsum
	VMOVUPS     (SI)(AX*4), Y4
	VFMADD231PS (DI)(AX*4), Y4, Y0
	ADDQ        $8, AX
	JMP         dot8

dotsum:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0
	VMOVSS       X0, ret+24(FP)
	VZEROUPPER
	RET

// Register use in gatherSumAVX:
//   DI dst, CX n*4 (bytes), SI x, DX stride*4, R8 idx, R9 m, R10 vals (0 =
//   unweighted), R11 column byte offset, R12 k, R13 &x[idx[k]][col],
//   AX/BX scratch, Y0-Y7 accumulators, Y15 the broadcast weight.

// ROWPTR sets R13 = &x[idx[k]*stride] + column offset.
#define ROWPTR \
	MOVLQSX (R8)(R12*4), R13 \
	IMULQ   DX, R13          \
	ADDQ    SI, R13          \
	ADDQ    R11, R13

// PREFETCH(lines) prefetches the block of the entry PD ahead, if any.
#define PD 6
#define PREFETCH_AHEAD(label) \
	LEAQ       PD(R12), AX     \
	CMPQ       AX, R9          \
	JGE        label           \
	MOVLQSX    (R8)(AX*4), BX  \
	IMULQ      DX, BX          \
	ADDQ       SI, BX          \
	ADDQ       R11, BX         \
	PREFETCHT0 (BX)            \
	PREFETCHT0 64(BX)          \
	PREFETCHT0 128(BX)         \
	PREFETCHT0 192(BX)

// func gatherSumAVX(dst *float32, n int, x *float32, stride int, idx *int32, m int, vals *float32)
TEXT ·gatherSumAVX(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ n+8(FP), CX
	SHLQ $2, CX
	MOVQ x+16(FP), SI
	MOVQ stride+24(FP), DX
	SHLQ $2, DX
	MOVQ idx+32(FP), R8
	MOVQ m+40(FP), R9
	MOVQ vals+48(FP), R10
	XORQ R11, R11

blk64:
	MOVQ   CX, AX
	SUBQ   R11, AX
	CMPQ   AX, $256
	JLT    blk32
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   R12, R12
	TESTQ  R10, R10
	JZ     u64

w64:
	PREFETCH_AHEAD(w64go)

w64go:
	ROWPTR
	VBROADCASTSS (R10)(R12*4), Y15
	VFMADD231PS  (R13), Y15, Y0
	VFMADD231PS  32(R13), Y15, Y1
	VFMADD231PS  64(R13), Y15, Y2
	VFMADD231PS  96(R13), Y15, Y3
	VFMADD231PS  128(R13), Y15, Y4
	VFMADD231PS  160(R13), Y15, Y5
	VFMADD231PS  192(R13), Y15, Y6
	VFMADD231PS  224(R13), Y15, Y7
	INCQ         R12
	CMPQ         R12, R9
	JLT          w64
	JMP          st64

u64:
	PREFETCH_AHEAD(u64go)

u64go:
	ROWPTR
	VADDPS 0(R13), Y0, Y0
	VADDPS 32(R13), Y1, Y1
	VADDPS 64(R13), Y2, Y2
	VADDPS 96(R13), Y3, Y3
	VADDPS 128(R13), Y4, Y4
	VADDPS 160(R13), Y5, Y5
	VADDPS 192(R13), Y6, Y6
	VADDPS 224(R13), Y7, Y7
	INCQ   R12
	CMPQ   R12, R9
	JLT    u64

st64:
	VMOVUPS Y0, 0(DI)(R11*1)
	VMOVUPS Y1, 32(DI)(R11*1)
	VMOVUPS Y2, 64(DI)(R11*1)
	VMOVUPS Y3, 96(DI)(R11*1)
	VMOVUPS Y4, 128(DI)(R11*1)
	VMOVUPS Y5, 160(DI)(R11*1)
	VMOVUPS Y6, 192(DI)(R11*1)
	VMOVUPS Y7, 224(DI)(R11*1)
	ADDQ    $256, R11
	JMP     blk64

blk32:
	CMPQ   AX, $128
	JLT    blk16
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   R12, R12
	TESTQ  R10, R10
	JZ     u32

w32:
	ROWPTR
	VBROADCASTSS (R10)(R12*4), Y15
	VFMADD231PS  (R13), Y15, Y0
	VFMADD231PS  32(R13), Y15, Y1
	VFMADD231PS  64(R13), Y15, Y2
	VFMADD231PS  96(R13), Y15, Y3
	INCQ         R12
	CMPQ         R12, R9
	JLT          w32
	JMP          st32

u32:
	ROWPTR
	VADDPS 0(R13), Y0, Y0
	VADDPS 32(R13), Y1, Y1
	VADDPS 64(R13), Y2, Y2
	VADDPS 96(R13), Y3, Y3
	INCQ   R12
	CMPQ   R12, R9
	JLT    u32

st32:
	VMOVUPS Y0, 0(DI)(R11*1)
	VMOVUPS Y1, 32(DI)(R11*1)
	VMOVUPS Y2, 64(DI)(R11*1)
	VMOVUPS Y3, 96(DI)(R11*1)
	ADDQ    $128, R11
	MOVQ    CX, AX
	SUBQ    R11, AX

blk16:
	CMPQ   AX, $64
	JLT    blk8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	XORQ   R12, R12
	TESTQ  R10, R10
	JZ     u16

w16:
	ROWPTR
	VBROADCASTSS (R10)(R12*4), Y15
	VFMADD231PS  (R13), Y15, Y0
	VFMADD231PS  32(R13), Y15, Y1
	INCQ         R12
	CMPQ         R12, R9
	JLT          w16
	JMP          st16

u16:
	ROWPTR
	VADDPS 0(R13), Y0, Y0
	VADDPS 32(R13), Y1, Y1
	INCQ   R12
	CMPQ   R12, R9
	JLT    u16

st16:
	VMOVUPS Y0, 0(DI)(R11*1)
	VMOVUPS Y1, 32(DI)(R11*1)
	ADDQ    $64, R11
	MOVQ    CX, AX
	SUBQ    R11, AX

blk8:
	CMPQ   AX, $32
	JLT    done
	VXORPS Y0, Y0, Y0
	XORQ   R12, R12
	TESTQ  R10, R10
	JZ     u8

w8:
	ROWPTR
	VBROADCASTSS (R10)(R12*4), Y15
	VFMADD231PS  (R13), Y15, Y0
	INCQ         R12
	CMPQ         R12, R9
	JLT          w8
	JMP          st8

u8:
	ROWPTR
	VADDPS 0(R13), Y0, Y0
	INCQ   R12
	CMPQ   R12, R9
	JLT    u8

st8:
	VMOVUPS Y0, 0(DI)(R11*1)

done:
	VZEROUPPER
	RET


// Register use in gatherExtAVX:
//   DI dst, R14 arg (0 = none), CX n*4, SI x, DX stride*4, R8 idx, R9 m,
//   R10 vals (0 = all ones), R11 column byte offset, R12 k, R13 row pointer,
//   AX scratch, Y0-Y3 values, Y4-Y7 winning k (int32 lanes), Y8 candidate,
//   Y9 mask, Y10 scratch, Y12 k0 (int64 lanes), Y13 int32 ones, Y14 current
//   k (int32 lanes), Y15 the weight (1.0 when unweighted).
// The loops below are written out for max (compare predicate GT_OQ, 0x1e)
// and min (LT_OQ, 0x11) and for column blocks of 32 and 8.

// func gatherExtAVX(dst *float32, arg *int64, n int, x *float32, stride int, idx *int32, m int, vals *float32, k0 int64, isMin bool)
TEXT ·gatherExtAVX(SB), NOSPLIT, $0-73
	MOVQ         dst+0(FP), DI
	MOVQ         arg+8(FP), R14
	MOVQ         n+16(FP), CX
	SHLQ         $2, CX
	MOVQ         x+24(FP), SI
	MOVQ         stride+32(FP), DX
	SHLQ         $2, DX
	MOVQ         idx+40(FP), R8
	MOVQ         m+48(FP), R9
	MOVQ         vals+56(FP), R10
	VPBROADCASTQ k0+64(FP), Y12
	MOVL         $1, AX
	MOVQ         AX, X13
	VPBROADCASTD X13, Y13
	MOVL         $0x3f800000, AX
	MOVQ         AX, X15
	VBROADCASTSS X15, Y15
	XORQ         R11, R11
	MOVBQZX      isMin+72(FP), AX
	TESTQ        AX, AX
	JNZ          min_blk32
max_blk32:
	MOVQ CX, AX
	SUBQ R11, AX
	CMPQ AX, $128
	JLT  max_blk8
	// entry 0 initialises values and args
	XORQ R12, R12
	MOVLQSX (R8)(R12*4), R13
	IMULQ   DX, R13
	ADDQ    SI, R13
	ADDQ    R11, R13
	TESTQ R10, R10
	JZ    max_blk32_w0
	VBROADCASTSS (R10), Y15
max_blk32_w0:
	VMULPS 0(R13), Y15, Y0
	VPXOR  Y4, Y4, Y4
	VMULPS 32(R13), Y15, Y1
	VPXOR  Y5, Y5, Y5
	VMULPS 64(R13), Y15, Y2
	VPXOR  Y6, Y6, Y6
	VMULPS 96(R13), Y15, Y3
	VPXOR  Y7, Y7, Y7
	VPXOR Y14, Y14, Y14
	INCQ  R12
	CMPQ  R12, R9
	JGE   max_blk32_store
max_blk32_loop:
	VPADDD Y13, Y14, Y14
	LEAQ       PD(R12), AX
	CMPQ       AX, R9
	JGE        max_blk32_nopf
	MOVLQSX    (R8)(AX*4), AX
	IMULQ      DX, AX
	ADDQ       SI, AX
	ADDQ       R11, AX
	PREFETCHT0 (AX)
	PREFETCHT0 64(AX)
max_blk32_nopf:
	MOVLQSX (R8)(R12*4), R13
	IMULQ   DX, R13
	ADDQ    SI, R13
	ADDQ    R11, R13
	TESTQ R10, R10
	JZ    max_blk32_w
	VBROADCASTSS (R10)(R12*4), Y15
max_blk32_w:
	VMULPS    0(R13), Y15, Y8
	VCMPPS    $0x1e, Y0, Y8, Y9
	VBLENDVPS Y9, Y8, Y0, Y0
	VBLENDVPS Y9, Y14, Y4, Y4
	VMULPS    32(R13), Y15, Y8
	VCMPPS    $0x1e, Y1, Y8, Y9
	VBLENDVPS Y9, Y8, Y1, Y1
	VBLENDVPS Y9, Y14, Y5, Y5
	VMULPS    64(R13), Y15, Y8
	VCMPPS    $0x1e, Y2, Y8, Y9
	VBLENDVPS Y9, Y8, Y2, Y2
	VBLENDVPS Y9, Y14, Y6, Y6
	VMULPS    96(R13), Y15, Y8
	VCMPPS    $0x1e, Y3, Y8, Y9
	VBLENDVPS Y9, Y8, Y3, Y3
	VBLENDVPS Y9, Y14, Y7, Y7
	INCQ R12
	CMPQ R12, R9
	JLT  max_blk32_loop
max_blk32_store:
	VMOVUPS Y0, 0(DI)(R11*1)
	VMOVUPS Y1, 32(DI)(R11*1)
	VMOVUPS Y2, 64(DI)(R11*1)
	VMOVUPS Y3, 96(DI)(R11*1)
	TESTQ R14, R14
	JZ    max_blk32_noarg
	VPMOVSXDQ    X4, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 0(R14)(R11*2)
	VEXTRACTI128 $1, Y4, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 32(R14)(R11*2)
	VPMOVSXDQ    X5, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 64(R14)(R11*2)
	VEXTRACTI128 $1, Y5, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 96(R14)(R11*2)
	VPMOVSXDQ    X6, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 128(R14)(R11*2)
	VEXTRACTI128 $1, Y6, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 160(R14)(R11*2)
	VPMOVSXDQ    X7, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 192(R14)(R11*2)
	VEXTRACTI128 $1, Y7, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 224(R14)(R11*2)
max_blk32_noarg:
	ADDQ $128, R11
	MOVL $0x3f800000, AX
	MOVQ AX, X15
	VBROADCASTSS X15, Y15
	JMP  max_blk32
max_blk8:
	MOVQ CX, AX
	SUBQ R11, AX
	CMPQ AX, $32
	JLT  max_done
	// entry 0 initialises values and args
	XORQ R12, R12
	MOVLQSX (R8)(R12*4), R13
	IMULQ   DX, R13
	ADDQ    SI, R13
	ADDQ    R11, R13
	TESTQ R10, R10
	JZ    max_blk8_w0
	VBROADCASTSS (R10), Y15
max_blk8_w0:
	VMULPS 0(R13), Y15, Y0
	VPXOR  Y4, Y4, Y4
	VPXOR Y14, Y14, Y14
	INCQ  R12
	CMPQ  R12, R9
	JGE   max_blk8_store
max_blk8_loop:
	VPADDD Y13, Y14, Y14
	MOVLQSX (R8)(R12*4), R13
	IMULQ   DX, R13
	ADDQ    SI, R13
	ADDQ    R11, R13
	TESTQ R10, R10
	JZ    max_blk8_w
	VBROADCASTSS (R10)(R12*4), Y15
max_blk8_w:
	VMULPS    0(R13), Y15, Y8
	VCMPPS    $0x1e, Y0, Y8, Y9
	VBLENDVPS Y9, Y8, Y0, Y0
	VBLENDVPS Y9, Y14, Y4, Y4
	INCQ R12
	CMPQ R12, R9
	JLT  max_blk8_loop
max_blk8_store:
	VMOVUPS Y0, 0(DI)(R11*1)
	TESTQ R14, R14
	JZ    max_blk8_noarg
	VPMOVSXDQ    X4, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 0(R14)(R11*2)
	VEXTRACTI128 $1, Y4, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 32(R14)(R11*2)
max_blk8_noarg:
	ADDQ $32, R11
	MOVL $0x3f800000, AX
	MOVQ AX, X15
	VBROADCASTSS X15, Y15
	JMP  max_blk8
max_done:
	VZEROUPPER
	RET
min_blk32:
	MOVQ CX, AX
	SUBQ R11, AX
	CMPQ AX, $128
	JLT  min_blk8
	// entry 0 initialises values and args
	XORQ R12, R12
	MOVLQSX (R8)(R12*4), R13
	IMULQ   DX, R13
	ADDQ    SI, R13
	ADDQ    R11, R13
	TESTQ R10, R10
	JZ    min_blk32_w0
	VBROADCASTSS (R10), Y15
min_blk32_w0:
	VMULPS 0(R13), Y15, Y0
	VPXOR  Y4, Y4, Y4
	VMULPS 32(R13), Y15, Y1
	VPXOR  Y5, Y5, Y5
	VMULPS 64(R13), Y15, Y2
	VPXOR  Y6, Y6, Y6
	VMULPS 96(R13), Y15, Y3
	VPXOR  Y7, Y7, Y7
	VPXOR Y14, Y14, Y14
	INCQ  R12
	CMPQ  R12, R9
	JGE   min_blk32_store
min_blk32_loop:
	VPADDD Y13, Y14, Y14
	LEAQ       PD(R12), AX
	CMPQ       AX, R9
	JGE        min_blk32_nopf
	MOVLQSX    (R8)(AX*4), AX
	IMULQ      DX, AX
	ADDQ       SI, AX
	ADDQ       R11, AX
	PREFETCHT0 (AX)
	PREFETCHT0 64(AX)
min_blk32_nopf:
	MOVLQSX (R8)(R12*4), R13
	IMULQ   DX, R13
	ADDQ    SI, R13
	ADDQ    R11, R13
	TESTQ R10, R10
	JZ    min_blk32_w
	VBROADCASTSS (R10)(R12*4), Y15
min_blk32_w:
	VMULPS    0(R13), Y15, Y8
	VCMPPS    $0x11, Y0, Y8, Y9
	VBLENDVPS Y9, Y8, Y0, Y0
	VBLENDVPS Y9, Y14, Y4, Y4
	VMULPS    32(R13), Y15, Y8
	VCMPPS    $0x11, Y1, Y8, Y9
	VBLENDVPS Y9, Y8, Y1, Y1
	VBLENDVPS Y9, Y14, Y5, Y5
	VMULPS    64(R13), Y15, Y8
	VCMPPS    $0x11, Y2, Y8, Y9
	VBLENDVPS Y9, Y8, Y2, Y2
	VBLENDVPS Y9, Y14, Y6, Y6
	VMULPS    96(R13), Y15, Y8
	VCMPPS    $0x11, Y3, Y8, Y9
	VBLENDVPS Y9, Y8, Y3, Y3
	VBLENDVPS Y9, Y14, Y7, Y7
	INCQ R12
	CMPQ R12, R9
	JLT  min_blk32_loop
min_blk32_store:
	VMOVUPS Y0, 0(DI)(R11*1)
	VMOVUPS Y1, 32(DI)(R11*1)
	VMOVUPS Y2, 64(DI)(R11*1)
	VMOVUPS Y3, 96(DI)(R11*1)
	TESTQ R14, R14
	JZ    min_blk32_noarg
	VPMOVSXDQ    X4, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 0(R14)(R11*2)
	VEXTRACTI128 $1, Y4, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 32(R14)(R11*2)
	VPMOVSXDQ    X5, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 64(R14)(R11*2)
	VEXTRACTI128 $1, Y5, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 96(R14)(R11*2)
	VPMOVSXDQ    X6, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 128(R14)(R11*2)
	VEXTRACTI128 $1, Y6, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 160(R14)(R11*2)
	VPMOVSXDQ    X7, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 192(R14)(R11*2)
	VEXTRACTI128 $1, Y7, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 224(R14)(R11*2)
min_blk32_noarg:
	ADDQ $128, R11
	MOVL $0x3f800000, AX
	MOVQ AX, X15
	VBROADCASTSS X15, Y15
	JMP  min_blk32
min_blk8:
	MOVQ CX, AX
	SUBQ R11, AX
	CMPQ AX, $32
	JLT  min_done
	// entry 0 initialises values and args
	XORQ R12, R12
	MOVLQSX (R8)(R12*4), R13
	IMULQ   DX, R13
	ADDQ    SI, R13
	ADDQ    R11, R13
	TESTQ R10, R10
	JZ    min_blk8_w0
	VBROADCASTSS (R10), Y15
min_blk8_w0:
	VMULPS 0(R13), Y15, Y0
	VPXOR  Y4, Y4, Y4
	VPXOR Y14, Y14, Y14
	INCQ  R12
	CMPQ  R12, R9
	JGE   min_blk8_store
min_blk8_loop:
	VPADDD Y13, Y14, Y14
	MOVLQSX (R8)(R12*4), R13
	IMULQ   DX, R13
	ADDQ    SI, R13
	ADDQ    R11, R13
	TESTQ R10, R10
	JZ    min_blk8_w
	VBROADCASTSS (R10)(R12*4), Y15
min_blk8_w:
	VMULPS    0(R13), Y15, Y8
	VCMPPS    $0x11, Y0, Y8, Y9
	VBLENDVPS Y9, Y8, Y0, Y0
	VBLENDVPS Y9, Y14, Y4, Y4
	INCQ R12
	CMPQ R12, R9
	JLT  min_blk8_loop
min_blk8_store:
	VMOVUPS Y0, 0(DI)(R11*1)
	TESTQ R14, R14
	JZ    min_blk8_noarg
	VPMOVSXDQ    X4, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 0(R14)(R11*2)
	VEXTRACTI128 $1, Y4, X10
	VPMOVSXDQ    X10, Y10
	VPADDQ       Y12, Y10, Y10
	VMOVDQU      Y10, 32(R14)(R11*2)
min_blk8_noarg:
	ADDQ $32, R11
	MOVL $0x3f800000, AX
	MOVQ AX, X15
	VBROADCASTSS X15, Y15
	JMP  min_blk8
min_done:
	VZEROUPPER
	RET

// func copyRowsAVX(dst *float32, dstStride int, src *float32, srcStride int, ids *int32, n int, cols int, nt bool)
TEXT ·copyRowsAVX(SB), NOSPLIT, $0-57
	MOVQ    dst+0(FP), DI
	MOVQ    dstStride+8(FP), R8
	SHLQ    $2, R8
	MOVQ    src+16(FP), SI
	MOVQ    srcStride+24(FP), DX
	SHLQ    $2, DX
	MOVQ    ids+32(FP), R9
	MOVQ    n+40(FP), R10
	MOVQ    cols+48(FP), CX
	SHLQ    $2, CX
	MOVBQZX nt+56(FP), R11
	XORQ    R12, R12

cr_row:
	CMPQ R12, R10
	JGE  cr_done

	// prefetch the source row of entry i+8
	LEAQ    8(R12), AX
	CMPQ    AX, R10
	JGE     cr_copy
	MOVLQSX (R9)(AX*4), BX
	IMULQ   DX, BX
	ADDQ    SI, BX
	XORQ    AX, AX

cr_pf:
	PREFETCHT0 (BX)(AX*1)
	ADDQ       $64, AX
	CMPQ       AX, CX
	JLT        cr_pf

cr_copy:
	MOVLQSX (R9)(R12*4), R13
	IMULQ   DX, R13
	ADDQ    SI, R13
	XORQ    AX, AX
	TESTQ   R11, R11
	JNZ     cr_nt

cr_col:
	VMOVUPS (R13)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     cr_col
	JMP     cr_next

cr_nt:
	VMOVUPS  (R13)(AX*1), Y0
	VMOVNTPS Y0, (DI)(AX*1)
	ADDQ     $32, AX
	CMPQ     AX, CX
	JLT      cr_nt

cr_next:
	ADDQ R8, DI
	INCQ R12
	JMP  cr_row

cr_done:
	SFENCE
	VZEROUPPER
	RET

// func scatterAddRowsAVX(dst *float32, dstStride int, src *float32, srcStride int, ids *int32, n int, cols int)
TEXT ·scatterAddRowsAVX(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ srcStride+24(FP), DX
	SHLQ $2, DX
	MOVQ ids+32(FP), R9
	MOVQ n+40(FP), R10
	MOVQ cols+48(FP), CX
	SHLQ $2, CX
	XORQ R12, R12

sa_row:
	CMPQ R12, R10
	JGE  sa_done

	// prefetch the destination row of entry i+8
	LEAQ    8(R12), AX
	CMPQ    AX, R10
	JGE     sa_add
	MOVLQSX (R9)(AX*4), BX
	IMULQ   R8, BX
	ADDQ    DI, BX
	XORQ    AX, AX

sa_pf:
	PREFETCHT0 (BX)(AX*1)
	ADDQ       $64, AX
	CMPQ       AX, CX
	JLT        sa_pf

sa_add:
	MOVLQSX (R9)(R12*4), R13
	IMULQ   R8, R13
	ADDQ    DI, R13
	XORQ    AX, AX

sa_col:
	VMOVUPS (R13)(AX*1), Y0
	VADDPS  (SI)(AX*1), Y0, Y0
	VMOVUPS Y0, (R13)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, CX
	JLT     sa_col
	ADDQ    DX, SI
	INCQ    R12
	JMP     sa_row

sa_done:
	VZEROUPPER
	RET
