/* One JVM as one render sees it: built by metrics.c, read by the family writers. */
#ifndef JVMTAP_JVM_VIEW_H
#define JVMTAP_JVM_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include "hotspot.h"
#include "identity.h"
#include "registry.h"

struct jvm_view {
	const struct jvm *j;
	struct label id[IDENTITY_NLABELS];
	char pid[16];
	bool skip;
	uint64_t kind_ns[KIND__N];
	bool have_hsperf;
	struct hsperf_jvm hs;
	/* From /proc/PID at this render; < 0 when unknown. */
	double rss_bytes, open_fds;
	/* Java threads now (jvm_threads_now(), one map read a render); threads_ok when known. */
	bool threads_ok;
	long long live, daemon, started;
};

#endif
