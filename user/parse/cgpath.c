/* Pure parser: cgroup path -> container runtime, container id, pod uid and QoS class. */
#include <errno.h>
#include <string.h>
#include "cgpath.h"

/*
 * Ids after a runtime prefix ("docker-<id>.scope", "/docker/<id>") are trusted to be ids, so
 * short forms are fine; a bare hex directory under a pod is only taken for a container when it
 * has the full length every CRI runtime uses, so that odd sub-cgroups are not misread.
 */
#define ID_MIN 12
#define ID_FULL 64

/* One path component: not NUL-terminated, it points into the caller's buffer. */
struct comp {
	const char *p;
	size_t n;
};

/* Where a cgroupfs-driver kubepods walk is: "pod<uid>" only counts right below kubepods/<qos>. */
enum kp_state { KP_NONE, KP_ROOT, KP_QOS, KP_POD };

struct walk {
	enum kp_state kp;
	enum cg_qos qos;
	char pod_uid[CG_UID_MAX + 1];
	enum cg_runtime hint; /* runtime named by an ancestor since the last container */
	int under_docker;     /* previous component was "docker": cgroupfs docker parent */
};

static int eq(struct comp c, const char *s)
{
	size_t n = strlen(s);

	return c.n == n && !memcmp(c.p, s, n);
}

static int starts(struct comp c, const char *s)
{
	size_t n = strlen(s);

	return c.n >= n && !memcmp(c.p, s, n);
}

static struct comp skip(struct comp c, size_t k)
{
	return (struct comp){ c.p + k, c.n - k };
}

static int strip_suffix(struct comp *c, const char *s)
{
	size_t n = strlen(s);

	if (c->n < n || memcmp(c->p + c->n - n, s, n))
		return 0;
	c->n -= n;
	return 1;
}

static int is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static int hex_id(struct comp c, size_t min, size_t max)
{
	size_t i;

	if (c.n < min || c.n > max)
		return 0;
	for (i = 0; i < c.n; i++)
		if (!is_hex(c.p[i]))
			return 0;
	return 1;
}

/*
 * Pod uids are dashed uuids, or 32 hex digits for static pods (a hash of the manifest). The
 * systemd driver writes the dashes as '_' because '-' separates slice levels; sep is the
 * separator the driver uses. Writes the dashed, lower-case form to dst.
 */
static int parse_uid(struct comp c, char sep, char dst[CG_UID_MAX + 1])
{
	size_t i;

	if (!c.n || c.n > CG_UID_MAX || c.p[0] == sep || c.p[c.n - 1] == sep)
		return -EINVAL;
	for (i = 0; i < c.n; i++)
		if (!is_hex(c.p[i]) && c.p[i] != sep)
			return -EINVAL;
	for (i = 0; i < c.n; i++)
		dst[i] = c.p[i] == sep ? '-' : lower(c.p[i]);
	dst[c.n] = '\0';
	return 0;
}

static void enter_kubepods(struct walk *w, enum kp_state kp)
{
	w->kp = kp;
	w->qos = CG_QOS_NONE;
	w->pod_uid[0] = '\0';
}

/*
 * systemd-driver slice: the name spells out every ancestor ("kubepods-burstable-pod<uid>"), so
 * it needs no context. kubelet's --cgroup-root may prepend levels ("kubelet-kubepods-..."), so
 * "kubepods" is looked for at any '-' boundary.
 */
