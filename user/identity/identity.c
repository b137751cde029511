/* The one place that knows containers: walks the cgroup hierarchy to map ids to paths, parses
 * the path (cgpath.c) and has the runtime's own state files read (runtime.c) for Kubernetes
 * names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include "families.h"
#include "cgpath.h"
#include "identity.h"
#include "log.h"
#include "runtime.h"

#define NBUCKETS 4096
/* Milliseconds between walks triggered by unknown ids: bounds the cost of ids that never
 * resolve (cgroups created and removed between walks) to ten walks a second. It was a second
 * of wall-clock time, compared in whole seconds: a cgroup made just after a walk and scraped in
 * the same second showed as "cgroup-id:N" until the next maintenance. */
#define RESCAN_MIN_MS 100
#define META_RETRIES 6

static const char *const meta_error_names[META__N] = { "missing", "malformed", "unreadable" };

struct cg_entry {
	uint64_t id;
	char *path; /* relative to the hierarchy root; NULL if never seen in a walk */
	struct cgpath_info info;
	struct container_meta meta;
	bool meta_done;
	int meta_tries;
	time_t gone_at; /* 0 while the cgroup exists */
	unsigned seen_gen; /* walk_gen of the last walk that found it */
	char unknown_id[32];
	struct cg_entry *next;
};

static struct cg_entry *buckets[NBUCKETS];
static char root[PATH_MAX];
static enum cgroup_mode hier;
static uint64_t last_walk_ms; /* CLOCK_MONOTONIC */
static uint64_t meta_errors[META__N];
static unsigned walk_gen;
static long nentries;

static struct cg_entry **slot(uint64_t id)
{
	return &buckets[(id * 0x9E3779B97F4A7C15ull) >> 52];
}

static struct cg_entry *find(uint64_t id)
{
	struct cg_entry *e;

	for (e = *slot(id); e; e = e->next)
		if (e->id == id)
			return e;
	return NULL;
}

static struct cg_entry *insert(uint64_t id)
{
	struct cg_entry *e = calloc(1, sizeof(*e)), **s = slot(id);

	if (!e)
		return NULL;
	e->id = id;
	e->next = *s;
	*s = e;
	nentries++;
	return e;
}

static void entry_free(struct cg_entry *e)
{
	free(e->path);
	free(e);
	nentries--;
}

static bool is_fs(const char *path, long magic)
{
	struct statfs st;

	return statfs(path, &st) == 0 && (long)st.f_type == magic;
}

static bool has_file(const char *dir, const char *name)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p))
		return false;
	return access(p, F_OK) == 0;
}

static bool find_v2_root(char *out)
{
	snprintf(out, PATH_MAX, "%s/fs/cgroup", cfg.sysfs);
	if (is_fs(out, CGROUP2_SUPER_MAGIC))
		return true;
	snprintf(out, PATH_MAX, "%s/fs/cgroup/unified", cfg.sysfs);
	return is_fs(out, CGROUP2_SUPER_MAGIC);
}

static bool find_v1_cpu_root(char *out)
{
	static const char *const names[] = { "cpu", "cpu,cpuacct", "cpuacct,cpu" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(out, PATH_MAX, "%s/fs/cgroup/%s", cfg.sysfs, names[i]);
		if (is_fs(out, CGROUP_SUPER_MAGIC) && has_file(out, "cpu.shares"))
			return true;
	}
	return false;
}

/* True if some cgroup below dir (depth-limited) holds a process: the v2 tree is in use. */
static bool v2_in_use(const char *dir, int depth)
{
	char p[PATH_MAX], buf[16];
	struct dirent *d;
	bool used = false;
	DIR *dp;
	int fd;

	if (depth > 4 || !(dp = opendir(dir)))
		return false;
	while (!used && (d = readdir(dp))) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/cgroup.procs", dir, d->d_name);
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			used = read(fd, buf, sizeof(buf)) > 0;
			close(fd);
		}
		if (!used) {
			snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
			used = v2_in_use(p, depth + 1);
		}
	}
	closedir(dp);
	return used;
}

