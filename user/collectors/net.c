/* Socket throughput: loads bpf/net.bpf.c with the best attach mode the kernel offers and exports
 * TCP/UDP payload bytes per container, per TCP service port and per JVM. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "families.h"
#include "args.h"
#include "bpfutil.h"
#include "cgmaps.h"
#include "collector.h"
#include "config.h"
#include "cpu.h"
#include "identity.h"
#include "jvmtap/cpu.h"
#include "jvmtap/net.h"
#include "log.h"
#include "mapsnap.h"
#include "net.skel.h"
#include "registry.h"

enum net_mode { NET_MODE_TP_BTF, NET_MODE_TRACEPOINT, NET_MODE_FEXIT, NET_MODE_KPROBE, NET_MODE__N };
static const char *const mode_names[NET_MODE__N] = { "tp_btf", "tracepoint", "fexit", "kprobe" };

static struct {
	int attach_mode; /* index in mode_names, or -1: auto */
	unsigned max_ports;
} net_cfg = { .attach_mode = -1, .max_ports = 32 };

enum { OPT_NETMODE = 1500, OPT_NETPORTS };

static const struct argp_option options[] = {
	{ "net.attach-mode", OPT_NETMODE, "MODE", 0, "auto|tp_btf|tracepoint|fexit|kprobe for socket bytes (default auto)", 0 },
	{ "net.max-ports-per-container", OPT_NETPORTS, "N", 0, "TCP service ports with their own series per container; the rest is port=\"other\" (default 32); 0: no port series, and the socket handler does no port work", 0 },
	{ 0 },
};

static error_t parse_opt(int key, char *arg, struct argp_state *st)
{
	switch (key) {
	case OPT_NETMODE:
		net_cfg.attach_mode = strcmp(arg, "auto") ? flag_pick(arg, mode_names, NET_MODE__N) : -1;
		if (net_cfg.attach_mode < 0 && strcmp(arg, "auto"))
			argp_error(st, "--net.attach-mode: '%s' is not auto, tp_btf, tracepoint, fexit or kprobe", arg);
		break;
	case OPT_NETPORTS:
		if (flag_uint(arg, 0, 256, &net_cfg.max_ports))
			argp_error(st, "--net.max-ports-per-container: '%s' is not a number in 0..256", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = { options, parse_opt, NULL, NULL, NULL, NULL, NULL };

static struct net_bpf *skel;
static struct bpf_link *links[9];
static int nlinks;
static struct bpf_program *attached[9];

/* The programs of a mode; the last one tells which side opened each TCP connection (tp_btf in
 * every mode but tracepoint, which may be all a kernel has). */
static int mode_progs(struct net_bpf *s, enum net_mode m, struct bpf_program **out)
{
	switch (m) {
	case NET_MODE_TP_BTF:
		out[0] = s->progs.net_send_tp_btf, out[1] = s->progs.net_recv_tp_btf;
		out[2] = s->progs.net_side_tp_btf;
		return 3;
	case NET_MODE_TRACEPOINT:
		out[0] = s->progs.net_send_tracepoint, out[1] = s->progs.net_recv_tracepoint;
		out[2] = s->progs.net_side_tracepoint;
		return 3;
	case NET_MODE_FEXIT:
		out[0] = s->progs.net_tcp_send_fexit, out[1] = s->progs.net_udp_send_fexit;
		out[2] = s->progs.net_tcp_recv_fexit, out[3] = s->progs.net_udp_recv_fexit;
		out[4] = s->progs.net_side_tp_btf;
		return 5;
	default:
		out[0] = s->progs.net_tcp_send_kprobe, out[1] = s->progs.net_tcp_send_kretprobe;
		out[2] = s->progs.net_udp_send_kprobe, out[3] = s->progs.net_udp_send_kretprobe;
		out[4] = s->progs.net_tcp_recv_kprobe, out[5] = s->progs.net_tcp_recv_kretprobe;
		out[6] = s->progs.net_udp_recv_kprobe, out[7] = s->progs.net_udp_recv_kretprobe;
		out[8] = s->progs.net_side_tp_btf;
		return 9;
	}
}

static void ephemeral_range(__u32 *lo, __u32 *hi)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_port_range", cfg.procfs);
	f = fopen(path, "re");
	if (f) {
		if (fscanf(f, "%u %u", lo, hi) != 2 || *lo > *hi || *hi > 65535)
			*lo = 32768, *hi = 60999;
		fclose(f);
	}
}

/* The fexit and kprobe programs read tcp_recvmsg()'s arguments as Linux 5.19 has them (five:
 * the nonblock argument went in commit ec095263a965). */
static bool recvmsg_has_5_19_args(void)
{
	struct btf *btf = cfg.btf_path ? btf__parse(cfg.btf_path, NULL) : btf__load_vmlinux_btf();
	const struct btf_type *t;
	bool ok = false;
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "tcp_recvmsg", BTF_KIND_FUNC);
	if (id > 0 && (t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type)))
		ok = btf_vlen(t) == 5;
	btf__free(btf);
	return ok;
}

