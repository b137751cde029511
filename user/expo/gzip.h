/* gzip compression of metric pages and Accept-Encoding negotiation for the HTTP endpoint. */
#ifndef JVMTAP_GZIP_H
#define JVMTAP_GZIP_H

#include <stddef.h>

/* gzip member (RFC 1952) of in[len] into a malloc'ed *out; 0 or -errno. The caller frees *out. */
int gzip_compress(const char *in, size_t len, char **out, size_t *outlen);

/*
 * 1 if an Accept-Encoding value (RFC 9110 12.5.3) allows gzip: "gzip"/"x-gzip" (case-insensitive)
 * with q > 0, or, when neither is listed, "*" with q > 0. NULL, "" or malformed entries: not.
 */
int accepts_gzip(const char *accept_encoding);

#endif
