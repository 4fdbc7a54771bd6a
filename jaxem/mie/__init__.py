"""Mie scattering of spheres: real-frequency coefficients and efficiencies (``real``), and
reflection matrices at imaginary frequency for the Casimir engine (``imaginary``)."""
from .real import *  # noqa: F401,F403
from .imaginary import *  # noqa: F401,F403
from .real import __all__ as _real_all
from .imaginary import __all__ as _imag_all

__all__ = list(_real_all) + list(_imag_all)
