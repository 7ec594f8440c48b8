import os

import numpy as np
import pytest

import visiongrad as vg


@pytest.fixture(autouse=True)
def _seed():
    vg.manual_seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread_per_xdist_worker():
    # pytest -n 2 runs two workers on two cores: a multi-threaded BLAS in each would
    # oversubscribe the cores and make small matrix products tens of times slower
    if os.environ.get("PYTEST_XDIST_WORKER"):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            yield
    else:
        yield
