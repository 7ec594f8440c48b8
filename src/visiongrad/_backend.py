"""The one place that picks the array module.

Every kernel and primitive imports ``xp`` from here, so moving visiongrad to another
NumPy-compatible array library (CuPy) is a change to this file alone.
"""
import numpy

xp = numpy
