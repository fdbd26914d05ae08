#ifndef UNROLLED_MEMORY_REUSE_H
#define UNROLLED_MEMORY_REUSE_H

/// Has the C library keep freed memory for the next allocations rather than hand it back to the
/// kernel (glibc: `mallopt`; elsewhere nothing). Sources/Engine/MemoryReuse.swift says why.
void unrolled_keep_freed_memory(void);

#endif
