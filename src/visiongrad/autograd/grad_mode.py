"""Global switch for graph recording (``no_grad`` / ``enable_grad``)."""
import functools
import threading

_state = threading.local()


def is_grad_enabled():
    return getattr(_state, "enabled", True)


def set_grad_enabled(mode):
    _state.enabled = bool(mode)


class _GradMode:
    _mode = True

    def __enter__(self):
        self._previous = is_grad_enabled()
        set_grad_enabled(self._mode)
        return self

    def __exit__(self, *exc):
        set_grad_enabled(self._previous)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Context manager and decorator: nothing computed inside is recorded."""

    _mode = False


class enable_grad(_GradMode):
    """Context manager and decorator: re-enables recording inside ``no_grad``."""

    _mode = True
