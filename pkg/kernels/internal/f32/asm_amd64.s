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
