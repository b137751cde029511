/* Pure parser of an HTTP/1.x response as a JobManager's REST endpoint sends it: status line,
 * headers, and a body framed by Content-Length, chunked transfer coding or the end of the
 * connection. Nothing read is trusted: every length is checked against the buffer. */
#ifndef JVMTAP_HTTPRESP_H
#define JVMTAP_HTTPRESP_H

#include <stdbool.h>
#include <stddef.h>

enum httpresp_err {
	HTTPRESP_OK = 0,
	HTTPRESP_INCOMPLETE, /* more bytes are needed (the head, or the body it announces) */
	HTTPRESP_BAD_STATUS, /* not "HTTP/1.x NNN ..." */
	HTTPRESP_BAD_HEADER, /* a header line without a colon, a bad Content-Length, ... */
	HTTPRESP_BAD_CHUNK,  /* chunked coding that does not add up */
	HTTPRESP_TOO_LARGE,  /* the head is longer than HTTPRESP_MAX_HEAD */
	HTTPRESP__N
};
#define HTTPRESP_MAX_HEAD 16384

/* "ok", "incomplete", "bad_status", "bad_header", "bad_chunk", "too_large". */
const char *httpresp_err_name(enum httpresp_err e);

struct httpresp {
	int status;            /* 200, 404, ... */
	bool json;             /* Content-Type is application/json */
	const char *body;      /* into the caller's buffer (chunked: decoded in place) */
	size_t body_len;
};

/*
 * Parses buf[0..len). eof: the peer closed the connection, so a body without Content-Length or
 * chunked coding ends at len. Chunked bodies are decoded in place (buf is modified). Returns
 * HTTPRESP_OK with out filled, HTTPRESP_INCOMPLETE when the response is not complete yet (read
 * more, unless eof), or an error.
 */
enum httpresp_err httpresp_parse(char *buf, size_t len, bool eof, struct httpresp *out);

#endif
