"""
Scaling out on a Dask cluster
=============================

Fit skbackprop estimators on a dask array of many chunks spread over the workers of a
``dask.distributed`` cluster, and report the cluster's own numbers: rows, chunks, workers
and seconds.

- :class:`~skbackprop.NormalEquationRegressor` computes each chunk's sufficient statistics
  on the worker that holds it and adds them up on the workers; the client receives a few
  kilobytes of statistics, never the rows, and the coefficients equal the in-memory fit's.
- :class:`~skbackprop.GaussianMixtureEM` starts from a distributed k-means, then runs
  every EM iteration's E-step on the workers and brings back only the summed statistics
  for the M-step.
- :class:`dask_ml.wrappers.Incremental` streams the chunks through ``partial_fit``.

The script starts a local cluster (two worker processes on the loopback interface); to run
on a real cluster, connect a :class:`~dask.distributed.Client` to its scheduler instead.
It needs the ``dask`` extra: ``pip install "skbackprop[dask]"``.  It is not executed by the
documentation build (it starts a cluster); run it as
``python examples/dask_scale_out.py`` (``--rows``, ``--chunk-rows``, ``--features`` and
``--workers`` change the sizes).
"""

import argparse
import pickle
import time

import numpy as np


def main(rows, features, chunk_rows, workers):
    import dask.array as da
    from dask.distributed import Client, LocalCluster, wait
    from dask_ml.wrappers import Incremental

    from skbackprop import GaussianMixtureEM, NormalEquationRegressor

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: a fixed one may be taken
        ) as cluster,
        Client(cluster) as client,
    ):
        # The data is generated on the workers and stays there (persist, not compute).
        start = time.perf_counter()
        rng = da.random.default_rng(0)
        true_coef = np.linspace(-2.0, 2.0, features)
        X = rng.normal(loc=3.0, size=(rows, features), chunks=(chunk_rows, features))
        y = X @ true_coef + 1.0 + rng.normal(scale=0.5, size=rows, chunks=chunk_rows)
        X, y = client.persist([X, y])
        wait([X, y])
        generated = time.perf_counter() - start
        holders = {w for ws in client.who_has(X).values() for w in ws}
        print(
            f"data: {rows:,} rows x {features} features ({X.nbytes / 1e6:,.0f} MB) in "
            f"{X.numblocks[0]} chunks on {len(holders)} of {workers} workers, generated in "
            f"{generated:.2f} s"
        )

        # Import skbackprop on the workers once, so the timings below are the fits alone.
        client.run(__import__, "skbackprop")

        # Exact distributed fit: statistics per chunk on the workers, reduced there.
        start = time.perf_counter()
        model = NormalEquationRegressor(alpha=1.0).fit(X, y)
        seconds = time.perf_counter() - start
        received = len(pickle.dumps(model._statistics))
        error = np.abs(model.coef_ - true_coef).max()
        print(
            f"NormalEquationRegressor.fit: {rows:,} rows in {seconds:.2f} s "
            f"({rows / seconds / 1e6:,.1f} M rows/s); client received {received / 1e3:.1f} kB "
            f"of statistics; max |coef - true coef| = {error:.1e}"
        )

        # EM: one map-reduce over the chunks per iteration, the rows persisted on the workers.
        # The default start, k-means, runs distributed too: seeds from a sample of the rows,
        # then Lloyd's iterations map-reduced over the chunks.
        start = time.perf_counter()
        mixture = GaussianMixtureEM(4, covariance_type="diag", random_state=0).fit(X[:, :4])
        seconds = time.perf_counter() - start
        print(
            f"GaussianMixtureEM.fit: {rows:,} rows x 4 features, a distributed k-means start "
            f"and {mixture.n_iter_} EM iterations in {seconds:.2f} s; "
            f"lower bound {mixture.lower_bound_:.4f}"
        )

        # Streaming: one partial_fit per chunk, the model travelling from worker to worker.
        start = time.perf_counter()
        incremental = Incremental(NormalEquationRegressor(alpha=1.0), random_state=0)
        incremental.fit(X, y)
        seconds = time.perf_counter() - start
        gap = np.abs(incremental.estimator_.coef_ - model.coef_).max()
        print(
            f"Incremental(NormalEquationRegressor).fit: {X.numblocks[0]} partial_fit calls, "
            f"{rows:,} rows in {seconds:.2f} s; max |coef - exact fit coef| = {gap:.1e}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    main(args.rows, args.features, args.chunk_rows, args.workers)