static int try_mode(enum net_mode m)
{
	struct bpf_program *want[9], *p;
	int n, i, err;

	if (m == NET_MODE_TRACEPOINT && (err = bpfutil_need_tracefs()))
		return err;
	if ((m == NET_MODE_FEXIT || m == NET_MODE_KPROBE) && !recvmsg_has_5_19_args()) {
		log_info("net: %s needs tcp_recvmsg() as of Linux 5.19", mode_names[m]);
		return -EOPNOTSUPP;
	}
	skel = net_bpf__open_opts(bpfutil_open_opts());
	if (!skel)
		return -errno;
	skel->rodata->hierarchy = identity_hierarchy() == CGROUP_V1 ? CPU_HIER_V1 : CPU_HIER_V2;
	ephemeral_range((__u32 *)&skel->rodata->ephemeral_lo, (__u32 *)&skel->rodata->ephemeral_hi);
	skel->rodata->tcp_ports = net_cfg.max_ports > 0;
	/* The side program, last of each mode's, serves only the port series; without them its
	 * map and the port map are never written (tcp_side is preallocated: ~5 MiB). */
	n = mode_progs(skel, m, want) - !skel->rodata->tcp_ports;
	if (!skel->rodata->tcp_ports) {
		bpf_map__set_max_entries(skel->maps.tcp_side, 1);
		bpf_map__set_max_entries(skel->maps.net_port_bytes, 1);
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, false);
	for (i = 0; i < n; i++)
		bpf_program__set_autoload(want[i], true);
	err = bpfutil_prepare(skel->obj); /* per-JVM bytes: the shared set of JVMs */
	if (!err)
		err = net_bpf__load(skel);
	for (i = 0; !err && i < n; i++) {
		links[nlinks] = bpf_program__attach(want[i]);
		if (!links[nlinks])
			err = -errno;
		else
			attached[nlinks++] = want[i];
	}
	if (err) {
		while (nlinks)
			bpf_link__destroy(links[--nlinks]);
		net_bpf__destroy(skel);
		skel = NULL;
	}
	return err;
}

static int try_one(int m, void *arg)
{
	(void)arg;
	return try_mode(m);
}

static int net_open(void)
{
	struct bpfutil_modes p = {
		.owner = "net", .what = "socket programs", .names = mode_names, .n = NET_MODE__N,
		.forced = net_cfg.attach_mode, .try_mode = try_one,
	};
	int m = bpfutil_probe(&p);

	if (m < 0) {
		log_warn("net: cannot attach socket programs (%s): throughput is not collected",
			 strerror(-m));
		bpfutil_track_prog("net_send", p.forced >= 0 ? mode_names[p.forced] : "none", NULL,
				   false);
		return 0;
	}
	log_info("net: socket programs attached via %s", mode_names[m]);
	for (int i = 0; i < nlinks; i++)
		bpfutil_track_prog(bpf_program__name(attached[i]), mode_names[m], attached[i], true);
	bpfutil_track_map("net_bytes", skel->maps.net_bytes, &skel->bss->net_bytes_update_failures);
	bpfutil_track_map("net_port_bytes", skel->maps.net_port_bytes,
			  &skel->bss->net_port_bytes_update_failures);
	bpfutil_track_map("net_jvm_bytes", skel->maps.net_jvm_bytes,
			  &skel->bss->net_jvm_bytes_update_failures);
	return 0;
}

/* A sample before aggregation: identity labels plus two of the metric's own. */
struct agg {
	struct label l[2 + IDENTITY_NLABELS];
	char v1[16];
	__u64 n;
};

