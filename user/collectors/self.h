/* jvmtap's own health metrics. */
#ifndef JVMTAP_SELF_H
#define JVMTAP_SELF_H

/* Marks the start of a render, for jvmtap_scrape_duration_seconds. */
void self_render_begin(void);

#endif
