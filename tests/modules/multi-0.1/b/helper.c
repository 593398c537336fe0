// SPDX-License-Identifier: GPL-2.0-or-later
int multi_b_helper(void);

int multi_b_helper(void)
{
	return 0;
}
