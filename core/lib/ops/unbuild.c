/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `dkms unbuild`: 3.4.3's do_unbuild and unbuild_module.  A kernel's build
 * goes, and its kernel directory with its last arch. */
#include "config.h"

#include <errno.h>

#include "ops/ops.h"

int dkms_op_unbuild(struct dkms_session *s, const struct dkms_op *op)
{
	_cleanup_free_ char *ka = tree_path(s, "%s/%s/%s/%s", op->module,
					    op->version, op->kernelver, op->arch);
	_cleanup_free_ char *k = tree_path(s, "%s/%s/%s", op->module,
					   op->version, op->kernelver);

	if (!ka || !k)
		return -ENOMEM;
	if (dkms_fault("unbuild") < 0)
		return -EIO;
	rm_rf(ka);
	if (!dir_has_subdir(k, NULL))
		rm_rf(k);
	return 0;
}

int dkms_op_maybe_unbuild(struct dkms_session *s, const struct dkms_op *op)
{
	if (!dkms_is_built(s, op)) {
		dkms_echo(s, "Module %s/%s is not built for kernel %s (%s). "
			  "Skipping...", op->module, op->version, op->kernelver,
			  op->arch);
		return 0;
	}
	return dkms_op_unbuild(s, op);
}

int dkms_plan_maybe_unbuild(struct dkms_session *s, const struct dkms_op *op,
			      struct journal *j)
{
	_cleanup_free_ char *ka = tree_path(s, "%s/%s/%s/%s", op->module,
					    op->version, op->kernelver, op->arch);
	_cleanup_free_ char *k = tree_path(s, "%s/%s/%s", op->module,
					   op->version, op->kernelver);
	_cleanup_free_ char *msg = NULL;
	int r;

	if (!ka || !k)
		return -ENOMEM;
	if (dkms_is_built(s, op)) {
		r = journal_add(j, JOP_RMTREE, ka, NULL, NULL);
		return r ? r : journal_add(j, JOP_RMTREE_LEAF, k, NULL, NULL);
	}
	msg = xasprintf("Module %s/%s is not built for kernel %s (%s). Skipping...",
			op->module, op->version, op->kernelver, op->arch);
	return msg ? journal_add(j, JOP_MSG, NULL, NULL, msg) : -ENOMEM;
}

struct journal *dkms_journal_for(struct dkms_session *s, const char *cmd,
				 const char *m, const char *v)
{
	_cleanup_free_ char *what = xasprintf("%s of %s/%s", cmd, m, v);

	return what ? journal_new(s, what) : NULL;
}

int dkms_cmd_unbuild(struct dkms_session *s, const char *m, const char *v,
		     const struct dkms_kernels *k)
{
	size_t i;
	int r;

	for (i = 0; i < k->n; i++) {
		struct dkms_op op = { m, v, k->kernelver[i], k->arch[i] };
		_cleanup_(journal_freep) struct journal *j = dkms_journal_for(s, "unbuild", m, v);

		if (!j)
			return -ENOMEM;
		if (i)
			dkms_echo(s, "%s", "");
		r = dkms_plan_maybe_uninstall(s, &op, j);
		if (r == 0)
			r = dkms_plan_maybe_unbuild(s, &op, j);
		if (r == 0)
			r = dkms_journal_do(s, j);
		if (r)
			return r;
	}
	return 0;
}
