/* HotSpot code facts (hscode.h). */
#include "hscode.h"

int hotspot_name_offset(const uint8_t *code, size_t n)
{
	int found = -1, off;
	size_t i;

	for (i = 0; i + 4 <= n; i++) {
		/* REX.W 89 /r, ModRM reg = rsi (6), rm = rdi (7): mod 01 disp8, mod 10 disp32 */
		if (code[i] != 0x48 || code[i + 1] != 0x89)
			continue;
		if (code[i + 2] == 0x77)
			off = (int8_t)code[i + 3];
		else if (code[i + 2] == 0xb7 && i + 7 <= n)
			off = (int)(code[i + 3] | code[i + 4] << 8 | code[i + 5] << 16 |
				    (uint32_t)code[i + 6] << 24);
		else
			continue;
		/* A pointer field after the vtable, in an object of a few hundred bytes. */
		if (off < 8 || off % 8 || off > 4096 || (found >= 0 && found != off))
			return -1;
		found = off;
	}
	return found;
}
