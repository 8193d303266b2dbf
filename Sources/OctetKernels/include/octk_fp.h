// Float evaluation rules of every kernel file: no contraction of a·b + c into a fused
// multiply-add, so binary32 results are the same on every ISA and compiler (DESIGN.md §2).
// clang honours the C pragma; GCC ignores it, so GCC builds pass -ffp-contract=off (GCC's
// default in ISO C mode, -std=c11, anyway). Included through octk_f32.h and octk_qs8.h.
#ifndef OCTK_FP_H
#define OCTK_FP_H
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
#endif
