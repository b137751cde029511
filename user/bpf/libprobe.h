/* Shared libraries with BPF programs attached to them: libjvm's HotSpot USDT probes today, JNI
 * libraries' uprobes next. A library kind is a table of probes; each distinct file of a kind
 * (device, inode) is attached once for every process that maps it, reference-counted, and
 * detached when no process has used it for the grace period. */
#ifndef JVMTAP_LIBPROBE_H
#define JVMTAP_LIBPROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "procfs.h"

struct bpf_program;

#define LIBPROBE_MAX_PROBES 16

/* One probe: a USDT (provider, name), or a uprobe on a symbol (provider NULL). */
struct libprobe_spec {
	const char *provider, *name;
	bool ret; /* uprobe: on return */
	unsigned long long cookie; /* uprobe: its bpf_get_attach_cookie() */
	const char *prog; /* its program's name in the owner's object (optional) */
};

/* Which probes of a kind one file gets: all, with their specs' cookies, unless the kind's
 * choose() says otherwise (libjvm: two ways of seeing collections, by the symbols it has). */
struct libprobe_choice {
	bool skip[LIBPROBE_MAX_PROBES];
	unsigned long long cookie[LIBPROBE_MAX_PROBES];
	unsigned long long offset[LIBPROBE_MAX_PROBES]; /* uprobe: file offset; 0: by its name */
};

struct libprobe_kind {
	const char *owner;  /* the collector, for logs: "jvm" */
	const char *what;   /* its probes, for logs: "HotSpot" */
	const char *file;   /* the file name in /proc/PID/maps: "libjvm.so" */
	bool usdt;          /* probes are USDT: a file without .note.stapsdt gets none */
	int nprobes;
	const struct libprobe_spec *probes;
	/* Filled by the owner once its object is loaded: the program of each probe. */
	struct bpf_program **progs;
	const int *order;   /* attach order (closers before openers), NULL: as listed */
	/* Optional: called once per file, before its attach, with the file at path. */
	void (*choose)(const char *path, struct libprobe_choice *c);
	uint64_t attach_errors;
};

struct libprobe;

/* The file of kind k that pid maps at m (a line of its /proc/PID/maps), attached on first use;
 * NULL if the file cannot be reached. The path is opened through the process's own root, so a
 * container's file is found in its mount namespace; when the file was replaced on disk,
 * /proc/PID/map_files still reaches the mapped one. */
struct libprobe *libprobe_get(struct libprobe_kind *k, pid_t pid, const struct maps_lib *m);
/* A process stopped using l (NULL is fine). */
void libprobe_put(struct libprobe *l);
/* Detaches l's probes now (a rate guard tripped), and attaches them again retry_s seconds later
 * (at a maintenance), or never with 0: a process that maps the same file meanwhile finds it
 * detached. why goes to the log. False when they were not attached: nothing done. */
bool libprobe_detach(struct libprobe *l, const char *why, unsigned retry_s);
/* Every probe of the kind chosen for this file is attached to it. */
bool libprobe_attached(const struct libprobe *l);
/* When its probes were attached, in /proc/PID/stat starttime units (clock ticks since boot):
 * a process started after it had every event seen. */
unsigned long long libprobe_attached_ticks(const struct libprobe *l);
/* Tries again the files whose attach failed and whose wait (1, 2, 4 ... 300 s) is over. */
void libprobe_retry(time_t now);
/* l's attach failed and the process it would be tried through is gone: a libprobe_get() by
 * another process that maps the file gives the next try a path. */
bool libprobe_needs_path(const struct libprobe *l);
/* Files of kind k with their probes attached. */
int libprobe_count(const struct libprobe_kind *k);
/* Detaches the files unused for longer than the grace period. */
void libprobe_reap(time_t now);
void libprobe_close_all(void);

#endif
