"""Mie scattering of spheres: real-frequency coefficients and efficiencies (``real``), reflection matrices
at imaginary frequency for the Casimir engines (``imaginary``), their static xi -> 0 limit (``static``), and plates (``plates``)."""
from .real import *  # noqa: F401,F403
from .imaginary import *  # noqa: F401,F403
from .static import *  # noqa: F401,F403
from .plates import *  # noqa: F401,F403
from .real import __all__ as _real_all
from .imaginary import __all__ as _imag_all
from .static import __all__ as _static_all
from .plates import __all__ as _plates_all

__all__ = list(_real_all) + list(_imag_all) + list(_static_all) + list(_plates_all)
