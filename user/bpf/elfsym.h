/* Symbols of an ELF file (.symtab, then .dynsym) by exact name, with where their bytes are in
 * the file: for uprobes on functions a library does not export, and for reading their code. */
#ifndef JVMTAP_ELFSYM_H
#define JVMTAP_ELFSYM_H

#include <stdbool.h>
#include <stdint.h>

struct elfsym {
	const char *name; /* in: the (mangled) symbol name */
	bool found;
	uint64_t addr, size;
	int64_t file_off; /* of addr in the file; -1 if no section with file bytes holds it */
};

/* Fills syms[0..n) from the ELF file open at fd; returns how many were found, or -errno if fd is
 * not an ELF file. */
int elfsym_lookup(int fd, struct elfsym *syms, int n);

#endif