int identity_init(enum cgroup_mode mode)
{
	char v2[PATH_MAX], v1[PATH_MAX];
	bool have_v2 = find_v2_root(v2), have_v1 = find_v1_cpu_root(v1);

	switch (mode) {
	case CGROUP_V2:
		if (!have_v2) {
			log_err("--cgroup.hierarchy=v2: no cgroup2 mount at %s/fs/cgroup{,/unified}",
				cfg.sysfs);
			return -ENOENT;
		}
		hier = CGROUP_V2;
		break;
	case CGROUP_V1:
		if (!have_v1) {
			log_err("--cgroup.hierarchy=v1: no v1 cpu controller under %s/fs/cgroup",
				cfg.sysfs);
			return -ENOENT;
		}
		hier = CGROUP_V1;
		break;
	default:
		/* A v2 tree with no populated children is systemd's hybrid leftover: v1 holds the
		 * containers then. */
		if (have_v2 && (v2_in_use(v2, 0) || !have_v1))
			hier = CGROUP_V2;
		else if (have_v1)
			hier = CGROUP_V1;
		else {
			log_err("no cgroup hierarchy found under %s/fs/cgroup", cfg.sysfs);
			return -ENOENT;
		}
	}
	snprintf(root, sizeof(root), "%s", hier == CGROUP_V2 ? v2 : v1);
	log_info("cgroups: charging CPU to the %s hierarchy at %s",
		 hier == CGROUP_V2 ? "v2" : "v1 cpu", root);
	return 0;
}

static void free_old_paths(void);

void identity_exit(void)
{
	struct cg_entry *e, *n;
	int i;

	free_old_paths();
	for (i = 0; i < NBUCKETS; i++) {
		for (e = buckets[i]; e; e = n) {
			n = e->next;
			entry_free(e);
		}
		buckets[i] = NULL;
	}
}

enum cgroup_mode identity_hierarchy(void)
{
	return hier;
}

const char *identity_root(void)
{
	return root;
}

static void resolve_meta(struct cg_entry *e)
{
	enum meta_error err;

	if (e->meta_done || e->info.runtime == CG_RT_NONE || e->info.conmon) {
		e->meta_done = true;
		return;
	}
	memset(&e->meta, 0, sizeof(e->meta));
	if (runtime_read_meta(&e->info, &e->meta, &err) == 0) {
		e->meta_done = true;
		return;
	}
	/* A state file may appear just after its cgroup: a missing one is retried at each
	 * maintenance before it counts. A malformed one will not heal: it counts at once. */
	if (err != META_MISSING || ++e->meta_tries >= META_RETRIES) {
		e->meta_done = true;
		meta_errors[err]++;
		log_warn("container %s (cgroup %s): no usable runtime metadata (%s)",
			 e->info.container_id, e->path, meta_error_names[err]);
	}
}

/* Paths replaced by a walk (a renamed cgroup) may still be label values of a render in
 * progress: they are freed at the next maintenance, which never overlaps a render. */
struct old_path {
	struct old_path *next;
	char *path;
};
static struct old_path *old_paths;

static void retire_path(char *path)
{
	struct old_path *o = malloc(sizeof(*o));

	if (!o)
		return; /* out of memory: leaking one path beats freeing one a render may hold */
	o->path = path;
	o->next = old_paths;
	old_paths = o;
}

static void free_old_paths(void)
{
	struct old_path *o;

	while ((o = old_paths)) {
		old_paths = o->next;
		free(o->path);
		free(o);
	}
}

static void entry_set_path(struct cg_entry *e, const char *rel)
{
	char *p = strdup(rel);

	if (!p)
		return;
	if (e->path)
		retire_path(e->path);
	e->path = p;
	if (cgpath_parse(rel, strlen(rel), &e->info))
		memset(&e->info, 0, sizeof(e->info));
	e->meta_done = false;
	e->meta_tries = 0;
	e->gone_at = 0;
	resolve_meta(e);
}

