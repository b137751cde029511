/* The OOM killer's victims per container, from bpf/oom.bpf.c (oom:mark_victim): counted since
 * jvmtap started, split by whether the victim was a JVM jvmtap follows, and each one logged with
 * its pid and command. The kernel's own count per cgroup is cgroup.c's
 * jvmtap_container_oom_kills_total; this one says who. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "bpfutil.h"
#include "cgmaps.h"
#include "collector.h"
#include "config.h"
#include "families.h"
#include "identity.h"
#include "jvmtap/cpu.h"
#include "jvmtap/oom.h"
#include "log.h"
#include "mapsnap.h"
#include "oom.skel.h"

static struct oom_bpf *skel;
static struct bpf_link *link_;
static struct ring_buffer *rb;

static int try_mode(bool btf)
{
	struct bpf_program *p;
	int err;

	skel = oom_bpf__open_opts(bpfutil_open_opts());
	if (!skel)
		return -errno;
	skel->rodata->hierarchy = identity_hierarchy() == CGROUP_V1 ? CPU_HIER_V1 : CPU_HIER_V2;
	p = btf ? skel->progs.oom_victim_tp_btf : skel->progs.oom_victim_raw_tp;
	bpf_program__set_autoload(btf ? skel->progs.oom_victim_raw_tp : skel->progs.oom_victim_tp_btf,
				  false);
	err = bpfutil_prepare(skel->obj);
	if (!err)
		err = oom_bpf__load(skel);
	if (!err) {
		link_ = bpf_program__attach(p);
		err = link_ ? 0 : -errno;
	}
	if (err) {
		oom_bpf__destroy(skel);
		skel = NULL;
	}
	return err;
}

static int try_one(int m, void *arg)
{
	(void)arg;
	return try_mode(m == 0);
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct oom_event *e = data;
	struct label l[IDENTITY_NLABELS];
	char comm[OOM_COMM_LEN + 1];
	bool known;

	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	memcpy(comm, e->comm, OOM_COMM_LEN);
	comm[OOM_COMM_LEN] = '\0';
	known = identity_labels(e->cgroup_id, l, time(NULL)) == IDENTITY_OK;
	log_info("oom: the kernel killed pid %u (tgid %u, %s%s) in container_id=%s namespace=%s "
		 "pod=%s container=%s",
		 e->pid, e->tgid, comm, e->jvm ? ", a JVM" : "", known ? l[0].value : "?",
		 known ? l[1].value : "", known ? l[2].value : "", known ? l[3].value : "");
	return 0;
}

/* Since Linux 6.2 the tracepoint passes the victim task (TP_PROTO(struct task_struct *task,
 * uid_t uid)); before, only its pid, which the program would read as a pointer. The kernel's
 * BTF says which: btf_trace_mark_victim is a pointer to a prototype whose first argument after
 * the context is a pointer. 1 task, 0 not, -errno when unknown (then tried anyway). */
static int victim_is_task(void)
{
	struct btf *btf = cfg.btf_path ? btf__parse(cfg.btf_path, NULL) : btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_param *a;
	int id, ret = -ENOENT;

	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, "btf_trace_mark_victim", BTF_KIND_TYPEDEF);
	if (id > 0 && (t = btf__type_by_id(btf, btf__resolve_type(btf, id))) && btf_is_ptr(t) &&
	    (t = btf__type_by_id(btf, t->type)) && btf_is_func_proto(t)) {
		a = btf_params(t);
		ret = btf_vlen(t) >= 2 &&
		      btf_is_ptr(btf__type_by_id(btf, btf__resolve_type(btf, a[1].type)));
	}
	btf__free(btf);
	return ret;
}

