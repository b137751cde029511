/* Reading a container's names from its runtime's state files, for identity.c. */
#ifndef JVMTAP_RUNTIME_H
#define JVMTAP_RUNTIME_H

#include "cgpath.h"
#include "ocispec.h"

/* Why a container has no names: jvmtap_metadata_errors_total's reason. */
enum meta_error { META_MISSING, META_MALFORMED, META_UNREADABLE, META__N };

/* Reads the names of the container info's path names into meta. Returns 0, or -1 with *why
 * set. */
int runtime_read_meta(const struct cgpath_info *info, struct container_meta *meta,
		      enum meta_error *why);

#endif
