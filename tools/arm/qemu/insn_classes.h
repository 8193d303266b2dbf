// A64 multiply-accumulate instruction classes whose dynamic counts show which int8 kernel path
// a runtime ran (dotprod: SDOT/UDOT, i8mm: SMMLA/USMMLA/USDOT, plain NEON: SMLAL/SMULL/SADALP).
// Encodings from the Arm ARM (A64 SIMD&FP). Checked against GNU as by insn_classes_test.sh.
#ifndef OCTET_INSN_CLASSES_H
#define OCTET_INSN_CLASSES_H

#include <stdint.h>

enum insn_class {
  INSN_OTHER = 0,
  INSN_SDOT,    // SDOT (vector, by element)
  INSN_UDOT,    // UDOT (vector, by element)
  INSN_USDOT,   // USDOT (vector, by element), SUDOT (by element)
  INSN_SMMLA,   // SMMLA
  INSN_UMMLA,   // UMMLA, USMMLA
  INSN_SMLAL,   // SMLAL{2} (vector, by element)
  INSN_UMLAL,   // UMLAL{2} (vector, by element)
  INSN_SMULL,   // SMULL{2} (vector, by element)
  INSN_UMULL,   // UMULL{2} (vector, by element)
  INSN_SADALP,  // SADALP, UADALP
  INSN_CLASSES
};

static const char* const insn_class_names[INSN_CLASSES] = {
    "other", "sdot", "udot", "usdot", "smmla", "ummla", "smlal", "umlal", "smull", "umull", "sadalp",
};

static inline enum insn_class insn_classify(uint32_t w) {
  // Dot products: size field 10, vector form [15:10] = 100101, element form [15:12] = 1110, [10] = 0.
  if ((w & 0x9FE0FC00u) == 0x0E809400u) return (w & 0x20000000u) ? INSN_UDOT : INSN_SDOT;
  if ((w & 0x9FC0F400u) == 0x0F80E000u) return (w & 0x20000000u) ? INSN_UDOT : INSN_SDOT;
  if ((w & 0xBFE0FC00u) == 0x0E809C00u) return INSN_USDOT;                                  // USDOT (vector)
  if ((w & 0xBF40F400u) == 0x0F00F000u) return INSN_USDOT;                                  // USDOT / SUDOT (element)
  if ((w & 0xFFE0FC00u) == 0x4E80A400u) return INSN_SMMLA;
  if ((w & 0xFFE0FC00u) == 0x6E80A400u || (w & 0xFFE0FC00u) == 0x4E80AC00u) return INSN_UMMLA;
  // Widening multiplies: three-different form [21] = 1, opcode [15:12], [11:10] = 00.
  if ((w & 0x9F20FC00u) == 0x0E208000u) return (w & 0x20000000u) ? INSN_UMLAL : INSN_SMLAL;
  if ((w & 0x9F20FC00u) == 0x0E20C000u) return (w & 0x20000000u) ? INSN_UMULL : INSN_SMULL;
  // By element: [28:24] = 01111, opcode [15:12] (0010 MLAL, 1010 MULL), [10] = 0.
  if ((w & 0x9F00F400u) == 0x0F002000u) return (w & 0x20000000u) ? INSN_UMLAL : INSN_SMLAL;
  if ((w & 0x9F00F400u) == 0x0F00A000u) return (w & 0x20000000u) ? INSN_UMULL : INSN_SMULL;
  if ((w & 0x9F3FFC00u) == 0x0E206800u) return INSN_SADALP;  // SADALP (U = 0) and UADALP (U = 1)
  return INSN_OTHER;
}

#endif