/* Records every cgroup directory below root: id (inode) -> relative path. */
static void walk(const char *abs, const char *rel, int depth)
{
	char pa[PATH_MAX], pr[PATH_MAX];
	struct cg_entry *e;
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if (depth > 32 || stat(abs, &st))
		return;
	e = find(st.st_ino);
	if (!e && (e = insert(st.st_ino)))
		entry_set_path(e, rel);
	else if (e && (!e->path || strcmp(e->path, rel)))
		entry_set_path(e, rel);
	if (e) {
		e->gone_at = 0;
		e->seen_gen = walk_gen;
	}
	dp = opendir(abs);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (snprintf(pa, sizeof(pa), "%s/%s", abs, d->d_name) >= (int)sizeof(pa) ||
		    snprintf(pr, sizeof(pr), "%s/%s", depth ? rel : "", d->d_name) >= (int)sizeof(pr))
			continue;
		walk(pa, pr, depth + 1);
	}
	closedir(dp);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void walk_all(void)
{
	last_walk_ms = mono_ms();
	walk_gen++;
	walk(root, "/", 0);
}

enum identity_status identity_labels(uint64_t id, struct label out[IDENTITY_NLABELS], time_t now)
{
	struct cg_entry *e = find(id);

	/* Unknown, or made since the last walk: look again. */
	if ((!e || !e->path) && mono_ms() - last_walk_ms >= RESCAN_MIN_MS) {
		walk_all();
		e = find(id);
	}
	if (!e) {
		/* Created and removed between two walks: its time still counts, under its id. */
		e = insert(id);
		if (!e)
			return IDENTITY_SKIP;
		e->gone_at = now;
		e->meta_done = true;
		snprintf(e->unknown_id, sizeof(e->unknown_id), "cgroup-id:%" PRIu64, id);
	}
	if (e->gone_at && now - e->gone_at > (time_t)cfg.grace_period_s)
		return IDENTITY_STALE;
	if (e->meta.sandbox || e->info.conmon)
		return IDENTITY_SKIP;
	if (!out)
		return IDENTITY_OK;
	out[0] = (struct label){ "container_id",
				 e->info.container_id[0] ? e->info.container_id :
				 e->path		 ? e->path :
							   e->unknown_id };
	out[1] = (struct label){ "namespace", e->meta.namespace };
	out[2] = (struct label){ "pod", e->meta.pod };
	out[3] = (struct label){ "container", e->meta.container };
	return IDENTITY_OK;
}

void identity_maintain(time_t now)
{
	struct cg_entry **pp, *e;
	int i;

	free_old_paths();
	/* One walk answers both questions: which cgroups are new and which are gone. */
	walk_all();
	for (i = 0; i < NBUCKETS; i++) {
		for (pp = &buckets[i]; (e = *pp);) {
			if (!e->gone_at && e->seen_gen != walk_gen)
				e->gone_at = now;
			if (e->gone_at && now - e->gone_at > 2 * (time_t)cfg.grace_period_s) {
				*pp = e->next;
				entry_free(e);
				continue;
			}
			if (!e->gone_at)
				resolve_meta(e);
			pp = &e->next;
		}
	}
}

static int cmp_entry_id(const void *a, const void *b)
{
	const struct cg_entry *x = *(const struct cg_entry *const *)a,
			      *y = *(const struct cg_entry *const *)b;

	return strcmp(x->info.container_id, y->info.container_id);
}

/* One jvmtap_container_info per live container, not per cgroup: a container's sub-cgroups
 * (".../init") share its id and names. */
