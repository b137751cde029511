/* The one number formatter of the exposition, shared by sample values and le labels so that a
 * bound is always spelled the same way. */
#ifndef JVMTAP_NUMFMT_H
#define JVMTAP_NUMFMT_H

#include <stddef.h>

#define W_NUM_MAX 32 /* "-2.2250738585072014e-308" is 24 bytes */

/* v as the text format spells it: NaN, +Inf, -Inf, integers up to 2^53 in full, else the
 * shortest of %.15g..%.17g that reads back as v. Returns the length written to out[W_NUM_MAX]. */
size_t num_format(char *out, double v);

#endif
