"""Optical tweezers: focused Laguerre-Gaussian beams, their beam-shape coefficients, optical forces."""
from jaxem.optics.beam_shape import beam_shape_coefficients
from jaxem.optics.beams import FocusedBeam, focal_field, quadrature_order

__all__ = [
    "FocusedBeam",
    "focal_field",
    "quadrature_order",
    "beam_shape_coefficients",
]
