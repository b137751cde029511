/* HotSpot probes (gcprobes.h). The manager way needs four local symbols, kept in the .symtab of
 * the libjvm builds seen (Debian's OpenJDK 17, Temurin 25), and the offset of a field read from
 * code; a libjvm without them (stripped, another architecture, a future signature: the mangled
 * names carry the argument types) gets the USDT way, whose result is the same but for the
 * action label (jvm.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bpfutil.h"
#include "elfsym.h"
#include "gcprobes.h"
#include "hscode.h"
#include "log.h"

static const struct libprobe_spec probes[HP__N] = {
	[HP_MGR_BEGIN] = { .name = "_ZN15GCMemoryManager8gc_beginEbbb", .prog = "gc_manager_begin" },
	[HP_MGR_END] = { .name = "_ZN15GCMemoryManager6gc_endEbbbbN7GCCause5CauseEbPKc",
			 .prog = "gc_manager_end" },
	[HP_G1_BEGIN] = { .name = "_ZN20VM_G1PauseConcurrent4doitEv", .prog = "g1_pause_begin" },
	[HP_G1_END] = { .name = "_ZN20VM_G1PauseConcurrent4doitEv", .ret = true,
			.prog = "g1_pause_end" },
	[HP_GC_BEGIN] = { .provider = "hotspot", .name = "gc__begin", .prog = "gc_begin" },
	[HP_GC_END] = { .provider = "hotspot", .name = "gc__end", .prog = "gc_end" },
	[HP_POOL_BEGIN] = { .provider = "hotspot", .name = "mem__pool__gc__begin",
			    .prog = "mem_pool_gc_begin" },
	[HP_POOL_END] = { .provider = "hotspot", .name = "mem__pool__gc__end",
			  .prog = "mem_pool_gc_end" },
	[HP_SP_BEGIN] = { .provider = "hs_private", .name = "safepoint__begin",
			  .prog = "safepoint_begin" },
	[HP_SP_END] = { .provider = "hs_private", .name = "safepoint__end", .prog = "safepoint_end" },
	[HP_THREAD_START] = { .provider = "hotspot", .name = "thread__start", .prog = "thread_start" },
	[HP_THREAD_STOP] = { .provider = "hotspot", .name = "thread__stop", .prog = "thread_stop" },
};

/* Closers before openers: a pause or safepoint whose begin fired between the attach of its
 * begin probe and of its end probe left that thread's nesting depth at 1 for good, and none of
 * the JVM's later pauses were counted. An end seen without its begin is ignored. */
static const int order[HP__N] = { HP_MGR_END,   HP_G1_END,	 HP_GC_END,	  HP_POOL_END,
				  HP_SP_END,    HP_MGR_BEGIN,	 HP_G1_BEGIN,	  HP_GC_BEGIN,
				  HP_POOL_BEGIN, HP_SP_BEGIN,	 HP_THREAD_START, HP_THREAD_STOP };

static struct bpf_program *progs[HP__N];

enum { S_CTOR, S_BEGIN, S_END, S_G1_DOIT, S_G1_SCOPE, S__N };

static void choose(const char *path, struct libprobe_choice *c)
{
	struct elfsym s[S__N] = {
		[S_CTOR] = { .name = "_ZN13MemoryManagerC2EPKc" },
		[S_BEGIN] = { .name = probes[HP_MGR_BEGIN].name },
		[S_END] = { .name = probes[HP_MGR_END].name },
		[S_G1_DOIT] = { .name = probes[HP_G1_BEGIN].name },
		/* JDK 20 and later: Remark and Cleanup report to "G1 Concurrent GC" */
		[S_G1_SCOPE] = { .name = "_ZN23G1ConcGCMonitoringScopeC2EP19G1MonitoringSupport" },
	};
	uint8_t code[256];
	int fd, off = -1;
	bool mgr;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && elfsym_lookup(fd, s, S__N) >= 0 && s[S_CTOR].found &&
	    s[S_CTOR].file_off >= 0 && s[S_CTOR].size && s[S_CTOR].size <= sizeof(code) &&
	    pread(fd, code, s[S_CTOR].size, s[S_CTOR].file_off) == (ssize_t)s[S_CTOR].size)
		off = hotspot_name_offset(code, s[S_CTOR].size);
	if (fd >= 0)
		close(fd);
#if defined(__x86_64__)
	mgr = off >= 0 && s[S_BEGIN].found && s[S_BEGIN].file_off > 0 && s[S_END].found &&
	      s[S_END].file_off > 0;
#else
	mgr = false; /* gc_manager_end reads its 8th argument from the x86-64 stack */
#endif
	c->skip[HP_MGR_BEGIN] = c->skip[HP_MGR_END] = !mgr;
	c->skip[HP_G1_BEGIN] = c->skip[HP_G1_END] =
		!mgr || !s[S_G1_DOIT].found || s[S_G1_DOIT].file_off <= 0 || s[S_G1_SCOPE].found;
	c->skip[HP_GC_BEGIN] = c->skip[HP_GC_END] = mgr;
	c->skip[HP_POOL_BEGIN] = c->skip[HP_POOL_END] = mgr;
	if (mgr) {
		c->cookie[HP_MGR_BEGIN] = (unsigned long long)off;
		c->offset[HP_MGR_BEGIN] = (unsigned long long)s[S_BEGIN].file_off;
		c->offset[HP_MGR_END] = (unsigned long long)s[S_END].file_off;
		c->offset[HP_G1_BEGIN] = c->offset[HP_G1_END] =
			(unsigned long long)(s[S_G1_DOIT].found ? s[S_G1_DOIT].file_off : 0);
	}
	log_info("jvm: %s: collections from %s", path,
		 mgr ? (c->skip[HP_G1_BEGIN] ? "GCMemoryManager uprobes"
					     : "GCMemoryManager uprobes and VM_G1PauseConcurrent")
		     : "gc__begin/end and mem__pool__gc__begin/end USDT probes");
}

int hotspot_bind(struct bpf_object *obj)
{
	int i;

	for (i = 0; i < HP__N; i++) {
		progs[i] = bpf_object__find_program_by_name(obj, probes[i].prog);
		if (!progs[i])
			return -ENOENT;
	}
	return 0;
}

void hotspot_track(void)
{
	static char names[HP__N][32]; /* jvmtap_bpf_program_* keeps the pointers */
	int i;

	for (i = 0; i < HP__N; i++) {
		snprintf(names[i], sizeof(names[i]), "jvm_%s", probes[i].prog);
		bpfutil_track_prog(names[i], probes[i].provider ? "usdt"
					     : probes[i].ret	 ? "uretprobe"
								 : "uprobe",
				   progs[i], true);
	}
}

struct libprobe_kind hotspot_kind = {
	.owner = "jvm",
	.what = "HotSpot",
	.file = "libjvm.so",
	.usdt = true,
	.nprobes = HP__N,
	.probes = probes,
	.progs = progs,
	.order = order,
	.choose = choose,
};
