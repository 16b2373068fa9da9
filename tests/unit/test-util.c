/* signet_file_stamp and signet_file_changed: what makes Exim's module
   and the Dovecot plugin read a configuration or keyring again. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signet.h"
#include "t.h"

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

int
main(void)
{
	char dir[] = "/tmp/signet-util-XXXXXX", path[64], other[64];
	struct signet_file_stamp s;

	t_suite = "unit-util";
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/keys.json", dir);
	snprintf(other, sizeof(other), "%s/new.json", dir);

	signet_file_stamp(path, &s);
	T_OK("a missing file is stamped as missing", !s.seen);
	T_OK("still missing: unchanged", !signet_file_changed(path, &s));
	write_file(path, "one");
	T_OK("created: changed", signet_file_changed(path, &s));

	signet_file_stamp(path, &s);
	T_OK("stamped: unchanged", s.seen && !signet_file_changed(path, &s));
	write_file(other, "two");
	if (rename(other, path) != 0)
		abort();
	T_OK("replaced by rename, same size: changed",
	     signet_file_changed(path, &s));

	signet_file_stamp(path, &s);
	if (chmod(path, 0600) != 0)
		abort();
	T_OK("mode changed: changed", signet_file_changed(path, &s));

	signet_file_stamp(path, &s);
	if (unlink(path) != 0)
		abort();
	T_OK("removed: changed", signet_file_changed(path, &s));
	T_OK("no path: unchanged when nothing was stamped",
	     (signet_file_stamp(NULL, &s), !signet_file_changed(NULL, &s)));
	rmdir(dir);
	return t_failed ? 1 : 0;
}
