"""Model constructors by name: ``register`` decorates a builder, ``get`` calls it."""
_BUILDERS = {}


def register(name):
    def decorate(builder):
        if name in _BUILDERS:
            raise ValueError(f"model name {name!r} registered twice")
        _BUILDERS[name] = builder
        return builder
    return decorate


def get(name, **kwargs):
    from . import models  # noqa: F401  (importing the families registers them)

    if name not in _BUILDERS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(sorted(_BUILDERS))}")
    return _BUILDERS[name](**kwargs)


def list_models():
    from . import models  # noqa: F401

    return sorted(_BUILDERS)
