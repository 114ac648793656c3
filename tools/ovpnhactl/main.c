// SPDX-License-Identifier: GPL-2.0
/* ovpnhactl entry point; everything else is in cli.c and the objects. */
#include "ovpnhactl.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