static int write_container_info(struct writer *w)
{
	struct cg_entry *e, **v;
	size_t n = 0, k;
	int i;

	w_fam(w, FAM_CONTAINER_INFO);
	v = malloc((size_t)(nentries > 0 ? nentries : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < NBUCKETS; i++)
		for (e = buckets[i]; e; e = e->next)
			if (e->info.container_id[0] && !e->gone_at && !e->meta.sandbox &&
			    !e->info.conmon && n < (size_t)nentries)
				v[n++] = e;
	qsort(v, n, sizeof(*v), cmp_entry_id);
	for (k = 0; k < n; k++) {
		struct label l[6];

		if (k && !strcmp(v[k]->info.container_id, v[k - 1]->info.container_id))
			continue;
		e = v[k];
		l[0] = (struct label){ "container_id", e->info.container_id };
		l[1] = (struct label){ "namespace", e->meta.namespace };
		l[2] = (struct label){ "pod", e->meta.pod };
		l[3] = (struct label){ "container", e->meta.container };
		l[4] = (struct label){ "image", e->meta.image };
		l[5] = (struct label){ "runtime", cg_runtime_name(e->info.runtime) };
		w_sample(w, fam_name(FAM_CONTAINER_INFO), l, 6, NULL, 0, 1);
	}
	free(v);
	return 0;
}

int identity_collect(struct writer *w)
{
	int i, ret = write_container_info(w);

	w_fam(w, FAM_METADATA_ERRORS_TOTAL);
	for (i = 0; i < META__N; i++) {
		struct label l[] = { { "reason", meta_error_names[i] } };

		w_sample(w, fam_name(FAM_METADATA_ERRORS_TOTAL), l, 1, NULL, 0, meta_errors[i]);
	}
	w_fam(w, FAM_CGROUPS_KNOWN);
	w_sample(w, fam_name(FAM_CGROUPS_KNOWN), NULL, 0, NULL, 0, nentries);
	return ret;
}

uint64_t identity_cgroup_of_pid(int pid)
{
	char path[PATH_MAX], line[PATH_MAX + 64], *ctrl, *cgpath, *tok, *save;
	uint64_t id = 0;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/cgroup", cfg.procfs, pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	/* hierarchy-id:controllers:path; v2 is "0::path", v1 lists its controllers. */
	while (!id && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		ctrl = strchr(line, ':');
		cgpath = ctrl ? strchr(ctrl + 1, ':') : NULL;
		if (!cgpath)
			continue;
		*cgpath++ = '\0';
		*ctrl++ = '\0'; /* line is the hierarchy id alone */
		if (hier == CGROUP_V2 ? strcmp(line, "0") || *ctrl : !*ctrl)
			continue;
		if (hier == CGROUP_V1) {
			bool cpu = false;

			for (tok = strtok_r(ctrl, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				cpu |= !strcmp(tok, "cpu");
			if (!cpu)
				continue;
		}
		/* "/.." means outside our cgroup namespace: not resolvable here. */
		if (!strncmp(cgpath, "/..", 3))
			break;
		if (snprintf(path, sizeof(path), "%s%s", root, strcmp(cgpath, "/") ? cgpath : "") <
			    (int)sizeof(path) &&
		    stat(path, &st) == 0)
			id = st.st_ino;
	}
	fclose(f);
	return id;
}

static int cmp_id_sample(const void *a, const void *b)
{
	const struct id_sample *x = a, *y = b;
	int i, c;

	for (i = 0; i < IDENTITY_NLABELS; i++)
		if ((c = strcmp(x->labels[i].value, y->labels[i].value)))
			return c;
	return 0;
}

void identity_emit_sums(struct writer *w, const char *name, struct id_sample *s, size_t n)
{
	size_t k;

	if (n) /* s may be NULL with nothing in it; qsort() wants an array */
		qsort(s, n, sizeof(*s), cmp_id_sample);
	for (k = 0; k < n; k++) {
		if (k + 1 < n && !cmp_id_sample(&s[k], &s[k + 1])) {
			s[k + 1].value += s[k].value;
			continue;
		}
		w_sample(w, name, NULL, 0, s[k].labels, IDENTITY_NLABELS, s[k].value);
	}
}

void identity_for_each(void (*fn)(uint64_t id, const char *dir, void *arg), void *arg)
{
	char dir[PATH_MAX];
	struct cg_entry *e;
	int i;

	for (i = 0; i < NBUCKETS; i++)
		for (e = buckets[i]; e; e = e->next)
			if (e->path && !e->gone_at &&
			    snprintf(dir, sizeof(dir), "%s%s", root, strcmp(e->path, "/") ? e->path : "") <
				    (int)sizeof(dir))
				fn(e->id, dir, arg);
}
