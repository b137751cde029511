/* The render lock (renderlock.h). */
#include <pthread.h>
#include "renderlock.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void engine_lock(void)
{
	pthread_mutex_lock(&lock);
}

void engine_unlock(void)
{
	pthread_mutex_unlock(&lock);
}
