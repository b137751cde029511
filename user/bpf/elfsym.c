/* ELF symbol lookup (elfsym.h) with libelf. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include "elfsym.h"

static int64_t file_offset(Elf *e, uint64_t addr)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_PROGBITS && sh.sh_addr <= addr &&
		    addr < sh.sh_addr + sh.sh_size)
			return (int64_t)(sh.sh_offset + (addr - sh.sh_addr));
	return -1;
}

static int scan_table(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, struct elfsym *syms, int n,
		      int found)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t i, count;
	GElf_Sym s;
	int k;

	if (!d || !sh->sh_entsize)
		return found;
	count = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < count && found < n; i++) {
		const char *name;

		if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF || !s.st_name)
			continue;
		name = elf_strptr(e, sh->sh_link, s.st_name);
		for (k = 0; name && k < n; k++)
			if (!syms[k].found && !strcmp(name, syms[k].name)) {
				syms[k].found = true;
				syms[k].addr = s.st_value;
				syms[k].size = s.st_size;
				syms[k].file_off = file_offset(e, s.st_value);
				found++;
			}
	}
	return found;
}

int elfsym_lookup(int fd, struct elfsym *syms, int n)
{
	int found = 0, k, pass;
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf *e;

	for (k = 0; k < n; k++)
		syms[k].found = false;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		return -ENOEXEC;
	}
	for (pass = 0; pass < 2; pass++)
		for (scn = NULL; found < n && (scn = elf_nextscn(e, scn));)
			if (gelf_getshdr(scn, &sh) &&
			    sh.sh_type == (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
				found = scan_table(e, scn, &sh, syms, n, found);
	elf_end(e);
	return found;
}