static int oom_open(void)
{
	static const char *const modes[] = { "tp_btf", "raw_tp" };
	/* The tracepoint attach mode uses raw_tp too (no tracefs needed). */
	struct bpfutil_modes p = {
		.owner = "oom", .what = "oom:mark_victim", .names = modes, .n = 2,
		.forced = cfg.attach_mode == ATTACH_AUTO ? -1 : cfg.attach_mode == ATTACH_TP_BTF ? 0 : 1,
		.try_mode = try_one,
	};
	int task = victim_is_task(), got, err;
	bool btf;

	if (task == 0) {
		log_warn("oom: this kernel's oom:mark_victim passes a pid, not the task (Linux 6.2+ "
			 "needed): OOM victims are not named");
		bpfutil_track_prog("oom_victim", "tp_btf", NULL, false);
		return 0;
	}
	got = bpfutil_probe(&p);
	err = got < 0 ? got : 0;
	btf = got < 0 ? p.forced == 0 : got == 0;

	if (!err) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.oom_events), on_event, NULL, NULL);
		if (!rb) {
			err = -errno;
			bpf_link__destroy(link_);
			link_ = NULL;
			oom_bpf__destroy(skel);
			skel = NULL;
		}
	}
	if (err) {
		log_warn("oom: cannot attach oom:mark_victim (%s): OOM victims are not named",
			 strerror(-err));
		bpfutil_track_prog("oom_victim", btf ? "tp_btf" : "raw_tp", NULL, false);
		return 0;
	}
	bpfutil_track_prog("oom_victim", btf ? "tp_btf" : "raw_tp",
			   btf ? skel->progs.oom_victim_tp_btf : skel->progs.oom_victim_raw_tp, true);
	bpfutil_track_map("oom_victims", skel->maps.oom_victims,
			  &skel->bss->oom_victims_update_failures);
	bpfutil_track_map("oom_events", skel->maps.oom_events,
			  &skel->bss->oom_events_update_failures);
	return 0;
}

static void oom_tick(void)
{
	if (rb)
		ring_buffer__consume(rb);
}

static int oom_wake_fd(void)
{
	return rb ? ring_buffer__epoll_fd(rb) : -1;
}

struct victims {
	struct label labels[IDENTITY_NLABELS];
	bool jvm;
	double n;
};

static int cmp_victims(const void *a, const void *b)
{
	const struct victims *x = a, *y = b;
	int i, c;

	for (i = 0; i < IDENTITY_NLABELS; i++)
		if ((c = strcmp(x->labels[i].value, y->labels[i].value)))
			return c;
	return (int)x->jvm - (int)y->jvm;
}

static int oom_collect(struct writer *w)
{
	struct mapsnap m = { 0 };
	struct victims *v;
	time_t now = time(NULL);
	size_t i, k = 0;
	int err;

	w_fam(w, FAM_CONTAINER_OOM_VICTIMS_TOTAL);
	if (!skel)
		return 0;
	if ((err = mapsnap_read(bpf_map__fd(skel->maps.oom_victims), 0, &m)))
		return err;
	v = calloc(m.n ? m.n : 1, sizeof(*v));
	if (!v) {
		mapsnap_free(&m);
		return -ENOMEM;
	}
	for (i = 0; i < m.n; i++) {
		const struct oom_key *key = mapsnap_key(&m, i);

		if (identity_labels(key->cgroup_id, v[k].labels, now) != IDENTITY_OK)
			continue;
		v[k].jvm = key->jvm;
		v[k++].n = *(const __u64 *)mapsnap_val(&m, i, 0);
	}
	/* A container's sub-cgroups are one series. */
	qsort(v, k, sizeof(*v), cmp_victims);
	for (i = 0; i < k; i++) {
		if (i + 1 < k && !cmp_victims(&v[i], &v[i + 1])) {
			v[i + 1].n += v[i].n;
			continue;
		}
		struct label a[] = { { "jvm", v[i].jvm ? "true" : "false" } };

		w_sample(w, fam_name(FAM_CONTAINER_OOM_VICTIMS_TOTAL), a, 1, v[i].labels,
			 IDENTITY_NLABELS, v[i].n);
	}
	free(v);
	mapsnap_free(&m);
	return 0;
}

static void oom_maintain(time_t now)
{
	if (skel)
		cgmaps_reap(bpf_map__fd(skel->maps.oom_victims), now);
}

static void oom_close(void)
{
	ring_buffer__free(rb);
	rb = NULL;
	bpf_link__destroy(link_);
	link_ = NULL;
	oom_bpf__destroy(skel);
	skel = NULL;
}

const struct collector oom_collector = {
	.name = "oom",
	.help = "OOM killer victims per container, JVM or not (oom:mark_victim)",
	.open = oom_open,
	.collect = oom_collect,
	.tick = oom_tick,
	.wake_fd = oom_wake_fd,
	.maintain = oom_maintain,
	.close = oom_close,
};
