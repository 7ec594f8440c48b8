"""Table rows for visiongrad.nn.functional: activations, losses, dropout, embedding."""
OPS = []
