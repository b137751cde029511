/* Flags: the value parsers every flag owner shares, the common flags, and the parse of argv
 * (`jvmtap [FLAGS]`, `jvmtap top [FLAGS]`, `jvmtap dump [FLAGS]`). Each owner (a collector, the
 * HTTP server, top, dump) has its own argp with its own options; main.c puts them together. */
#ifndef JVMTAP_ARGS_H
#define JVMTAP_ARGS_H

#include <argp.h>
#include "config.h"

/* 0, or -EINVAL when s is not a value of the kind in range. */
int flag_uint(const char *s, unsigned long min, unsigned long max, unsigned *out);
/* "300", "30s", "5m", "2h" -> seconds. */
int flag_duration(const char *s, unsigned *out);
/* "1", "0.5", "500ms", "10s", "2m" -> milliseconds in [min_ms, max_ms]. */
int flag_millis(const char *s, unsigned min_ms, unsigned max_ms, unsigned *out);
/* The index of s in names, or -1. */
int flag_pick(const char *s, const char *const *names, int n);

/* Paths, BPF, cgroups, privileges, logging: every mode's. */
extern const struct argp args_common_argp;

/* Parses argv with the argp of its mode into cfg and the owners' configs; exits 2 with usage
 * on a bad flag. */
enum run_mode args_parse(int argc, char **argv, const struct argp *serve, const struct argp *top,
			 const struct argp *dump);

#endif
