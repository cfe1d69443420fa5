#ifndef SOSDUMP_CSYSTEMZLIB_SHIM_H
#define SOSDUMP_CSYSTEMZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro, which Swift cannot call: the same call as a
   function. windowBits 15 with no offset is what the SPA loader asks for:
   a zlib header and an Adler-32 trailer are required (docs/sos-protocol.md C4). */
static inline int sosdump_inflate_init_zlib(z_stream *stream) {
    return inflateInit2(stream, 15);
}
#endif