static int cmp_agg(const void *a, const void *b)
{
	const struct agg *x = *(struct agg *const *)a, *y = *(struct agg *const *)b;
	int i, c;

	for (i = 0; i < 2 + IDENTITY_NLABELS; i++)
		if ((c = strcmp(x->l[i].value, y->l[i].value)))
			return c;
	return 0;
}

/* Samples with equal labels (a container's sub-cgroups) become one series. Sorted through
 * pointers: a label may point into its own sample (the port number). */
static void emit(struct writer *w, const char *name, struct agg *a, size_t n)
{
	struct agg **p = calloc(n ? n : 1, sizeof(*p));
	size_t i;

	if (!p)
		return;
	for (i = 0; i < n; i++)
		p[i] = &a[i];
	qsort(p, n, sizeof(*p), cmp_agg);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && !cmp_agg(&p[i], &p[i + 1])) {
			p[i + 1]->n += p[i]->n;
			continue;
		}
		w_sample(w, name, p[i]->l, 2, p[i]->l + 2, IDENTITY_NLABELS, (double)p[i]->n);
	}
	free(p);
}

static __u64 sum_percpu(const struct mapsnap *m, size_t i)
{
	__u64 sum = 0;
	size_t c;

	for (c = 0; c < m->ncpus; c++)
		sum += *(const __u64 *)mapsnap_val(m, i, c);
	return sum;
}

/* One sample per live cgroup's key of a cgroup-keyed map's reading, into a (room for m->n); the
 * samples filled. */
static size_t walk(const struct mapsnap *m, struct agg *a, time_t now,
		   void (*fill)(const void *key, struct agg *a))
{
	size_t i, n = 0;

	for (i = 0; i < m->n; i++) {
		/* both key types start with the cgroup id */
		if (identity_labels(*(const __u64 *)mapsnap_key(m, i), a[n].l + 2, now) != IDENTITY_OK)
			continue;
		a[n].n = sum_percpu(m, i);
		fill(mapsnap_key(m, i), &a[n]);
		n++;
	}
	return n;
}

static const char *dir_name(__u32 d)
{
	return d == NET_TX ? "transmit" : "receive";
}

static void fill_bytes(const void *key, struct agg *a)
{
	const struct net_key *k = key;

	a->l[0] = (struct label){ "direction", dir_name(k->dir) };
	a->l[1] = (struct label){ "protocol", k->proto == NET_TCP ? "tcp" : "udp" };
}

/* Ports keep their own series in the order first seen, up to --net.max-ports-per-container;
 * later ones go to "other". Sticky, so no series (and no "other") ever goes down. */
struct port_set {
	char container[256];
	int n;
	__u32 ports[256];
	struct port_set *next;
};
static struct port_set *port_sets;

static bool port_kept(const char *container, __u32 port)
{
	struct port_set *s;
	int i;

	for (s = port_sets; s; s = s->next)
		if (!strcmp(s->container, container))
			break;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return false;
		snprintf(s->container, sizeof(s->container), "%s", container);
		s->next = port_sets;
		port_sets = s;
	}
	for (i = 0; i < s->n; i++)
		if (s->ports[i] == port)
			return true;
	if (s->n >= (int)net_cfg.max_ports || s->n >= 256)
		return false;
	s->ports[s->n++] = port;
	return true;
}

/* A port key's bytes as part of its container's TCP total. */
static void fill_port_total(const void *key, struct agg *a)
{
	const struct net_port_key *k = key;

	a->l[0] = (struct label){ "direction", dir_name(k->dir) };
	a->l[1] = (struct label){ "protocol", "tcp" };
}

static void fill_port(const void *key, struct agg *a)
{
	const struct net_port_key *k = key;

	a->l[0] = (struct label){ "direction", dir_name(k->dir) };
	if (port_kept(a->l[2].value, k->port))
		snprintf(a->v1, sizeof(a->v1), "%u", k->port);
	else
		snprintf(a->v1, sizeof(a->v1), "other");
	a->l[1] = (struct label){ "port", a->v1 };
}

