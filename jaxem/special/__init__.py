"""Special functions: spherical and modified spherical Bessel functions (log-scaled where needed),
Riccati-Bessel functions and their log-derivatives/ratios, Mie angular functions, Gauss-Legendre
quadrature, polylogarithms, Clausen's function and Bernoulli numbers.

All kernels take a static int ``l_max`` and an argument of any shape and return orders
l = 0..l_max on a new last axis; they work under jit, vmap and grad (custom_jvp rules).
"""
from jaxem.special.angular import angular_functions
from jaxem.special.quadrature import exp_map_nodes, gauss_legendre, nystrom_nodes
from jaxem.special.spherical import (
    log_derivative_psi,
    log_derivative_xi,
    ratio_psi_xi,
    riccati_bessel,
    spherical_hankel1,
    spherical_jn,
    spherical_yn,
)

__all__ = [
    "spherical_jn",
    "spherical_yn",
    "spherical_hankel1",
    "riccati_bessel",
    "log_derivative_psi",
    "log_derivative_xi",
    "ratio_psi_xi",
    "angular_functions",
    "gauss_legendre",
    "nystrom_nodes",
    "exp_map_nodes",
]

from jaxem.special.modified import (  # noqa: E402
    log_modified_bessel_i,
    log_modified_bessel_k,
    modified_log_derivative_i,
    modified_log_derivative_k,
    modified_spherical_i,
    modified_spherical_k,
)

__all__ += [
    "log_modified_bessel_i",
    "log_modified_bessel_k",
    "modified_log_derivative_i",
    "modified_log_derivative_k",
    "modified_spherical_i",
    "modified_spherical_k",
]

from jaxem.special.polylog import (  # noqa: E402
    LOG_GLAISHER,
    ZETA3,
    bernoulli_numbers,
    clausen_cl2,
    polylog2,
    re_li3_unit_circle,
)

__all__ += ["ZETA3", "LOG_GLAISHER", "bernoulli_numbers", "polylog2", "clausen_cl2", "re_li3_unit_circle"]

from jaxem.special.bessel_integer import bessel_jn_integer, cylindrical_waves  # noqa: E402
from jaxem.special.wigner import wigner_d_sigma  # noqa: E402

__all__ += ["bessel_jn_integer", "cylindrical_waves", "wigner_d_sigma"]
