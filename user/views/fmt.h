/* Number formats and names the views share (top's JVM and container rows, its tasks view). */
#ifndef JVMTAP_FMT_H
#define JVMTAP_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include "rows.h"

/* At most 4 characters: 999, 1.2K, 512M, 9.5G. */
void fmt_bytes(char *b, size_t n, double v);
/* At most 6 characters: 850us, 1.23ms, 123ms, 1.23s. */
void fmt_secs(char *b, size_t n, double v);
/* A percentage: 0.5, 9.9, 12, 100. */
void fmt_pct(char *b, size_t n, double v);
/* A Flink role as top shows it: TM, JM, the role, or "-" for none. */
const char *fmt_role(const char *role);
/* "ns/pod/container ROLE main.Class" (a JVM) or "ns/pod/container" (a container). */
void fmt_name(const struct acc *a, bool container, char *b, size_t n);

#endif