static int collect_jvms(struct writer *w, time_t now)
{
	struct label id[IDENTITY_NLABELS];
	struct mapsnap m;
	char pid[16];
	size_t i;
	int err;

	if ((err = mapsnap_read(bpf_map__fd(skel->maps.net_jvm_bytes), 0, &m)))
		return err;
	for (i = 0; i < m.n; i++) {
		const struct net_jvm_key *key = mapsnap_key(&m, i);
		struct jvm_ref j;
		__u64 cg;

		if (jvm_lookup(key->tgid, &j))
			continue;
		cg = j.cgroup_id ? j.cgroup_id : identity_cgroup_of_pid(j.pid);
		if (identity_labels(cg, id, now) != IDENTITY_OK)
			continue;
		snprintf(pid, sizeof(pid), "%u", key->tgid);
		struct label a[] = { { "pid", pid },
				     { "direction", dir_name(key->dir) },
				     { "protocol", key->proto == NET_TCP ? "tcp" : "udp" } };
		w_sample(w, fam_name(FAM_JVM_NETWORK_BYTES_TOTAL), a, 3, id, IDENTITY_NLABELS,
			 (double)sum_percpu(&m, i));
	}
	mapsnap_free(&m);
	return 0;
}

static int net_collect(struct writer *w)
{
	time_t now = time(NULL);
	struct mapsnap b, p;
	struct agg *a;
	size_t n;
	int err;

	if (!skel) {
		w_fam(w, FAM_CONTAINER_NETWORK_BYTES_TOTAL);
		w_fam(w, FAM_CONTAINER_TCP_PORT_BYTES_TOTAL);
		w_fam(w, FAM_JVM_NETWORK_BYTES_TOTAL);
		return 0;
	}
	if ((err = mapsnap_read(bpf_map__fd(skel->maps.net_bytes), 0, &b)))
		return err;
	if ((err = mapsnap_read(bpf_map__fd(skel->maps.net_port_bytes), 0, &p))) {
		mapsnap_free(&b);
		return err;
	}
	/* One reading of the port map for both families: a container's total is its UDP and the
	 * TCP the port map could not take, plus the TCP of every port key. */
	a = calloc(b.n + p.n + 1, sizeof(*a));
	err = a ? 0 : -ENOMEM;
	if (a) {
		n = walk(&b, a, now, fill_bytes);
		n += walk(&p, a + n, now, fill_port_total);
		w_fam(w, FAM_CONTAINER_NETWORK_BYTES_TOTAL);
		emit(w, fam_name(FAM_CONTAINER_NETWORK_BYTES_TOTAL), a, n);
		n = walk(&p, a, now, fill_port);
		w_fam(w, FAM_CONTAINER_TCP_PORT_BYTES_TOTAL);
		emit(w, fam_name(FAM_CONTAINER_TCP_PORT_BYTES_TOTAL), a, n);
		free(a);
	}
	mapsnap_free(&p);
	mapsnap_free(&b);
	if (err)
		return err;
	w_fam(w, FAM_JVM_NETWORK_BYTES_TOTAL);
	return collect_jvms(w, now);
}

/* Cgroups removed past the grace period, and JVMs the registry has forgotten, go. */
static void net_maintain(time_t now)
{
	struct mapsnap m;
	size_t i, n = 0;
	int fd;

	if (!skel)
		return;
	cgmaps_reap(bpf_map__fd(skel->maps.net_bytes), now);
	cgmaps_reap(bpf_map__fd(skel->maps.net_port_bytes), now);
	fd = bpf_map__fd(skel->maps.net_jvm_bytes);
	if (mapsnap_read(fd, 0, &m))
		return;
	for (i = 0; i < m.n; i++)
		if (jvm_lookup(((const struct net_jvm_key *)mapsnap_key(&m, i))->tgid,
			       &(struct jvm_ref){ 0 }))
			memmove(m.keys + n++ * m.ksize, mapsnap_key(&m, i), m.ksize);
	map_delete_keys(fd, m.keys, n, m.ksize);
	mapsnap_free(&m);
}
static void net_close(void)
{
	struct port_set *s;

	while (nlinks)
		bpf_link__destroy(links[--nlinks]);
	net_bpf__destroy(skel);
	skel = NULL;
	while ((s = port_sets)) {
		port_sets = s->next;
		free(s);
	}
}

const struct collector net_collector = {
	.name = "net",
	.help = "TCP and UDP bytes per container, service port and JVM",
	.argp = &argp,
	.open = net_open,
	.collect = net_collect,
	.maintain = net_maintain,
	.close = net_close,
};
