"""A dask.distributed cluster of two worker processes on the loopback interface.

Each test module that asks for ``client`` starts one cluster and closes it at the end; the
modules skip (through ``pytest.importorskip`` at their top) when the ``dask`` extra is not
installed.
"""

import pytest


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
