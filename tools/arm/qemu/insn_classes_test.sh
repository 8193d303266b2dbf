#!/usr/bin/env bash
# Checks insn_classes.h against GNU as: assembles one instruction of each class (and lookalikes
# that must stay "other"), classifies the words natively, compares. Needs aarch64-linux-gnu-as.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# instruction|expected class
cases=(
  "sdot v0.4s, v1.16b, v2.16b|sdot" "sdot v0.2s, v1.8b, v2.8b|sdot" "sdot v3.4s, v4.16b, v5.4b[3]|sdot"
  "udot v0.4s, v1.16b, v2.16b|udot" "udot v7.4s, v8.16b, v9.4b[1]|udot"
  "usdot v0.4s, v1.16b, v2.16b|usdot" "usdot v0.4s, v1.16b, v2.4b[2]|usdot" "sudot v0.4s, v1.16b, v2.4b[0]|usdot"
  "smmla v0.4s, v1.16b, v2.16b|smmla" "ummla v0.4s, v1.16b, v2.16b|ummla" "usmmla v0.4s, v1.16b, v2.16b|ummla"
  "smlal v0.8h, v1.8b, v2.8b|smlal" "smlal2 v0.8h, v1.16b, v2.16b|smlal" "smlal v0.4s, v1.4h, v2.h[3]|smlal"
  "umlal v0.8h, v1.8b, v2.8b|umlal" "umlal2 v0.4s, v1.8h, v2.h[1]|umlal"
  "smull v0.8h, v1.8b, v2.8b|smull" "smull2 v0.8h, v1.16b, v2.16b|smull" "umull v0.2d, v1.2s, v2.s[1]|umull"
  "sadalp v0.4s, v1.8h|sadalp" "uadalp v0.8h, v1.16b|sadalp"
  "smlsl v0.8h, v1.8b, v2.8b|other" "fmla v0.4s, v1.4s, v2.4s|other" "mla v0.4s, v1.4s, v2.4s|other"
  "saddlp v0.4s, v1.8h|other" "add x0, x1, x2|other" "ldr q0, [x1]|other"
)
{
  echo ".arch armv8.6-a+dotprod+i8mm+fp16"
  for c in "${cases[@]}"; do echo "  ${c%|*}"; done
} >"$work/t.s"
aarch64-linux-gnu-as "$work/t.s" -o "$work/t.o" 2>/dev/null || aarch64-linux-gnu-as -march=armv8.6-a+i8mm+dotprod+fp16fml "$work/t.s" -o "$work/t.o"
aarch64-linux-gnu-objcopy -O binary -j .text "$work/t.o" "$work/t.bin"
cat >"$work/t.c" <<C
#include <stdio.h>
#include <string.h>
#include "insn_classes.h"
int main(int argc, char** argv) {
  FILE* f = fopen(argv[1], "rb");
  unsigned int w;
  for (int i = 2; i < argc; ++i) {
    if (fread(&w, 4, 1, f) != 1) return 2;
    const char* got = insn_class_names[insn_classify(w)];
    if (strcmp(got, argv[i]) != 0) { printf("FAIL: instruction %d (%08x): %s, expected %s\n", i - 1, w, got, argv[i]); return 1; }
  }
  printf("insn_classes: %d instructions classified as expected\n", argc - 2);
  return 0;
}
C
cc -O1 -I "$here" "$work/t.c" -o "$work/t"
"$work/t" "$work/t.bin" $(for c in "${cases[@]}"; do echo "${c#*|}"; done)
