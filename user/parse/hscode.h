/* Facts read from HotSpot's machine code, where no table gives them. */
#ifndef JVMTAP_HSCODE_H
#define JVMTAP_HSCODE_H

#include <stddef.h>
#include <stdint.h>

/* The offset of MemoryManager::_name from the x86-64 code of MemoryManager::MemoryManager(const
 * char *name): its one store of the name argument (%rsi) into the object (%rdi), "mov %rsi,
 * disp(%rdi)". -1 if the code holds no such store, stores to two places, or an offset no
 * pointer field after the vtable can have. */
int hotspot_name_offset(const uint8_t *code, size_t n);

#endif
