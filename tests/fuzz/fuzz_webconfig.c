/* libFuzzer harness for webconfig_parse(): any document is a configuration or a clear error, and
 * what a configuration holds is consistent. */
// FUZZ-SOURCES: user/expo/webconfig.c
// FUZZ-LIBS: -lyaml -lcrypt -lgnutls
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_config c;
	size_t i;

	if (webconfig_parse((const char *)data, size, "/etc/jvmtap", &c) == 0) {
		if (c.tls && (!c.cert_file || !c.key_file || c.min_version > c.max_version))
			abort();
		for (i = 0; i < c.nusers; i++)
			if (!c.users[i].name[0] || webconfig_check_hash(c.users[i].hash))
				abort();
	} else if (!c.err[0]) {
		abort(); /* every refusal says why */
	}
	webconfig_free(&c);
	return 0;
}
