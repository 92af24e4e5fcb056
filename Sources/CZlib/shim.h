#ifndef RELAIS_CZLIB_SHIM_H
#define RELAIS_CZLIB_SHIM_H
#include <zlib.h>
// inflateInit2/deflateInit2 are macros: expose them as functions.
static inline int relais_inflate_init(z_stream *s, int windowBits) { return inflateInit2(s, windowBits); }
static inline int relais_deflate_init(z_stream *s, int level, int windowBits) {
    return deflateInit2(s, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
static inline int relais_deflate_init2(z_stream *s, int level, int windowBits, int memLevel) {
    return deflateInit2(s, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}
#endif
