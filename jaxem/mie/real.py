"""Mie coefficients at real frequency (Bohren-Huffman convention), efficiencies, amplitude matrix,
real-frequency 2x2 reflection matrices of chiral / bi-isotropic / PEMC spheres (scattering.md §2.7)."""

__all__ = []
