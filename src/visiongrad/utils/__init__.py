"""Utilities shared across visiongrad; ``visiongrad.utils.data`` holds datasets and loaders."""
from . import data

__all__ = ["data"]
