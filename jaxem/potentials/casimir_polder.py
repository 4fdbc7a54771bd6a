"""Thermal Casimir–Polder (second-order fluctuation) potential between two small spheres in vacuum.

Source: C. Jakubec, P. Solano, U. Delić and K. Sinha, "Fluctuation-induced forces on nanospheres in
external fields", Phys. Rev. A 109, 052807 (2024), arXiv:2311.10496 (cited below as "Jakubec et al.";
equation numbers of the arXiv preprint), Sec. IV A 1 and App. C.

Primary form (derived here by Wick rotation of Jakubec et al. Eq. (25); checked in
tests/test_nanospheres.py): a Matsubara sum with the n = 0 term weighted 1/2,

    U_CP(r, T) = -k_B T sum'_{n>=0} alpha_A(i xi_n) alpha_B(i xi_n) Tr[T(r, xi_n)^2],
    Tr[T^2] = e^{-2u} P(u)/(8 pi^2 eps0^2 r^6),  P(u) = 3 + 6u + 5u^2 + 2u^3 + u^4,  u = xi r/c,

built on the regular dipole propagator T = mu0 (i xi)^2 G0(i xi) (finite at xi = 0, jaxem.green.dipole_propagator_imag).
The oscillatory real-frequency integrals of Jakubec et al. ((25), (26), (C2), (C5)) are never evaluated; the
tests check the Wick rotation on a damped model instead.

Stopping rule (documented, static): the first ``n_matsubara`` terms n = 0..N-1 are summed exactly and the
remainder sum_{n>=N} f(xi_n) is replaced by its Euler–Maclaurin estimate
(1/xi_1) int_{xi_N}^inf f dxi + f(xi_N)/2 - (xi_1/12) f'(xi_N), the integral by 128-node Gauss–Legendre
in ln xi over [xi_N, 1e7 xi_N] (the summand decays at least as xi^-4 through alpha^2 and as e^{-2u} through
the propagator; jaxem.thermal.matsubara_sum). Measured accuracy: docs/accuracy.md.
Evaluation: the head terms, the tail nodes and the end-point terms are one sum over r-independent nodes,
U = -k_B T [sum_j c_j h(nu_j r) + d_N u_N h'(u_N)]/(8 pi^2 eps0^2 r^6), h(u) = e^{-2u} P(u), nu_j = xi_j/c
(:func:`propagator_node_sum`): the polarizabilities are evaluated once per temperature, and the r-derivative is
analytic (custom JVP, h'(u) = -2u (1 + 2u + u^3) e^{-2u} shares the exponential), so dU/dr costs about as
much as U in forward and in reverse mode (the benchmark's force kernel; results identical to the plain
:func:`jaxem.thermal.matsubara_sum` to rounding).

Zero temperature: U = -(hbar/2 pi) int_0^inf dxi alpha_A alpha_B Tr[T^2], trapezoid in s = ln xi on
[ln(1e-9 c/r), ln(60 c/r)] (exponentially convergent; the integrand is analytic in a strip around the s axis).

Polarizabilities: Clausius–Mossotti of a ``jaxem.materials`` model at imaginary frequency
(``jaxem.polarizabilities.polarizability_imag``). All functions broadcast over r (and temperature) and work
under jit, vmap and grad; forces are -dU/dr by autodiff.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import check_int, check_material, check_nonnegative, check_positive, check_scalar
from ..constants import c, eps0, hbar, k_B, matsubara_frequency
from ..polarizabilities import polarizability_imag
from ..special._recurrence import vary_like
from ..thermal import matsubara_sum, matsubara_tail_nodes

__all__ = [
    "propagator_trace_factor",
    "propagator_node_sum",
    "casimir_polder_potential",
    "casimir_polder_potential_zero_temperature",
    "casimir_polder_potential_logdet",
    "casimir_polder_near_field_law",
    "casimir_polder_retarded_law",
    "casimir_polder_far_field_law",
]



def propagator_trace_factor(u):
    """Dimensionless e^{-2u} P(u) = 8 pi^2 eps0^2 r^6 Tr[T(r, xi)^2], P = 3 + 6u + 5u^2 + 2u^3 + u^4.

    Equals 3 at u = 0 (static dipole tensor); int_0^inf e^{-2u} P(u) du = 23/4 (the Casimir–Polder
    coefficient).

    Arguments:
        u: xi r/c (>= 0, any shape; dimensionless).
    Returns:
        e^{-2u} P(u), float64.

    Source: derived here from the imaginary-frequency Green tensor (see
    :func:`jaxem.green.dipole_propagator_imag`); checked in tests/test_nanospheres.py.
    """
    u = jnp.asarray(u, jnp.float64)
    return jnp.exp(-2.0 * u) * (3.0 + u * (6.0 + u * (5.0 + u * (2.0 + u))))


def _summand(xi, r, radius_a, material_a, radius_b, material_b):
    """alpha_A(i xi) alpha_B(i xi) Tr[T(r, xi)^2] in SI [J^-1 ... such that U = -k_B T sum'_n (this)]."""
    alpha_a = polarizability_imag(xi, radius_a, material_a)
    alpha_b = polarizability_imag(xi, radius_b, material_b)
    return alpha_a * alpha_b * propagator_trace_factor(xi * r / c) / (8.0 * jnp.pi**2 * eps0**2 * r**6)


# ---------------------------------------------------------------------------------------------------------
# fast thermal kernel: the Matsubara sum + Euler–Maclaurin tail as one node sum in r
# ---------------------------------------------------------------------------------------------------------
def _h_and_slope(u):
    """h(u) = e^{-2u} P(u) and h'(u) = -2u (1 + 2u + u^3) e^{-2u} (P' - 2P = -2u - 4u^2 - 2u^4), one exp."""
    e = jnp.exp(-2.0 * u)
    return e * (3.0 + u * (6.0 + u * (5.0 + u * (2.0 + u)))), -2.0 * u * (1.0 + u * (2.0 + u * u)) * e


def _node_loop(r, nu, coef):
    """(S, dS/dr) by a loop over the nodes with scalar-per-point accumulators (vectorises across points under
    vmap and keeps the (points x nodes) array out of memory; XLA's CPU fusion of two reductions over that array
    is slow)."""
    def body(j, acc):
        h, dh = _h_and_slope(nu[j] * r)
        return acc[0] + coef[j] * h, acc[1] + coef[j] * nu[j] * dh

    zero = jnp.zeros(jnp.shape(r), jnp.result_type(r, nu, coef))
    return jax.lax.fori_loop(0, nu.shape[-1], body, vary_like((zero, zero), r, nu, coef))


@jax.custom_jvp
def propagator_node_sum(r, nu, coef):
    """S(r) = sum_j coef_j e^{-2 nu_j r} P(nu_j r), P(u) = 3 + 6u + 5u^2 + 2u^3 + u^4 (dimensionless node sum).

    Its derivative is analytic (custom JVP: value and dS/dr share one exponential per node, so forces
    cost about as much as energies in both forward and reverse mode). The Matsubara sum of
    :func:`casimir_polder_potential` is this sum with r-independent nodes and weights.

    Arguments:
        r: distance [m] (scalar).
        nu: node wavenumbers xi_j/c [1/m], shape (M,).
        coef: node weights, shape (M,) (units of the caller's summand).
    Returns:
        S (scalar).

    Source: derived here (see the module docstring); checked in tests/test_nanospheres.py.
    """
    return _node_loop(r, nu, coef)[0]


@functools.partial(propagator_node_sum.defjvp, symbolic_zeros=True)
def _propagator_node_sum_jvp(primals, tangents):
    r, nu, coef = primals
    dr, dnu, dcoef = tangents
    zero = jax.custom_derivatives.SymbolicZero
    if isinstance(dnu, zero) and isinstance(dcoef, zero):
        s, slope = _node_loop(r, nu, coef)
        return s, (jnp.zeros_like(s) if isinstance(dr, zero) else slope * dr)
    dnu = jnp.zeros_like(nu) if isinstance(dnu, zero) else dnu
    dcoef = jnp.zeros_like(coef) if isinstance(dcoef, zero) else dcoef
    # general tangent: sum_j [dcoef_j h_j + coef_j h'_j (nu_j dr + r dnu_j)].  The tangents enter through
    # node-wise dot products outside any loop, so reverse mode transposes plain linear algebra (a tangent
    # threaded through the loop carry cannot be transposed by jax 0.9.x); the per-node arrays are formed only
    # when differentiating with respect to the nodes (temperature, material parameters).
    s, slope = _node_loop(r, nu, coef)
    h, dh = _h_and_slope(nu * r)
    tangent = jnp.dot(h, dcoef) + r * jnp.dot(coef * dh, dnu)
    if not isinstance(dr, zero):
        tangent = tangent + slope * dr
    return s, tangent


def _cp_nodes(temperature, radius_a, material_a, radius_b, material_b, n_matsubara):
    """r-independent part of the thermal CP sum (scalar temperature).

    sum'_{n<N} f(xi_n) + (1/xi_1) int_{xi_N}^inf f + f(xi_N)/2 - (xi_1/12) f'(xi_N), with
    f(xi) = A(xi) h(xi r/c), A = alpha_A alpha_B, equals sum_j coef_j h(nu_j r) + d_end u_N h'(u_N):
    nodes nu_j = xi_j/c for n = 0..N-1 (weights w_n A), the 128 Gauss–Legendre tail nodes in ln xi
    (weights w xi A/xi_1) and xi_N (weight A/2 - xi_1 A'/12); d_end = -(xi_1/12) A(xi_N)/xi_N.
    Returns (nu [1/m], coef, d_end); the nodes and weights of :func:`jaxem.thermal.matsubara_tail_nodes`.
    """
    def a_prod(xi):
        return polarizability_imag(xi, radius_a, material_a) * polarizability_imag(xi, radius_b, material_b)

    xi_1 = matsubara_frequency(1, jnp.asarray(temperature, jnp.float64))
    xi, w = matsubara_tail_nodes(xi_1, n_matsubara)
    xi_n = xi[-1]
    a_n, da_n = jax.jvp(a_prod, (xi_n,), (jnp.ones_like(xi_n),))
    coef = (w * a_prod(xi)).at[-1].add(-xi_1 * da_n / 12.0)
    return xi / c, coef, -(xi_1 / 12.0) * a_n / xi_n


def _cp_thermal_single(r, temperature, radius_a, material_a, radius_b, material_b, n_matsubara):
    """U_CP(r, T) [J] for scalar r, T (the kernel behind :func:`casimir_polder_potential`)."""
    nu, coef, d_end = _cp_nodes(temperature, radius_a, material_a, radius_b, material_b, n_matsubara)
    u_n = nu[-1] * r
    s = propagator_node_sum(r, nu, coef) + d_end * u_n * _h_and_slope(u_n)[1]
    return -k_B * temperature * s / (8.0 * jnp.pi**2 * eps0**2 * r**6)


@functools.partial(jax.jit, static_argnames=("n_matsubara",))
def _cp_thermal(r, temperature, radius_a, material_a, radius_b, material_b, n_matsubara):
    # vectorised over broadcast(r, T): for a scalar T the node weights (the polarizabilities at the Matsubara
    # and tail frequencies) are computed once and shared by all distances
    r, temperature = jnp.asarray(r, jnp.float64), jnp.asarray(temperature, jnp.float64)
    fn = lambda x, t: _cp_thermal_single(x, t, radius_a, material_a, radius_b, material_b,  # noqa: E731
                                         n_matsubara)
    return jnp.vectorize(fn)(r, temperature)


@functools.partial(jax.jit, static_argnames=("n_nodes",))
def _cp_zero(r, radius_a, material_a, radius_b, material_b, n_nodes):
    r = jnp.asarray(r, jnp.float64)[..., None]
    scale = c / r
    # integrand xi f(xi) in s = ln xi vanishes like xi at the bottom and like e^{-2u} or xi^-3 at the top
    s = jnp.log(scale) + jnp.linspace(np.log(1e-9), np.log(60.0), n_nodes)
    h = (np.log(60.0) - np.log(1e-9)) / (n_nodes - 1)
    xi = jnp.exp(s)
    vals = xi * _summand(xi, r, radius_a, material_a, radius_b, material_b)
    integral = h * (jnp.sum(vals, axis=-1) - 0.5 * (vals[..., 0] + vals[..., -1]))
    return -hbar / (2.0 * jnp.pi) * integral


def _spheres(radius, material, radius_b, material_b):
    check_positive("radius", radius)
    check_scalar("radius", radius)
    check_material("material", material)
    radius_b = radius if radius_b is None else radius_b
    material_b = material if material_b is None else material_b
    check_positive("radius_b", radius_b)
    check_scalar("radius_b", radius_b)
    check_material("material_b", material_b)
    return radius, material, radius_b, material_b


def casimir_polder_potential(r, temperature, radius, material, *, radius_b=None, material_b=None,
                             n_matsubara: int = 64):
    """Thermal Casimir–Polder interaction energy U_CP(r, T) [J] of two spheres (dipole approximation).

    Arguments:
        r: centre-to-centre distance [m] (> 0, any shape).
        temperature: T [K] (> 0; broadcasts with r). For T = 0 use
            :func:`casimir_polder_potential_zero_temperature`.
        radius, material: sphere A (radius [m], ``jaxem.materials`` model, Clausius–Mossotti at i xi).
        radius_b, material_b: sphere B (default: same as A).
        n_matsubara: terms summed exactly (static); the rest by Euler–Maclaurin (module docstring).
    Returns:
        U_CP [J], float64, shape broadcast(r, temperature).

    Source: Jakubec et al., Eq. (25), evaluated as a Matsubara sum (n = 0 weighted 1/2) after Wick
    rotation (derived here; the real-frequency integral is ill-defined for a lossless alpha); checked
    against the closed forms and the Wick rotation in tests/test_nanospheres.py.
    """
    check_positive("r", r)
    check_positive("temperature", temperature)
    n_matsubara = check_int("n_matsubara", n_matsubara, minimum=1)
    spheres = _spheres(radius, material, radius_b, material_b)
    return _cp_thermal(r, temperature, *spheres, n_matsubara=n_matsubara)


def casimir_polder_potential_zero_temperature(r, radius, material, *, radius_b=None, material_b=None,
                                              n_nodes: int = 256):
    """Zero-temperature Casimir–Polder energy U_CP(r, T = 0) [J]: an imaginary-frequency integral.

    U = -(hbar/(16 pi^3 eps0^2 r^6)) int_0^inf dxi alpha_A(i xi) alpha_B(i xi) e^{-2u} P(u), u = xi r/c.

    Arguments:
        r: centre-to-centre distance [m] (> 0, any shape).
        radius, material: sphere A (radius [m], ``jaxem.materials`` model).
        radius_b, material_b: sphere B (default: same as A).
        n_nodes: trapezoid nodes in ln xi (static).
    Returns:
        U [J], float64, shape of r.

    Source: the T -> 0 limit of Jakubec et al., Eq. (25), on the imaginary axis (derived here;
    checked in tests/test_nanospheres.py).
    """
    check_positive("r", r)
    n_nodes = check_int("n_nodes", n_nodes, minimum=8)
    spheres = _spheres(radius, material, radius_b, material_b)
    return _cp_zero(r, *spheres, n_nodes=n_nodes)


def _minus_logdet(xi, r, radius_a, material_a, radius_b, material_b):
    """-ln det[1 - alpha_A T alpha_B T] for the two spheres on a common axis (eigenvalues of T: t_par once,
    t_perp twice, those of jaxem.green.dipole_propagator_imag / eps0)."""
    a = polarizability_imag(xi, radius_a, material_a) * polarizability_imag(xi, radius_b, material_b)
    u = xi * r / c
    pre = jnp.exp(-u) / (4.0 * jnp.pi * eps0 * r**3)
    t_par = 2.0 * pre * (1.0 + u)
    t_perp = -pre * (1.0 + u + u * u)
    return -(jnp.log1p(-a * t_par**2) + 2.0 * jnp.log1p(-a * t_perp**2))


@functools.partial(jax.jit, static_argnames=("n_matsubara",))
def _cp_logdet(r, temperature, radius_a, material_a, radius_b, material_b, n_matsubara):
    r, temperature = jnp.asarray(r, jnp.float64), jnp.asarray(temperature, jnp.float64)
    f = lambda xi: _minus_logdet(xi, r[..., None], radius_a, material_a, radius_b, material_b)  # noqa: E731
    return -k_B * temperature * matsubara_sum(f, matsubara_frequency(1, temperature), n_matsubara)


def casimir_polder_potential_logdet(r, temperature, radius, material, *, radius_b=None, material_b=None,
                                    n_matsubara: int = 64):
    """Thermal dipole–dipole fluctuation energy U [J] to all orders in the polarizabilities.

    U = k_B T sum'_n ln det[1 - alpha_A(i xi_n) T(r, xi_n) alpha_B(i xi_n) T(r, xi_n)]   (3x3, point dipoles).
    Its leading term is :func:`casimir_polder_potential`; the relative correction is <~ 2 alpha~^2 (R/r)^6
    (0.8 % at contact r = 2R for silica). Same Tr-ln structure as the random-light V(r, omega).

    Arguments:
        r, temperature, radius, material, radius_b, material_b, n_matsubara: as for
            :func:`casimir_polder_potential`.
    Returns:
        U [J], float64, shape broadcast(r, temperature).

    Source: the scattering (Tr ln) formula of the fluctuation free energy, e.g. Lambrecht, Maia Neto &
    Reynaud, New J. Phys. 8, 243 (2006), for two point dipoles (derived here; checked in
    tests/test_nanospheres.py).
    """
    check_positive("r", r)
    check_positive("temperature", temperature)
    n_matsubara = check_int("n_matsubara", n_matsubara, minimum=1)
    spheres = _spheres(radius, material, radius_b, material_b)
    return _cp_logdet(r, temperature, *spheres, n_matsubara=n_matsubara)


@functools.partial(jax.jit, static_argnames=("n_matsubara",))
def _near_coefficient(temperature, radius_a, material_a, radius_b, material_b, n_matsubara):
    f = lambda xi: (polarizability_imag(xi, radius_a, material_a)  # noqa: E731
                    * polarizability_imag(xi, radius_b, material_b))
    return matsubara_sum(f, matsubara_frequency(1, temperature), n_matsubara)


def _static_product(radius_a, material_a, radius_b, material_b):
    zero = jnp.zeros(())
    return (polarizability_imag(zero, radius_a, material_a) * polarizability_imag(zero, radius_b, material_b))


def casimir_polder_near_field_law(r, temperature, radius, material, *, radius_b=None, material_b=None,
                                  n_matsubara: int = 64):
    """Non-retarded (r -> 0) limit of the thermal CP energy [J]:

    U -> -3 k_B T sum'_n alpha_A(i xi_n) alpha_B(i xi_n)/(8 pi^2 eps0^2 r^6)
       = -6 k_B T (R/r)^6 sum'_n alpha~(i xi_n)^2 for equal spheres.

    Arguments:
        r, temperature, radius, material, radius_b, material_b, n_matsubara: as for
            :func:`casimir_polder_potential`.
    Returns:
        U [J], float64.

    Source: Jakubec et al., Eqs. (36), (C6), corrected: the printed form loses a factor 3, counts the
    T = 0 part twice and integrates along the real instead of the imaginary axis (the r -> 0 limit of
    the Matsubara sum, derived here; checked in tests/test_nanospheres.py).
    """
    check_positive("r", r)
    check_positive("temperature", temperature)
    n_matsubara = check_int("n_matsubara", n_matsubara, minimum=1)
    spheres = _spheres(radius, material, radius_b, material_b)
    coeff = _near_coefficient(temperature, *spheres, n_matsubara=n_matsubara)
    r = jnp.asarray(r, jnp.float64)
    return -3.0 * k_B * jnp.asarray(temperature, jnp.float64) * coeff / (8.0 * jnp.pi**2 * eps0**2 * r**6)


def casimir_polder_retarded_law(r, radius, material, *, radius_b=None, material_b=None):
    """Retarded zero-temperature Casimir–Polder law U [J]:

    U = -23 hbar c alpha_A(0) alpha_B(0)/(64 pi^3 eps0^2 r^7) = -(23/4)(hbar c/(pi r))(R/r)^6 alpha~(0)^2.
    Valid for c/omega_IR << r << lambda_T (for silica at 300 K this window does not exist).

    Arguments:
        r: centre-to-centre distance [m] (> 0).
        radius, material, radius_b, material_b: the spheres, as for :func:`casimir_polder_potential`.
    Returns:
        U [J], float64.

    Source: Jakubec et al., Eqs. (37), (C3) (correct as printed); Casimir & Polder, Phys. Rev. 73,
    360 (1948).
    """
    check_positive("r", r)
    spheres = _spheres(radius, material, radius_b, material_b)
    r = jnp.asarray(r, jnp.float64)
    return -23.0 * hbar * c * _static_product(*spheres) / (64.0 * jnp.pi**3 * eps0**2 * r**7)


def casimir_polder_far_field_law(r, temperature, radius, material, *, radius_b=None, material_b=None):
    """Thermal (r >> lambda_T) limit of the CP energy U [J]:

    U = -3 k_B T alpha_A(0) alpha_B(0)/(16 pi^2 eps0^2 r^6) = -3 k_B T (R/r)^6 alpha~(0)^2 (equal spheres).

    Arguments:
        r: centre-to-centre distance [m] (> 0).
        temperature: T [K] (>= 0).
        radius, material, radius_b, material_b: the spheres, as for :func:`casimir_polder_potential`.
    Returns:
        U [J], float64.

    Source: Jakubec et al., Eqs. (38), (C4), corrected: the printed law is a factor 2 too large (the
    n = 0 Matsubara term carries weight 1/2); checked in tests/test_nanospheres.py.
    """
    check_positive("r", r)
    check_nonnegative("temperature", temperature)
    spheres = _spheres(radius, material, radius_b, material_b)
    r = jnp.asarray(r, jnp.float64)
    return (-3.0 * k_B * jnp.asarray(temperature, jnp.float64) * _static_product(*spheres)
            / (16.0 * jnp.pi**2 * eps0**2 * r**6))
