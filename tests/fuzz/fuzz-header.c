/* libFuzzer: the Dovecot plugin's header scanner.  The fields must tile
   the header, stay inside it, and the end of the header must not depend
   on how the bytes arrive. */
#include <stdlib.h>
#include <string.h>

#include "signet-header.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	size_t line = 0, hsize, n, pos = 0, step;
	struct sh_field f;
	char *v;

	hsize = sh_header_size(data, size, &line);
	if (hsize > size || line > size)
		abort();
	/* the same end when fed a byte at a time from a split point */
	step = size > 0 ? data[0] % 8 + 1 : 1;
	line = 0;
	n = 0;
	for (size_t have = 0; have < size && n == 0;) {
		have = have + step > size ? size : have + step;
		n = sh_header_size(data, have, &line);
	}
	if (n != hsize)
		abort();
	if (hsize == 0)
		hsize = size;
	while (sh_next_field(data, hsize, &pos, &f)) {
		if (f.start > f.value || f.value > f.end ||
		    f.line_end > f.line_next || f.line_next > f.end ||
		    f.end > hsize || f.end <= f.start || f.end != pos ||
		    f.start + f.name_len > f.line_end)
			abort();
		v = malloc(f.end - f.value + 1);
		if (v == NULL)
			abort();
		if (sh_field_value(data, &f, v) > f.end - f.value)
			abort();
		free(v);
	}
	if (pos > hsize)
		abort();
	return 0;
}
