/* One logger: single-line messages on stderr, debug lines only with -v. */
#ifndef JVMTAP_LOG_H
#define JVMTAP_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_max_level;

/* While set, lines go to fn instead of stderr (jvmtap top owns the terminal). */
void log_set_hook(void (*fn)(enum log_level lvl, const char *line));

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
