/* The render lock: the collectors' tick, maintain and collect run under it (engine.c takes it),
 * and a refresh worker takes it to copy what it needs of state they share (the identity walk's
 * cgroups). Its own file, below the engine and the collectors alike. */
#ifndef JVMTAP_RENDERLOCK_H
#define JVMTAP_RENDERLOCK_H

void engine_lock(void);
void engine_unlock(void);

#endif
