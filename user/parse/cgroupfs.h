/* Pure parsers for cgroup interface files, v1 and v2: single values (memory.current,
 * memory.limit_in_bytes, cpu.cfs_quota_us), "max"-or-number (memory.max), cpu.max, and flat
 * keyed files (memory.stat, cpu.stat, memory.events, memory.oom_control). Buffer in, number out;
 * never past len; a value that is not exactly a number is refused, not guessed. */
#ifndef JVMTAP_CGROUPFS_H
#define JVMTAP_CGROUPFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One unsigned decimal, then at most one '\n'; 0 or -EINVAL (empty, sign, overflow, junk). */
int cg_u64(const char *buf, size_t len, uint64_t *out);

/* One signed decimal ("-1" is v1's unlimited cpu.cfs_quota_us), at most one '\n'; 0 or -EINVAL. */
int cg_i64(const char *buf, size_t len, int64_t *out);

/* v2 "max" or an unsigned decimal (memory.max, pids.max): *unlimited tells which; 0 or -EINVAL. */
int cg_u64_or_max(const char *buf, size_t len, uint64_t *out, bool *unlimited);

/* v2 cpu.max: "$MAX $PERIOD" where $MAX is "max" or microseconds; 0 or -EINVAL. */
int cg_cpu_max(const char *buf, size_t len, uint64_t *quota_us, bool *unlimited,
	       uint64_t *period_us);

/* The value of `key` in a flat keyed file ("key value\n" lines: memory.stat, cpu.stat,
 * memory.events, memory.oom_control). The key must match a whole first field. 0, -ENOENT when no
 * line has the key, or -EINVAL when that line's value is not a number. */
int cg_keyed(const char *buf, size_t len, const char *key, uint64_t *out);

/* v1 limits: the kernel writes "unlimited" as PAGE_COUNTER_MAX pages in bytes (LONG_MAX rounded
 * down to a page, 9223372036854771712 with 4 KiB pages): any value from 2^62 up is no limit. */
bool cg_v1_unlimited(uint64_t bytes);

#endif
