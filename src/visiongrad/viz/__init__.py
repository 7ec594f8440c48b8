"""Plots. Each module imports only NumPy and matplotlib (Agg, no display needed) and
returns figures, e.g. for ``RunDir.save_figure``; import the modules directly, e.g.
``from visiongrad.viz.classic import plot_accuracy_vs_k``."""
