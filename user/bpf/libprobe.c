/* Library probe registry (libprobe.h): the .note.stapsdt check, one attach per distinct file
 * (device, inode) and kind, reference counts, and detaching a file no process has used for a
 * grace period. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>
#include "config.h"
#include "libprobe.h"
#include "log.h"

#define MAX_PROBES LIBPROBE_MAX_PROBES

struct libprobe {
	struct libprobe_kind *kind;
	dev_t dev;
	ino_t ino;
	int refs;
	time_t idle_since; /* refs fell to 0: detached after the grace period */
	bool attached;
	unsigned long long attached_ticks;
	/* Probes off that are tried again at retry_at (err: -errno of a failed attach, or
	 * -ECANCELED: detached by a rate guard for a while), through path: the file as the last
	 * process that mapped it (pid) reaches it, "" when that process is gone. err 0: attached,
	 * no notes, or detached for good: not tried again. */
	int err, last_err;
	pid_t pid;
	unsigned tries;
	time_t retry_at;
	char path[PATH_MAX + 64];
	struct bpf_link *links[MAX_PROBES];
	struct libprobe *next;
};

static struct libprobe *libs;

/* Many libjvm builds have no .note.stapsdt: their JVMs are still listed, usdt="false". */
static bool has_usdt_notes(const char *path)
{
	bool found = false;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;
	Elf *e;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_getshdrstrndx(e, &shstrndx) == 0) {
		while (!found && (scn = elf_nextscn(e, scn))) {
			const char *name;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
				continue;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			found = name && !strcmp(name, ".note.stapsdt") && sh.sh_size > 0;
		}
	}
	elf_end(e);
	close(fd);
	return found;
}

static int detaching; /* links being destroyed on their threads (atomic) */

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	__atomic_sub_fetch(&detaching, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Detaching a uprobe waits for the kernel's grace periods, ~165 ms a probe here: a library of
 * 14 probes took 2.3 s, during which its calls still trapped and the caller (holding the
 * render lock) blocked the scrapes. So each link is destroyed on a thread of its own and the
 * waits overlap; the caller goes on at once. A link whose thread cannot start is destroyed
 * here. A begin left without its end meanwhile is ignored (the programs' own rule). */
static void lib_detach_sync(struct libprobe *l);

static void lib_detach_async(struct libprobe *l)
{
	pthread_attr_t a;
	pthread_t t;
	int i;

	if (pthread_attr_init(&a) || pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED)) {
		lib_detach_sync(l);
		return;
	}
	for (i = 0; i < MAX_PROBES; i++) {
		if (!l->links[i])
			continue;
		__atomic_add_fetch(&detaching, 1, __ATOMIC_ACQUIRE);
		if (pthread_create(&t, &a, destroy_link, l->links[i])) {
			__atomic_sub_fetch(&detaching, 1, __ATOMIC_RELEASE);
			bpf_link__destroy(l->links[i]);
		}
		l->links[i] = NULL;
	}
	pthread_attr_destroy(&a);
}

/* In the reverse of the attach order: openers go before their closers, so no begin or entry
 * fires without its end still there. */
static void lib_detach_sync(struct libprobe *l)
{
	const struct libprobe_kind *k = l->kind;
	int n, i;

	for (n = MAX_PROBES - 1; n >= 0; n--) {
		i = k->order && n < k->nprobes ? k->order[n] : n;
		bpf_link__destroy(l->links[i]);
		l->links[i] = NULL;
	}
}

/* Now, in the unit of /proc/PID/stat's starttime (clock ticks since boot). */
static unsigned long long boot_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * sysconf(_SC_CLK_TCK) + ts.tv_nsec / (1000000000 / sysconf(_SC_CLK_TCK));
}

static struct bpf_link *attach_one(const struct libprobe_kind *k, int i, const char *path,
				   const struct libprobe_choice *c)
{
	const struct libprobe_spec *p = &k->probes[i];

	LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = c->offset[i] ? NULL : p->name,
		    .retprobe = p->ret, .bpf_cookie = c->cookie[i]);

	if (p->provider)
		return bpf_program__attach_usdt(k->progs[i], -1, path, p->provider, p->name, NULL);
	return bpf_program__attach_uprobe_opts(k->progs[i], -1, path, c->offset[i], &o);
}

/* Longest wait between two tries of a file whose attach failed. */
#define RETRY_MAX_S 300

/* Attaches the probes the kind chooses for l's file at path (pid maps it as mpath). A failure
 * detaches what was attached and is tried again later (libprobe_retry), 1, 2, 4 ... 300 s on. */
