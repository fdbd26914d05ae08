#include "memory_reuse.h"

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

void unrolled_keep_freed_memory(void) {
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // blocks up to 32 MB (glibc's ceiling here) from the heap
    mallopt(M_TRIM_THRESHOLD, 256 << 20);  // keep up to 256 MB free at the heap's top
#endif
}
