/* libFuzzer: the bounce reader.  Whatever the body, the Message-ID found
   lies in the buffer given, reading stays inside the body (ASan), and a
   value found in a larger buffer is found the same in one just its size. */
#include <stdlib.h>
#include <string.h>

#include "signet.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char out[256], again[256];
	size_t n;
	signet_status st;

	if (size == 0)
		return 0;
	/* the first byte says whether it is a multipart/report */
	st = signet_dsn_message_id((const char *)data + 1, size - 1,
				   data[0] & 1, out, sizeof(out));
	if (st != SIGNET_OK)
		return 0;
	n = strlen(out);
	if (n == 0 || n >= sizeof(out))
		abort();
	if (signet_dsn_message_id((const char *)data + 1, size - 1,
				  data[0] & 1, again, n + 1) != SIGNET_OK ||
	    strcmp(out, again) != 0)
		abort();
	if (signet_dsn_message_id((const char *)data + 1, size - 1,
				  data[0] & 1, again, n) != SIGNET_E_BUFFER)
		abort();
	return 0;
}
