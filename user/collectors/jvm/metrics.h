/* The JVM collector's families, written from the registry and the BPF maps of bpf/jvm.bpf.c. */
#ifndef JVMTAP_JVM_METRICS_H
#define JVMTAP_JVM_METRICS_H

#include "writer.h"

struct jvm_bpf;
struct libprobe_kind;

/* skel NULL: the JVM programs are not loaded (the families are still declared). */
int jvm_metrics_collect(struct writer *w, struct jvm_bpf *skel, const struct libprobe_kind *libjvm);
void jvm_metrics_window_advance(struct jvm_bpf *skel);
struct jvm;
/* Closes the /proc files the scrapes keep open for j (before it is freed). */
void jvm_proc_close(struct jvm *j);

#endif
