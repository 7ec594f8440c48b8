"""Looking inside trained networks and optimising images through them: saliency,
occlusion, guided backprop, activation maps, adversarial examples, class
visualisation, feature inversion, deep dream, texture synthesis and style transfer.
Plots for them are in ``visiongrad.viz.interpret``."""
from .activations import activation_maps
from .adversarial import fgsm, fooling_image
from .class_visualization import (class_visualization, clip_small_contribution, clip_small_norm,
                                  gaussian_blur, jitter)
from .deep_dream import deep_dream, deep_dream_gradient
from .feature_inversion import feature_inversion
from .guided_backprop import guided_backprop
from .occlusion import occlusion, occlusion_attribution
from .saliency import input_gradient, saliency_map
from .style import (content_loss, extract_features, gram_matrix, style_loss, style_targets,
                    style_transfer, texture_synthesis, tv_loss)
from ._inputs import OptimizedImage
