"""The one-BLAS-thread rule for small networks: applied and undone, main thread only."""

import threading

from threadpoolctl import threadpool_info

from skbackprop.utils._threads import SMALL_PRODUCT_MACS, blas_threads_for


def _blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_small_products_run_on_one_thread_and_the_limit_is_undone():
    before = _blas_threads()
    with blas_threads_for(SMALL_PRODUCT_MACS - 1):
        assert set(_blas_threads()) == {1}
    assert _blas_threads() == before
    with blas_threads_for(SMALL_PRODUCT_MACS):
        assert _blas_threads() == before


def test_worker_threads_leave_the_process_wide_limit_alone():
    before = _blas_threads()
    seen = []

    def fit_in_a_thread():
        with blas_threads_for(1):
            seen.append(_blas_threads())

    worker = threading.Thread(target=fit_in_a_thread)
    worker.start()
    worker.join()
    assert seen == [before]
    assert _blas_threads() == before
