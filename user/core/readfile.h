/* The one way jvmtap reads a file: /proc, /sys, hsperfdata and runtime state files alike. */
#ifndef JVMTAP_READFILE_H
#define JVMTAP_READFILE_H

#include <stddef.h>
#include <sys/types.h>

/* The whole file into a new NUL-terminated buffer (free() it); 0, -EFBIG past max bytes, or
 * -errno. Sizes from stat() are not trusted: /proc files say 0. */
int read_file(const char *path, char **buf, size_t *len, size_t max);
/* The same, path relative to the directory dirfd (openat()): one path component to look up
 * where a full path walks every level again (cgroup files: many of them per directory). */
int read_file_at(int dirfd, const char *path, char **buf, size_t *len, size_t max);
/* Up to size - 1 bytes into buf, NUL-terminated, trailing newlines cut; the length or -errno. */
ssize_t read_small(const char *path, char *buf, size_t size);

/* The Unix time the kernel booted, in seconds (btime of /proc/stat); 0, or -errno (-ENOENT
 * without a btime line). */
int read_boot_time(unsigned long long *btime);

#endif
