// renameat2 is declared only with _GNU_SOURCE, which Swift's Glibc module does not define.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include "atomic_rename.h"

int unrolled_rename_exchange(const char *from, const char *to) {
#if defined(__linux__) && defined(RENAME_EXCHANGE)
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE);
#else
    errno = ENOSYS;
    return -1;
#endif
}
