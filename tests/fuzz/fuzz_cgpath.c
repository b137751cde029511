/* libFuzzer target for cgpath_parse(): any bytes in, a consistent cgpath_info or -EINVAL out. */
// FUZZ-SOURCES: user/parse/cgpath.c
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cgpath.h"

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgpath_info info;
	size_t i, n;
	int ret;

	ret = cgpath_parse((const char *)data, size, &info);
	if (ret && ret != -EINVAL)
		abort();
	/* the documented invariants, so the fuzzer finds logic slips and not only crashes */
	n = strnlen(info.container_id, sizeof(info.container_id));
	if (n == sizeof(info.container_id) ||
	    strnlen(info.pod_uid, sizeof(info.pod_uid)) == sizeof(info.pod_uid))
		abort();
	if ((info.runtime == CG_RT_NONE) != (n == 0))
		abort();
	if (n && n < 12)
		abort();
	for (i = 0; i < n; i++)
		if (!is_lower_hex(info.container_id[i]))
			abort();
	if (info.conmon && info.runtime != CG_RT_CRIO && info.runtime != CG_RT_PODMAN)
		abort();
	if (ret && (info.runtime != CG_RT_NONE || info.qos != CG_QOS_NONE || info.pod_uid[0]))
		abort();
	if (!cg_runtime_name(info.runtime))
		abort();
	return 0;
}
