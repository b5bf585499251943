"""A dask.distributed cluster of two worker processes on the loopback interface.

The cluster is started once, by the first test module that asks for ``client``, and closed
after the last one (starting one costs seconds, mostly the workers importing scikit-learn);
the modules skip (through ``pytest.importorskip`` at their top) when the ``dask`` extra is
not installed.
"""

import pytest


@pytest.fixture(scope="session")
def client():
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: a fixed one may be taken
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def never_gathered(monkeypatch):
    """Fail if the client materializes a dask array; only reduced results may come back.

    Persisting is allowed: it keeps the blocks on the workers.
    """
    import dask.array as da

    def gathered(self, *args, **kwargs):
        raise AssertionError(f"a dask array of shape {self.shape} was gathered on the client")

    for method in ("compute", "__array__", "__iter__", "__len__"):
        monkeypatch.setattr(da.Array, method, gathered)