static void lib_attach(struct libprobe *l, const char *path, pid_t pid, const char *mpath)
{
	const struct libprobe_kind *k = l->kind;
	struct libprobe_choice c = { 0 };
	int i, n, err = 0;

	l->attached_ticks = boot_ticks();
	l->err = 0;
	if (k->nprobes > MAX_PROBES || (k->usdt && !has_usdt_notes(path))) {
		log_info("%s: %s (pid %d) has no USDT probes: %s events are not seen", k->owner,
			 mpath, pid, k->what);
		return;
	}
	for (i = 0; i < k->nprobes; i++)
		c.cookie[i] = k->probes[i].cookie;
	if (k->choose)
		k->choose(path, &c);
	for (n = 0; n < k->nprobes && !err; n++) {
		i = k->order ? k->order[n] : n;
		if (c.skip[i])
			continue;
		l->links[i] = attach_one(k, i, path, &c);
		if (!l->links[i])
			err = errno ? -errno : -EINVAL;
	}
	if (err) {
		/* A warning for the first failure and for a new cause; the same cause again (a
		 * capability this run lacks: EPERM every time) is logged at info. */
		enum log_level level = l->tries && err == l->last_err ? LOG_INFO : LOG_WARN;
		unsigned wait = l->tries < 9 ? 1u << l->tries : RETRY_MAX_S;

		if (wait > RETRY_MAX_S)
			wait = RETRY_MAX_S;
		lib_detach_sync(l);
		l->kind->attach_errors++;
		l->err = l->last_err = err;
		l->retry_at = time(NULL) + wait;
		l->tries++;
		log_msg(level, "%s: cannot attach %s probes in %s (pid %d, try %u): %s; "
			"trying again in %u s", k->owner, k->what, mpath, pid, l->tries,
			strerror(-err), wait);
		return;
	}
	l->attached = true;
	l->tries = 0;
	log_info("%s: %s probes attached to %s (dev %u:%u inode %llu)", k->owner, k->what, mpath,
		 major(l->dev), minor(l->dev), (unsigned long long)l->ino);
}

struct libprobe *libprobe_get(struct libprobe_kind *k, pid_t pid, const struct maps_lib *m)
{
	char path[PATH_MAX + 64];
	struct libprobe *l;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%d/root%s", cfg.procfs, pid, m->path);
	if (stat(path, &st) || st.st_ino != m->inode) {
		snprintf(path, sizeof(path), "%s/%d/map_files/%llx-%llx", cfg.procfs, pid,
			 (unsigned long long)m->start, (unsigned long long)m->end);
		if (stat(path, &st))
			return NULL;
	}
	for (l = libs; l; l = l->next)
		if (l->kind == k && l->dev == st.st_dev && l->ino == st.st_ino) {
			l->refs++;
			if (l->err) { /* a later try goes through a process that maps it now */
				snprintf(l->path, sizeof(l->path), "%s", path);
				l->pid = pid;
			}
			return l;
		}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->kind = k;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->refs = 1;
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->pid = pid;
	lib_attach(l, path, pid, m->path);
	l->next = libs;
	libs = l;
	return l;
}

bool libprobe_detach(struct libprobe *l, const char *why, unsigned retry_s)
{
	struct timespec a, b;
	char when[48];

	if (!l || !l->attached)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &a);
	lib_detach_async(l);
	clock_gettime(CLOCK_MONOTONIC, &b);
	l->attached = false;
	l->err = retry_s ? -ECANCELED : 0;
	l->retry_at = time(NULL) + retry_s;
	l->tries = 0;
	if (retry_s)
		snprintf(when, sizeof(when), "attached again in %u s", retry_s);
	else
		snprintf(when, sizeof(when), "for good");
	log_warn("%s: %s probes of %s inode %llu detaching (%.1f ms to hand over): %s; %s",
		 l->kind->owner, l->kind->what, l->kind->file, (unsigned long long)l->ino,
		 (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6, why, when);
	return true;
}

bool libprobe_attached(const struct libprobe *l)
{
	return l && l->attached;
}

unsigned long long libprobe_attached_ticks(const struct libprobe *l)
{
	return l ? l->attached_ticks : 0;
}

/* A file no process uses keeps its probes for the grace period: detaching and attaching again
 * take long enough (uprobe unregistration waits for the kernel's grace periods) for a JVM that
 * starts right after, a restart or a reused pid, to have its first events missed. */
void libprobe_put(struct libprobe *l)
{
	if (l && --l->refs <= 0) {
		l->refs = 0;
		l->idle_since = time(NULL);
	}
}

void libprobe_reap(time_t now)
{
	struct libprobe **pp = &libs, *l;

	while ((l = *pp)) {
		if (l->refs || now - l->idle_since <= (time_t)cfg.grace_period_s) {
			pp = &l->next;
			continue;
		}
		if (l->attached)
			log_info("%s: last process using %s inode %llu exited: probes detached",
				 l->kind->owner, l->kind->file, (unsigned long long)l->ino);
		lib_detach_async(l);
		*pp = l->next;
		free(l);
	}
}

bool libprobe_needs_path(const struct libprobe *l)
{
	return l && l->err && !l->path[0];
}

void libprobe_retry(time_t now)
{
	struct libprobe *l;
	struct stat st;

	for (l = libs; l; l = l->next) {
		if (!l->err || !l->refs || !l->path[0] || now < l->retry_at)
			continue;
		/* The process behind path may be gone or may map another file now: the next
		 * process that maps this one (libprobe_get) gives a path again. */
		if (stat(l->path, &st) || st.st_dev != l->dev || st.st_ino != l->ino) {
			l->path[0] = 0;
			continue;
		}
		lib_attach(l, l->path, l->pid, l->path);
	}
}

int libprobe_count(const struct libprobe_kind *k)
{
	struct libprobe *l;
	int n = 0;

	for (l = libs; l; l = l->next)
		n += l->kind == k && l->attached;
	return n;
}

void libprobe_close_all(void)
{
	struct libprobe *l, *ln;
	int waited;

	/* Links still being destroyed finish first (10 s at most): nothing is left half done. */
	for (waited = 0; __atomic_load_n(&detaching, __ATOMIC_ACQUIRE) && waited < 1000; waited++)
		usleep(10000);
	for (l = libs; l; l = ln) {
		ln = l->next;
		lib_detach_sync(l);
		free(l);
	}
	libs = NULL;
}
