"""One global random generator for every random factory, initializer, dropout mask,
augmentation and data shuffle, so that ``manual_seed`` makes a whole run reproducible."""
import numpy as np

# PyTorch's default seed, so an unseeded run is still deterministic.
_DEFAULT_SEED = 67280421310721
_generator = np.random.Generator(np.random.PCG64(_DEFAULT_SEED))
_initial_seed = _DEFAULT_SEED


def manual_seed(seed):
    """Seed the global generator; the same seed gives the same run, bit for bit."""
    global _generator, _initial_seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    _initial_seed = int(seed)
    _generator = np.random.Generator(np.random.PCG64(abs(_initial_seed)))
    return _generator


def initial_seed():
    return _initial_seed


def default_generator():
    """The global ``numpy.random.Generator`` (use it, never ``np.random.*``)."""
    return _generator


def get_rng_state():
    """A copy of the global generator's state (a dict), for exact resume."""
    return _generator.bit_generator.state


def set_rng_state(state):
    _generator.bit_generator.state = state