static int kube_slice(struct walk *w, struct comp c)
{
	enum cg_qos qos = CG_QOS_GUARANTEED;
	char uid[CG_UID_MAX + 1];
	size_t i;

	if (!strip_suffix(&c, ".slice"))
		return 0;
	for (i = 0; i < c.n; i++) {
		struct comp k = skip(c, i);

		if ((i == 0 || c.p[i - 1] == '-') && starts(k, "kubepods") &&
		    (k.n == 8 || k.p[8] == '-'))
			break;
	}
	if (i == c.n)
		return 0;
	c = skip(c, i + 8);
	if (!c.n) {
		enter_kubepods(w, KP_NONE);
		return 1;
	}
	c = skip(c, 1);
	if (starts(c, "burstable")) {
		qos = CG_QOS_BURSTABLE;
		c = skip(c, 9);
	} else if (starts(c, "besteffort")) {
		qos = CG_QOS_BESTEFFORT;
		c = skip(c, 10);
	}
	if (qos != CG_QOS_GUARANTEED) {
		if (!c.n) {
			enter_kubepods(w, KP_NONE);
			w->qos = qos;
			return 1;
		}
		if (c.p[0] != '-')
			return 0;
		c = skip(c, 1);
	}
	if (!starts(c, "pod") || parse_uid(skip(c, 3), '_', uid))
		return 0;
	w->kp = KP_POD;
	w->qos = qos;
	memcpy(w->pod_uid, uid, sizeof(uid));
	return 1;
}

/* cgroupfs driver: kubepods/[burstable|besteffort/]pod<uid>, meaningful only in that order. */
static int kube_cgroupfs(struct walk *w, struct comp c)
{
	char uid[CG_UID_MAX + 1];

	if (eq(c, "kubepods")) {
		enter_kubepods(w, KP_ROOT);
		return 1;
	}
	if (w->kp == KP_ROOT && (eq(c, "burstable") || eq(c, "besteffort"))) {
		w->kp = KP_QOS;
		w->qos = eq(c, "burstable") ? CG_QOS_BURSTABLE : CG_QOS_BESTEFFORT;
		return 1;
	}
	if ((w->kp == KP_ROOT || w->kp == KP_QOS) && starts(c, "pod") &&
	    !parse_uid(skip(c, 3), '-', uid)) {
		if (w->kp == KP_ROOT)
			w->qos = CG_QOS_GUARANTEED;
		w->kp = KP_POD;
		memcpy(w->pod_uid, uid, sizeof(uid));
		return 1;
	}
	return 0;
}

/* Components that say which runtime created the cgroups below them. */
static enum cg_runtime runtime_hint(struct comp c)
{
	if (eq(c, "docker") || eq(c, "docker.service"))
		return CG_RT_DOCKER;
	if (eq(c, "crio") || eq(c, "crio.service"))
		return CG_RT_CRIO;
	if (eq(c, "containerd") || eq(c, "containerd.service"))
		return CG_RT_CONTAINERD;
	return CG_RT_NONE;
}

static const struct {
	const char *prefix;
	enum cg_runtime rt;
	int conmon;
} prefixes[] = {
	{ "cri-containerd-", CG_RT_CONTAINERD, 0 },
	/* before "crio-": the conmon prefix is the longer one */
	{ "crio-conmon-", CG_RT_CRIO, 1 },
	{ "crio-", CG_RT_CRIO, 0 },
	{ "docker-", CG_RT_DOCKER, 0 },
	/* Podman: libpod_parent/libpod-<id> (cgroupfs), machine.slice/libpod-<id>.scope (systemd);
	 * conmon is libpod_parent/conmon or libpod-conmon-<id>.scope */
	{ "libpod-conmon-", CG_RT_PODMAN, 1 },
	{ "libpod-", CG_RT_PODMAN, 0 },
};

static void set_id(struct cgpath_info *res, struct comp id)
{
	size_t i;

	for (i = 0; i < id.n; i++)
		res->container_id[i] = lower(id.p[i]);
	res->container_id[id.n] = '\0';
}

