#ifndef UNROLLED_ATOMIC_RENAME_H
#define UNROLLED_ATOMIC_RENAME_H

/// Exchanges two paths in one atomic step (Linux renameat2 with RENAME_EXCHANGE): at every
/// instant each path names one whole folder, the old or the new. Returns 0, or -1 with errno set
/// (ENOSYS or EINVAL where the system or the file system cannot exchange).
int unrolled_rename_exchange(const char *from, const char *to);

#endif
