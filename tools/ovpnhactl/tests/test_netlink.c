// SPDX-License-Identifier: GPL-2.0
/*
 * The real netlink path of nl.c (libnl socket, replies, ACKs, multi-part
 * dumps, extended ACK errors, the family version warning) exercised against
 * a family every kernel has: "nlctrl" (generic netlink's controller).  No
 * ovpnha module needed.  Skips (exit 4) where generic netlink is unusable.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "nl.h"
#include "ovpnhactl.h"
#include "test.h"

struct fams {
	int n;
	bool nlctrl;
};

static int count_family(struct nl_msg *msg, void *arg)
{
	struct fams *f = arg;
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) < 0)
		return -EBADMSG;
	f->n++;
	if (tb[CTRL_ATTR_FAMILY_NAME] &&
	    !strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), "nlctrl"))
		f->nlctrl = true;
	return 0;
}

static int stop_at_first(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(*(int *)arg)++;
	return -ECANCELED;
}

/* stderr of @fn into @buf */
static int captured(int (*fn)(void), char *buf, size_t len)
{
	FILE *f = tmpfile();
	int se = dup(2), ret;
	size_t n;

	fflush(stderr);
	dup2(fileno(f), 2);
	ret = fn();
	fflush(stderr);
	dup2(se, 2);
	close(se);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return ret;
}

static int open_nlctrl(void)
{
	return ovnl_open();
}

static int last_err;

static int report_last(void)
{
	return ovnl_report(last_err);
}

static void t_open_warns_version(void)
{
	char err[512];

	CHECK_INT(captured(open_nlctrl, err, sizeof(err)), 0);
	CHECK_INT(ovnl_family(), GENL_ID_CTRL);
	/* nlctrl is at version 2, the tool speaks OVPNHA_FAMILY_VERSION 1 */
	CHECK_STR(err, "ovpnhactl: warning: module ovpnha speaks netlink version 2, this tool version 1\n");
	/* once per session */
	CHECK_INT(captured(open_nlctrl, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	/* and once per process: a new socket does not warn again */
	ovnl_close();
	CHECK_INT(captured(open_nlctrl, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK(!ovnl_check_version(2));
	CHECK(!ovnl_check_version(OVPNHA_FAMILY_VERSION));
}

static void t_dump(void)
{
	struct fams f = { 0 };
	struct nl_msg *m = ovnl_new(CTRL_CMD_GETFAMILY, NLM_F_DUMP);

	CHECK_INT(ovnl_request(m, count_family, &f), 0);
	nlmsg_free(m);
	CHECK(f.n >= 2);
	CHECK(f.nlctrl);
}

static void t_do_with_reply_and_ack(void)
{
	struct fams f = { 0 };
	struct nl_msg *m;

	for (int i = 0; i < 3; i++) {		/* stays in sequence */
		m = ovnl_new(CTRL_CMD_GETFAMILY, 0);
		nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "nlctrl");
		CHECK_INT(ovnl_request(m, count_family, &f), 0);
		nlmsg_free(m);
	}
	CHECK_INT(f.n, 3);
	CHECK(f.nlctrl);
}

static void t_kernel_errno(void)
{
	char err[512];
	struct nl_msg *m = ovnl_new(CTRL_CMD_GETFAMILY, 0);

	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "ovpnhactl-none");
	last_err = ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	CHECK_INT(last_err, -ENOENT);
	CHECK_INT(captured(report_last, err, sizeof(err)), 1);
	CHECK_CONTAINS(err, "Error: ");
}

static void t_kernel_extack(void)
{
	char err[512];
	struct nl_msg *m = ovnl_new(CTRL_CMD_GETFAMILY, 0);
	uint8_t one = 1;

	/* CTRL_ATTR_FAMILY_ID is a u16: one byte fails policy validation */
	nla_put(m, CTRL_ATTR_FAMILY_NAME, 0, NULL);
	nla_put(m, CTRL_ATTR_FAMILY_ID, 1, &one);
	last_err = ovnl_request(m, NULL, NULL);
	nlmsg_free(m);
	CHECK(last_err == -ERANGE || last_err == -EINVAL);
	CHECK(ovnl_extack() != NULL);
	CHECK_INT(captured(report_last, err, sizeof(err)), 1);
	CHECK(!strncmp(err, "Error: ", 7));
	printf("    # kernel said: %s", err);
	/* NLMSGERR_ATTR_OFFS located an attribute of the request */
	CHECK_CONTAINS(err, " (attribute ");

	/* and the next request still works */
	t_do_with_reply_and_ack();
}

static void t_callback_stops(void)
{
	char err[512];
	int calls = 0;
	struct nl_msg *m = ovnl_new(CTRL_CMD_GETFAMILY, NLM_F_DUMP);

	CHECK_INT(ovnl_request(m, stop_at_first, &calls), -ECANCELED);
	nlmsg_free(m);
	CHECK_INT(calls, 1);
	/* the rest of the dump was read: the session goes on */
	t_dump();
	t_do_with_reply_and_ack();
	/* a new session (the version warning was given once already) */
	ovnl_close();
	CHECK_INT(captured(open_nlctrl, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	t_dump();
}

static const struct test tests[] = {
	TEST(t_open_warns_version),
	TEST(t_dump),
	TEST(t_do_with_reply_and_ack),
	TEST(t_kernel_errno),
	TEST(t_kernel_extack),
	TEST(t_callback_stops),
};

int main(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	if (!sk || genl_connect(sk) < 0) {
		printf("KTAP version 1\n1..0 # SKIP no generic netlink here\n");
		nl_socket_free(sk);
		return 4;
	}
	nl_socket_free(sk);
	ovnl_set_test_family("nlctrl");
	ret = run_tests(tests, (int)(sizeof(tests) / sizeof(tests[0])));
	ovnl_close();
	return ret;
}