/* "<slice>:<prefix>:<id>": containerd/CRI-O with the systemd driver but cgroupfs-style names. */
static int colon_form(struct walk *w, struct comp c, struct cgpath_info *res)
{
	const char *c1, *c2;
	struct comp slice, prefix, id;
	enum cg_runtime rt;

	c1 = memchr(c.p, ':', c.n);
	if (!c1)
		return 0;
	c2 = memchr(c1 + 1, ':', c.n - (size_t)(c1 + 1 - c.p));
	if (!c2 || memchr(c2 + 1, ':', c.n - (size_t)(c2 + 1 - c.p)))
		return 0;
	slice = (struct comp){ c.p, (size_t)(c1 - c.p) };
	prefix = (struct comp){ c1 + 1, (size_t)(c2 - c1 - 1) };
	id = (struct comp){ c2 + 1, c.n - (size_t)(c2 + 1 - c.p) };
	if (eq(prefix, "cri-containerd"))
		rt = CG_RT_CONTAINERD;
	else if (eq(prefix, "crio"))
		rt = CG_RT_CRIO;
	else if (eq(prefix, "docker"))
		rt = CG_RT_DOCKER;
	else
		return 0;
	if (!hex_id(id, ID_MIN, CG_ID_MAX))
		return 0;
	/* the slice part is the pod's: it sets pod uid and QoS for this container */
	kube_slice(w, slice);
	res->runtime = rt;
	res->conmon = 0;
	set_id(res, id);
	return 1;
}

/* Returns 1 when c names a container (res filled), 0 otherwise. */
static int container_comp(struct walk *w, struct comp c, struct cgpath_info *res)
{
	int scope;
	size_t i;

	if (colon_form(w, c, res))
		return 1;
	scope = strip_suffix(&c, ".scope");
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		struct comp id;

		if (!starts(c, prefixes[i].prefix))
			continue;
		id = skip(c, strlen(prefixes[i].prefix));
		if (!hex_id(id, ID_MIN, CG_ID_MAX))
			continue;
		res->runtime = prefixes[i].rt;
		res->conmon = prefixes[i].conmon;
		set_id(res, id);
		return 1;
	}
	if (scope)
		return 0;
	if (w->under_docker && hex_id(c, ID_MIN, CG_ID_MAX)) {
		res->runtime = CG_RT_DOCKER;
	} else if (w->kp == KP_POD && hex_id(c, ID_FULL, ID_FULL)) {
		/* cgroupfs driver: the path does not say which runtime, containerd is likeliest */
		res->runtime = w->hint != CG_RT_NONE ? w->hint : CG_RT_CONTAINERD;
	} else {
		return 0;
	}
	res->conmon = 0;
	set_id(res, c);
	return 1;
}

int cgpath_parse(const char *buf, size_t len, struct cgpath_info *out)
{
	struct cgpath_info res;
	struct walk w;
	size_t i = 0;
	int found = 0;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!buf || !len || len > CGPATH_MAX || buf[0] != '/' || memchr(buf, '\0', len))
		return -EINVAL;
	memset(&res, 0, sizeof(res));
	memset(&w, 0, sizeof(w));

	while (i < len) {
		struct comp c;
		enum cg_runtime hint;

		while (i < len && buf[i] == '/')
			i++;
		if (i == len)
			break;
		c.p = buf + i;
		while (i < len && buf[i] != '/')
			i++;
		c.n = (size_t)(buf + i - c.p);

		if (kube_cgroupfs(&w, c) || kube_slice(&w, c)) {
			w.under_docker = 0;
			continue;
		}
		if (container_comp(&w, c, &res)) {
			/* pod uid and QoS belong to the ancestors of the last container */
			res.qos = w.qos;
			memcpy(res.pod_uid, w.pod_uid, sizeof(res.pod_uid));
			found = 1;
			w.hint = CG_RT_NONE;
			w.under_docker = 0;
			w.kp = KP_NONE;
			continue;
		}
		hint = runtime_hint(c);
		if (hint != CG_RT_NONE)
			w.hint = hint;
		w.under_docker = eq(c, "docker");
		w.kp = KP_NONE;
	}
	if (!found) {
		/* a pod-level cgroup still says which pod and QoS class it is */
		res.qos = w.qos;
		memcpy(res.pod_uid, w.pod_uid, sizeof(res.pod_uid));
	}
	*out = res;
	return 0;
}

const char *cg_runtime_name(enum cg_runtime rt)
{
	switch (rt) {
	case CG_RT_CONTAINERD:
		return "containerd";
	case CG_RT_CRIO:
		return "cri-o";
	case CG_RT_DOCKER:
		return "docker";
	case CG_RT_PODMAN:
		return "podman";
	default:
		return "";
	}
}
