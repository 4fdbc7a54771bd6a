"""Dielectric response models (equinox modules) at real and imaginary frequency."""
