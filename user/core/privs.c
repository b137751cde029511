/* Capabilities after attach, through libcap-ng. What stays and why (docs/security.md):
 *   CAP_BPF, CAP_PERFMON  attaching the HotSpot probes to the libjvm of a JVM that starts later
 *                         (perf_event_open of a uprobe, BPF link creation)
 *   CAP_SYS_ADMIN         the same on kernels that refuse uprobe perf events without it (6.18
 *                         here) and on kernels before 5.8, which have neither of the above
 *   CAP_SYS_PTRACE        /proc/PID/root, maps and map_files of other users' JVMs
 *   CAP_DAC_READ_SEARCH   hsperfdata_<user> directories (0700), runtime state files, a
 *                         --web.config.file re-read on SIGHUP
 * Everything else goes, from the bounding set too when jvmtap may change it. */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cap-ng.h>
#include <sys/prctl.h>
#include "config.h"
#include "log.h"
#include "privs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static const unsigned kept[] = { CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, CAP_SYS_PTRACE,
				 CAP_DAC_READ_SEARCH };
#define NKEPT (sizeof(kept) / sizeof(kept[0]))

uint64_t privs_kept_mask(void)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < NKEPT; i++)
		m |= 1ull << kept[i];
	return m;
}

int privs_check_start(void)
{
	char *text;

	capng_get_caps_process();
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN) ||
	    (capng_have_capability(CAPNG_EFFECTIVE, CAP_BPF) &&
	     capng_have_capability(CAPNG_EFFECTIVE, CAP_PERFMON)))
		return 0;
	text = capng_print_caps_text(CAPNG_PRINT_BUFFER, CAPNG_EFFECTIVE);
	log_err("insufficient privileges: run as root or with CAP_BPF and CAP_PERFMON "
		"(effective capabilities: %s)", text && *text ? text : "none");
	free(text);
	return -EPERM;
}

static int lookup(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096], *end;
	unsigned long n;

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 && res) {
		*uid = res->pw_uid;
		*gid = res->pw_gid;
		return 0;
	}
	errno = 0;
	n = strtoul(name, &end, 10);
	if (errno || end == name || *end || n > 0x7fffffff)
		return -ENOENT;
	*uid = (uid_t)n;
	*gid = getpwuid_r(*uid, &pw, buf, sizeof(buf), &res) == 0 && res ? res->pw_gid : (gid_t)n;
	return 0;
}

int privs_check_user(const char *name)
{
	uid_t u;
	gid_t g;

	return lookup(name, &u, &g);
}

int privs_drop(void)
{
	bool bounding;
	uid_t uid = 0;
	gid_t gid = 0;
	size_t i;
	int err;
	char *text;

	if (cfg.run_as_user && lookup(cfg.run_as_user, &uid, &gid)) {
		log_err("--run-as-user %s: no such user", cfg.run_as_user);
		return -ENOENT;
	}
	capng_get_caps_process();
	bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	if (cfg.run_as_user && !(capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID) &&
				 capng_have_capability(CAPNG_EFFECTIVE, CAP_SETGID))) {
		log_err("--run-as-user %s: needs CAP_SETUID and CAP_SETGID", cfg.run_as_user);
		return -EPERM;
	}
	/* Keep those of the set the process has now; ask for none it does not have. */
	bool have[NKEPT];

	for (i = 0; i < NKEPT; i++)
		have[i] = capng_have_capability(CAPNG_PERMITTED, kept[i]);
	capng_clear(bounding ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS);
	for (i = 0; i < NKEPT; i++) {
		if (!have[i])
			continue;
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, kept[i]);
		if (bounding)
			capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, kept[i]);
	}
	if (cfg.run_as_user)
		err = capng_change_id((int)uid, (int)gid,
				      CAPNG_DROP_SUPP_GRP | (bounding ? CAPNG_CLEAR_BOUNDING : 0));
	else
		err = capng_apply(bounding ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS);
	if (err) {
		log_err("dropping capabilities failed (libcap-ng: %d)", err);
		return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		log_err("PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -errno;
	}
	capng_get_caps_process();
	text = capng_print_caps_text(CAPNG_PRINT_BUFFER, CAPNG_EFFECTIVE);
	log_info("privileges: uid %d, capabilities kept: %s; no_new_privs", (int)getuid(),
		 text && *text ? text : "none");
	free(text);
	return 0;
}
