/* The family table (families.h). */
#include <string.h>
#include "families.h"

const struct family families[FAM__N] = {
#define FAMILY(id, n, t, h) [FAM_##id] = { n, t, h },
#include "families.def"
#undef FAMILY
};

enum fam_id fam_of(const char *s, const char **suffix)
{
	static const char *const sfx[] = { "_bucket", "_sum", "_count" };
	size_t n = strlen(s), k, i, l;

	for (i = 0; i < FAM__N; i++) {
		l = strlen(families[i].name);
		if (l > n || strncmp(s, families[i].name, l))
			continue;
		if (l == n) {
			if (suffix)
				*suffix = "";
			return (enum fam_id)i;
		}
		if (strcmp(families[i].type, "histogram"))
			continue;
		for (k = 0; k < sizeof(sfx) / sizeof(sfx[0]); k++)
			if (!strcmp(s + l, sfx[k])) {
				if (suffix)
					*suffix = sfx[k];
				return (enum fam_id)i;
			}
	}
	return FAM__N;
}
