/* Content negotiation of /metrics: which exposition format an HTTP Accept header asks for. */
#ifndef JVMTAP_ACCEPT_H
#define JVMTAP_ACCEPT_H

enum accept_format {
	ACCEPT_TEXT,		/* text/plain; version=0.0.4, the default */
	ACCEPT_OPENMETRICS,	/* application/openmetrics-text; version=1.0.0 */
};

/*
 * The format to answer an Accept value (RFC 9110 12.5.1) with. The two offers are
 * application/openmetrics-text; version=1.0.0 and text/plain; version=0.0.4. Each gets the q of
 * the most specific media range matching it (type/subtype with a version parameter, then
 * type/subtype, type/star, star/star); a range whose version (or charset, other than utf-8)
 * differs does not match. The higher q wins; on equal q the more specific match, then the range
 * listed first; still equal (star/star alone), or neither acceptable: text. Malformed elements
 * (bad q, missing slash, unterminated quote) are skipped. NULL or "" is text.
 */
enum accept_format accept_format(const char *accept);

#endif
