#ifndef RELAIS_CDEFLATE_SHIM_H
#define RELAIS_CDEFLATE_SHIM_H
// libdeflate (Debian: libdeflate-dev): whole-buffer gzip, two to three times zlib's speed.
#include <libdeflate.h>
#endif
