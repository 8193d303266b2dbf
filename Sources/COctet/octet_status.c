// The parts of the C API (octet.h) that need no Swift: the version and the status names.
#include "octet.h"

int octet_api_version(void) { return OCTET_API_VERSION; }

const char* octet_status_name(octet_status status) {
  switch (status) {
    case OCTET_OK: return "OCTET_OK";
    case OCTET_ERROR_IO: return "OCTET_ERROR_IO";
    case OCTET_ERROR_FORMAT: return "OCTET_ERROR_FORMAT";
    case OCTET_ERROR_INPUT: return "OCTET_ERROR_INPUT";
    case OCTET_ERROR_KERNELS: return "OCTET_ERROR_KERNELS";
    case OCTET_ERROR_MEMORY: return "OCTET_ERROR_MEMORY";
    case OCTET_ERROR_ARGUMENT: return "OCTET_ERROR_ARGUMENT";
  }
  return "OCTET_ERROR_UNKNOWN";
}
