/* The exposition writer, the only place metric text is produced: the Prometheus text format
 * 0.0.4 or, as a mode of the same writer, OpenMetrics 1.0.0 text. */
#ifndef JVMTAP_WRITER_H
#define JVMTAP_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "families.h"

struct writer;

struct label {
	const char *name;	/* NULL or "" skips the label */
	const char *value;	/* NULL is written as "" */
};

/*
 * Every function accepts a NULL writer and becomes a no-op once an allocation failed (or the
 * limit was hit), so a render can run to the end and check writer_failed() once.
 */
struct writer *writer_new(void);
void writer_free(struct writer *w);
/* Empty the buffer, forget the families seen and clear the error; capacity and limit are kept. */
void writer_reset(struct writer *w);
/* Always NUL-terminated. After a failure: "" with *len 0, so a partial page is never served. */
const char *writer_data(const struct writer *w, size_t *len);
/* 0, ENOMEM after an allocation failure, E2BIG once the limit was exceeded. */
int writer_failed(const struct writer *w);
/* Cap the rendered size in bytes (0: no cap, the default); going over fails like ENOMEM would. */
void writer_set_limit(struct writer *w, size_t max_bytes);

/*
 * The format of what is written next (kept across resets; W_TEXT by default): set it before a
 * render, not inside one.
 * W_OPENMETRICS changes only what the format requires, so both pages hold the same series:
 * - a counter's family is named without its _total suffix in # HELP and # TYPE (its samples
 *   keep it); a counter not named *_total, and "untyped", become "unknown";
 * - # UNIT when the family name ends in a unit (_seconds, _bytes, _ratio, ...);
 * - # HELP escapes the double quote too;
 * - samples the format forbids are left out: a counter's NaN or negative total, a histogram
 *   whose sum is NaN or negative (its buckets, sum and count together);
 * - writer_finish() writes "# EOF".
 * Gauges named *_info stay gauges (docs/architecture.md#exposition-writer).
 */
enum w_format { W_TEXT, W_OPENMETRICS };
void writer_set_format(struct writer *w, enum w_format format);
enum w_format writer_format(const struct writer *w);
/* Ends the page: "# EOF\n" in OpenMetrics, nothing in text. Call once, after the last sample. */
void writer_finish(struct writer *w);

/*
 * "# HELP name help\n# TYPE name type\n". type: "counter", "gauge", "histogram" or "untyped"
 * (anything else is written as "untyped"; OpenMetrics: see writer_set_format()). help is
 * escaped (backslash, newline); a NULL or empty
 * help omits the HELP line. A name already started in this render is ignored (no second
 * HELP/TYPE), but callers should group samples by family.
 */
void w_family(struct writer *w, const char *name, const char *type, const char *help);
/* w_family() of a family of the table (families.def). */
void w_fam(struct writer *w, enum fam_id id);

/*
 * name{a...,b...} value. Label values are escaped (backslash, double quote, newline) and invalid
 * UTF-8 bytes become U+FFFD. Either label array may be NULL with count 0. Values: integers up to
 * 2^53 without exponent, otherwise the shortest round-tripping form, "+Inf", "-Inf", "NaN";
 * -0 is written as "0". Names are written as given: check dynamic ones with w_valid_*().
 */
void w_sample(struct writer *w, const char *name, const struct label *a, size_t na,
	      const struct label *b, size_t nb, double value);

/*
 * name_bucket{...,le="bound"} with cumulative counts, le="+Inf", name_sum and name_count.
 * bounds[nbounds]: ascending finite upper bounds (a bound that is not is dropped, its count goes
 * to the next bucket); counts[nbounds + 1]: NON-cumulative counts, counts[i] for
 * (bounds[i-1], bounds[i]], counts[nbounds] above the last bound.
 */
void w_histogram(struct writer *w, const char *name, const struct label *a, size_t na,
		 const struct label *b, size_t nb, const double *bounds, const uint64_t *counts,
		 size_t nbounds, double sum);

/*
 * BPF log2 slots as a histogram: slots[i] counts values v (in `unit` seconds, e.g. 1e-9 for ns)
 * with v in [2^i, 2^(i+1)) (slot 0 also holds 0 and 1). Buckets le = 2^(i+1) * unit for every i
 * in [first_slot, max_slot], whatever the slots hold, so the le set is the same every scrape.
 * Slots below first_slot count in the first bucket, slots above max_slot only in +Inf.
 */
void w_log2_histogram(struct writer *w, const char *name, const struct label *a, size_t na,
		      const struct label *b, size_t nb, const uint64_t *slots, size_t nslots,
		      unsigned first_slot, unsigned max_slot, double unit, double sum);

/*
 * A structured copy of every sample written from now on (until it is set to NULL):
 * fn gets the full series name (with _bucket/_sum/_count for histograms), the labels in write
 * order (empty names skipped, NULL values as "", le last for buckets) and the value. jvmtap top
 * and dump read the collectors' output this way, so there is one writer for every output.
 */
typedef void (*w_sink_fn)(void *arg, const char *name, const struct label *labels, size_t n,
			  double value);
void writer_set_sink(struct writer *w, w_sink_fn fn, void *arg);

int w_valid_metric_name(const char *s);	/* [a-zA-Z_:][a-zA-Z0-9_:]* */
int w_valid_label_name(const char *s);	/* [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" */

#endif
