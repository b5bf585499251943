"""Out-of-distribution detection with a Gaussian mixture's log-likelihood.

A Gaussian mixture is a density estimate: ``score_samples(x) = log p(x)``.  Fit it on the
data you trust (in-distribution), pick the threshold that keeps 99% of those samples, and
flag anything scoring below it.  Here the in-distribution data are three elongated
clusters; the test set mixes fresh samples from them with samples from a wider uniform
box (out-of-distribution).  The script prints the detection rates and, when matplotlib is
installed, draws the density contours and the flagged points.

Run: ``python examples/plot_gmm_out_of_distribution.py``
"""

import numpy as np

from skbackprop import GaussianMixtureEM

rng = np.random.default_rng(0)


def clusters(n_samples):
    """Three elongated Gaussian clusters."""
    centers = np.array([[-4.0, 0.0], [3.0, 3.0], [2.0, -4.0]])
    shapes = np.array(
        [[[1.5, 0.0], [0.9, 0.4]], [[0.5, 0.3], [0.0, 1.2]], [[1.0, -0.6], [0.0, 0.5]]]
    )
    labels = rng.integers(3, size=n_samples)
    noise = rng.standard_normal((n_samples, 2))
    return centers[labels] + np.einsum("nij,nj->ni", shapes[labels], noise)


X_train = clusters(3000)
gmm = GaussianMixtureEM(n_components=3, covariance_type="full", random_state=0).fit(X_train)
threshold = np.quantile(gmm.score_samples(X_train), 0.01)

X_in = clusters(500)
X_out = rng.uniform(-10, 10, size=(500, 2))
# Uniform points that land inside a cluster look in-distribution and are rightly kept, so
# the flagged share of the box stays below 100%.
scores_in = gmm.score_samples(X_in)
scores_out = gmm.score_samples(X_out)

print(f"fitted in {gmm.n_iter_} EM iterations, average log-likelihood {gmm.score(X_train):.3f}")
print(f"threshold (1% quantile of the training log-likelihood): {threshold:.3f}")
print(f"in-distribution test samples flagged:  {np.mean(scores_in < threshold):6.1%}")
print(f"uniform-box test samples flagged:      {np.mean(scores_out < threshold):6.1%}")
print(f"BIC {gmm.bic(X_train):.1f}, AIC {gmm.aic(X_train):.1f}")

try:
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed: skipping the figure")
else:
    grid = np.linspace(-10, 10, 200)
    xx, yy = np.meshgrid(grid, grid)
    log_density = gmm.score_samples(np.column_stack([xx.ravel(), yy.ravel()])).reshape(xx.shape)
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.contour(xx, yy, log_density, levels=np.linspace(threshold - 10, log_density.max(), 12))
    ax.contour(xx, yy, log_density, levels=[threshold], colors="red", linewidths=2)
    ax.scatter(*X_in.T, s=4, c="tab:blue", label="in-distribution")
    flagged = scores_out < threshold
    ax.scatter(*X_out[flagged].T, s=8, c="tab:red", marker="x", label="flagged")
    ax.scatter(*X_out[~flagged].T, s=8, c="tab:gray", marker="x", label="uniform, not flagged")
    ax.set_title("GaussianMixtureEM: log p(x) and the 1% threshold (red)")
    ax.legend(loc="lower left")
    # Shown, not saved: the gallery captures the figure itself, and a script run should
    # leave no file behind in the repository.
    plt.show()
