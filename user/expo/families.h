/* The metric families (families.def): their ids, names, types and help. */
#ifndef JVMTAP_FAMILIES_H
#define JVMTAP_FAMILIES_H

enum fam_id {
#define FAMILY(id, name, type, help) FAM_##id,
#include "families.def"
#undef FAMILY
	FAM__N
};

struct family {
	const char *name, *type, *help;
};
extern const struct family families[FAM__N];

static inline const char *fam_name(enum fam_id id)
{
	return families[id].name;
}

/* The family a sample name belongs to (a histogram's _bucket, _sum and _count included), or
 * FAM__N; *suffix (may be NULL) is then "", "_bucket", "_sum" or "_count". */
enum fam_id fam_of(const char *sample_name, const char **suffix);

#endif
