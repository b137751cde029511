/* Number formats and names the views share (fmt.h). */
#include <stdio.h>
#include <string.h>
#include "fmt.h"

void fmt_bytes(char *b, size_t n, double v)
{
	static const char units[] = "BKMGTP";
	int u = 0;

	while (v >= 999.5 && u < 5)
		v /= 1024, u++;
	if (u == 0)
		snprintf(b, n, "%.0f", v);
	else
		snprintf(b, n, v < 9.95 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

void fmt_secs(char *b, size_t n, double v)
{
	if (v <= 0)
		snprintf(b, n, "0");
	else if (v < 0.9995e-3)
		snprintf(b, n, "%.0fus", v * 1e6);
	else if (v < 9.995e-3)
		snprintf(b, n, "%.2fms", v * 1e3);
	else if (v < 0.9995)
		snprintf(b, n, "%.0fms", v * 1e3);
	else
		snprintf(b, n, "%.2fs", v);
}

void fmt_pct(char *b, size_t n, double v)
{
	snprintf(b, n, v < 9.95 ? "%.1f" : "%.0f", v);
}

const char *fmt_role(const char *role)
{
	if (!role || !*role || !strcmp(role, "none"))
		return "-";
	if (!strcmp(role, "taskmanager"))
		return "TM";
	if (!strcmp(role, "jobmanager"))
		return "JM";
	return role;
}

void fmt_name(const struct acc *a, bool container, char *b, size_t n)
{
	char id[512];

	rows_identity(a, id, sizeof(id));
	if (container)
		snprintf(b, n, "%s", id);
	else
		snprintf(b, n, "%s %s %s", id, fmt_role(a->flink_role),
			 a->main_class[0] ? a->main_class : "?");
}
