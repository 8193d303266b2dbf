// OctetKernels: C micro-kernels. reference/ holds the scalar kernels that define each op's
// numeric contract; ISA-specific kernels (x86/, arm/) must match their reference twin; configs/
// lists every kernel per op family and path (docs/ARCHITECTURE.md).
#ifndef OCTET_KERNELS_H
#define OCTET_KERNELS_H

#include "octk_cpu.h"
#include "octk_config.h"
#include "octk_f32.h"
#include "octk_f32_fast.h"
#include "octk_jobs.h"
#include "octk_memory.h"
#include "octk_peak.h"
#include "octk_platform.h"
#include "octk_pool.h"
#include "octk_qs8.h"
#include "octk_qs8_kernels.h"

#endif
