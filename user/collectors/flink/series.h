/* What the Flink collector's worker learnt of a JobManager, and its series. */
#ifndef JVMTAP_FLINK_SERIES_H
#define JVMTAP_FLINK_SERIES_H

#include "families.h"
#include "registry.h"
#include "rest.h"
#include "writer.h"

struct jm_result {
	struct jvm_ref jm;
	struct flink_endpoint ep;
	struct flink_poll poll;
};

/* Writes r's series of family fam (the caller has written the family's header), with the
 * JobManager's identity labels id[IDENTITY_NLABELS]. */
void flink_write_jm(struct writer *w, enum fam_id fam, const struct jm_result *r,
		    struct label *id);

#endif
