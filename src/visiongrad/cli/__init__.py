"""The ``visiongrad`` command line."""
