/* signet_file_stamp and signet_file_changed: what makes Exim's module
   and the Dovecot plugin read a configuration or keyring again; and
   signet_domain_ok, the one domain name syntax. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int
dom(const char *d)
{
	return signet_domain_ok(d, strlen(d));
}

static void
test_domains(void)
{
	char label[64], name[400];

	T_OK("domain: plain, any case, punycode, UTF-8",
	     dom("isp.example") && dom("ISP.Example") &&
		     dom("xn--bcher-kva.example") && dom("b\xc3\xbc" "cher.de") &&
		     dom("localhost") && dom("a-b.c1"));
	T_OK("domain: no '-' at a label's ends",
	     !dom("-isp.example") && !dom("isp-.example") &&
		     !dom("isp.-x") && dom("i-sp.example"));
	T_OK("domain: no empty label, no trailing dot",
	     !dom("") && !dom(".") && !dom("isp..example") &&
		     !dom("isp.example.") && !dom(".isp.example"));
	T_OK("domain: no other characters",
	     !dom("isp_x.example") && !dom("isp example") &&
		     !dom("[192.0.2.1]") && !dom("isp@example"));
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.example", label);
	T_OK("domain: a label of 63 octets", dom(name));
	snprintf(name, sizeof(name), "%sa.example", label);
	T_OK("domain: not of 64", !dom(name));
	snprintf(name, sizeof(name), "%s.%s.%s.%s", label, label, label,
		 label);
	T_OK("domain: 255 octets in all", strlen(name) == 255 && dom(name));
	snprintf(name, sizeof(name), "%s.%s.%s.%sa", label, label, label,
		 label);
	T_OK("domain: not 256", !dom(name));
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
	test_domains();
	return t_failed ? 1 : 0;
}
