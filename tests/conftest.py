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
