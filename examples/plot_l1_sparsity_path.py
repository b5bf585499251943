"""
L1 sparsity path of LogisticBackprop
====================================

With ``l1_ratio=1`` :class:`~skbackprop.LogisticBackprop` minimizes scikit-learn's L1
objective

.. math::

    C \\sum_i \\text{log\\_loss}_i + \\lVert w \\rVert_1 .

The L1 norm has a corner at 0, and a coefficient whose data gradient is smaller than the
penalty's slope stays *exactly* at 0: the smaller ``C``, the stronger the penalty and the
fewer features the model keeps. The default L-BFGS solver reaches those exact zeros by
optimizing over :math:`w = w^+ - w^-` with :math:`w^\\pm \\ge 0` (bounds that L-BFGS-B
projects onto). The path below, on the 30 standardized features of the breast cancer
data, counts the exact zeros for each ``C`` and shows that the L2 penalty
(``l1_ratio=0``) keeps every coefficient.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from skbackprop import LogisticBackprop

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)
Cs = np.logspace(-3, 1, 15)

coefs, n_zeros, scores = [], [], []
for C in Cs:
    clf = LogisticBackprop(C=C, l1_ratio=1.0, max_iter=1000).fit(X, y)
    coefs.append(clf.coef_.ravel())
    n_zeros.append(int(np.sum(clf.coef_ == 0.0)))
    scores.append(clf.score(X, y))
    print(
        f"C={C:8.4f}: {n_zeros[-1]:2d} of {X.shape[1]} coefficients exactly 0, "
        f"training accuracy {scores[-1]:.3f}"
    )
coefs = np.array(coefs)
l2_zeros = int(np.sum(LogisticBackprop(C=Cs[0]).fit(X, y).coef_ == 0.0))
print(f"L2 penalty at C={Cs[0]}: {l2_zeros} coefficients exactly 0")

# %%
# The coefficients against C, and the count of exact zeros
# ---------------------------------------------------------

fig, (ax_path, ax_zeros) = plt.subplots(1, 2, figsize=(11, 4.5))
ax_path.semilogx(Cs, coefs, linewidth=1)
ax_path.set(
    xlabel="C (inverse penalty strength)",
    ylabel="coefficient",
    title="L1 path: coefficients leave 0 one by one",
)
ax_zeros.semilogx(Cs, n_zeros, marker="o", label="L1 (l1_ratio=1)")
ax_zeros.axhline(l2_zeros, color="gray", linestyle="--", label="L2 (l1_ratio=0)")
ax_zeros.set(xlabel="C", ylabel="coefficients exactly 0", title="sparsity")
ax_zeros.legend()
fig.tight_layout()
plt.show()
