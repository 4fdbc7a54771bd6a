"""Sphere reflection matrices at imaginary frequency (scattering.md §2.6), log-safe, for Casimir."""

__all__ = []
