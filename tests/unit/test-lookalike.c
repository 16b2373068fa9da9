/* Look-alike domains. */
#include "signet.h"
#include "t.h"

int
main(void)
{
	static const char *const ours[] = { "dept.cam.ac.uk", "isp.example" };
	static const struct {
		const char *d;
		int want;
	} cases[] = {
		{ "dept.cam.ac.uk", 0 },
		{ "DEPT.CAM.AC.UK", 0 },
		{ "isp.example.", 0 },
		{ "dept.dam.ac.uk", 1 },      /* the seed's example */
		{ "dept.carn.ac.uk", 1 },     /* rn for m */
		{ "isp.exarnple", 1 },
		{ "lsp.example", 1 },         /* l for i */
		{ "isp.examp1e", 1 },         /* 1 for l */
		{ "ips.example", 1 },         /* transposition */
		{ "isp.example.attacker.net", 1 },
		{ "xn--sp-goc.example", 1 },  /* Cyrillic i + "sp" */
		{ "xn--p1a5bc.example", 1 },  /* three Cyrillic letters */
		{ "xn--isp-tdd.example", 1 }, /* "isp" + Cyrillic e */
		{ "xn--mnchen-3ya.de", 0 },   /* muenchen.de, unrelated */
		{ "gmail.com", 0 },
		{ "example.org", 0 },
		{ "cam.ac.uk", 0 },
		{ "remote.example", 0 },
	};
	char name[128];

	t_suite = "unit-lookalike";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *like = NULL;
		int got = signet_lookalike(ours, 2, cases[i].d, &like);

		snprintf(name, sizeof(name), "%s %s", cases[i].d,
			 cases[i].want ? "looks like ours" : "is not a look-alike");
		T_OK(name, got == cases[i].want);
	}
	return t_failed != 0;
}
