"""Driver of the zero-frequency plane-wave route: which closed-form (or tabulated) l-sum terms describe each
body at xi = 0, and the call of the plane-wave kernels of :mod:`jaxem.casimir.static_planewave`.

Each material is reduced to a tuple of basis terms (name, 2x2 polarisation coefficient, parameter): Drude and
perfectly conducting spheres to the Dirichlet-type sums, dielectric spheres to the rational l-dependence of their
static Mie coefficients, plasma and bi-isotropic spheres to exactly tabulated sums; plates to their static
reflection matrix.  Bi-isotropic bodies that share one off-diagonal phase are made real by a similarity
transform (real LU, 4x fewer flops).

Used by :mod:`jaxem.casimir.zero_frequency` (the plane-wave route of the n = 0 term, engine
:class:`jaxem.StaticPlaneWave`).

Source: T. Schoger, "Optical and dispersion forces experienced by spherical objects", Dissertation, Universität
Augsburg (2024), Sec. 9.1 (plane-wave round trip at xi = 0, Eqs. (9.4)-(9.7), from the low-frequency amplitudes
(4.59)-(4.60)) and Sec. 4.3 (static reflection X(l) of isotropic, PEMC and bi-isotropic spheres, Eqs.
(4.51)-(4.57); corrected: the bracket of (4.53) and the factor (2l+1)/(l+1) of the mixing entries (4.54), as
in :mod:`jaxem.mie.static`).  The decomposition into basis sums and the real similarity transform are derived
here; checked in tests/test_casimir_ht_planewave.py.
"""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from jaxem._checks import check_finite, check_int, check_positive, is_concrete
from jaxem._memory import autodiff_orders, check_memory
from jaxem.geometry import is_plane
from jaxem.casimir.multipole import _has_te
from jaxem.mie.static import _CONDUCTING, _MIXING, DIRICHLET_KIND, _bi_isotropic_x, _kind
from jaxem.mie.static import _permittivity_ratio, _static_mu
from jaxem.mie.plates import static_plane_reflection


def _diag(c):
    """The 2x2 projector on polarisation channel c (0 = TM, 1 = TE)."""
    return jnp.array([[1.0, 0.0], [0.0, 0.0]]) if c == 0 else jnp.array([[0.0, 0.0], [0.0, 1.0]])


def _rational_term(ratio, channel):
    """X = q (e-1)/(q e+1) = c l/(l+a), c = (e-1)/(e+1), a = 1/(e+1): ('rat', c * diag, a)."""
    ratio = jnp.asarray(ratio, dtype=jnp.float64)
    return "rat", (ratio - 1.0) / (ratio + 1.0) * _diag(channel), 1.0 / (ratio + 1.0)


def _planewave_terms(material, medium):
    """Sphere X(l) = sum_b C_b f_b(l) as (names, coeffs, params); None if not expressible."""
    kind = _kind(material)
    if kind == DIRICHLET_KIND:
        return ("dir",), (_diag(0),), (None,)
    if kind == "pemc":
        if medium is not None and _kind(medium) in _CONDUCTING:
            raise ValueError("medium: a PEMC sphere in a conducting medium is not supported")
        th = jnp.asarray(material.theta, dtype=jnp.float64)
        c, s = jnp.cos(th), jnp.sin(th)
        c_dv = jnp.stack([jnp.stack([c * c, -s * c]), jnp.stack([-s * c, s * s])])
        c_de = jnp.stack([jnp.stack([s * s, s * c]), jnp.stack([s * c, c * c])])
        return ("dv", "de"), (c_dv, c_de), (None, None)
    if kind == "bi_isotropic":
        # the four entries X_pq(l) (complex, rational in l/(l+1)) as tabulated sums, filled in by
        # _planewave_run (_fill_tabulated_terms) once the static table size is known
        return ("biiso",), (None,), (None,)
    if kind == "plasma":
        # TM: perfect reflector at xi = 0 ('dv'; also in an electrolyte, whose 1/xi permittivity the
        # plasma's 1/xi^2 dominates: _permittivity_ratio 'inf'); TE: the tabulated 'plasma' sum
        # (independent of the medium: mu = 1, n x -> omega_p R / c, as _x_te), whose static size
        # (chi_cap) and parameter w = omega_p R / c are filled in by _planewave_run
        return ("dv", "plasma"), (_diag(0), _diag(1)), (None, None)
    names, coeffs, params = [], [], []
    ratio, how = _permittivity_ratio(material, medium)
    if how == "inf":
        names.append("dv"), coeffs.append(_diag(0)), params.append(None)
    elif how == "zero":
        names.append("de"), coeffs.append(_diag(0)), params.append(None)
    else:
        n, cf, a = _rational_term(ratio, 0)
        names.append(n), coeffs.append(cf), params.append(a)
    if kind == "perfect_conductor":
        names.append("de"), coeffs.append(_diag(1)), params.append(None)
    elif kind != "drude" and _has_te(material, medium):
        mu_m = jnp.asarray(1.0) if medium is None else _static_mu(medium)
        n, cf, a = _rational_term(_static_mu(material) / mu_m, 1)
        names.append(n), coeffs.append(cf), params.append(a)
    return tuple(names), tuple(coeffs), tuple(params)


def _planewave_plane(material, medium):
    """(2x2 Fresnel matrix, plasma omega_p or None, channels it reflects); None if unsupported."""
    kind = _kind(material)
    if kind == "plasma":
        if medium is not None and _kind(medium) in _CONDUCTING:
            return None
        return jnp.array([[1.0, 0.0], [0.0, -1.0]]), material.omega_p, (0, 1)
    rp = static_plane_reflection(material, medium=medium)
    if kind == DIRICHLET_KIND:
        chans = (0,)
    elif kind in ("pemc", "perfect_conductor"):
        chans = (0, 1)
    elif kind == "drude" or not _has_te(material, medium):
        chans = (0,)
    else:
        chans = (0, 1)
    return rp, None, chans


def _planewave_supported(material1, material2, medium, plane):
    """Static: can the plane-wave route describe these bodies (not: a plasma plane or a PEMC sphere in a
    conducting medium)?"""
    try:
        t1 = _planewave_terms(material1, medium)
        t2 = _planewave_plane(material2, medium) if plane else _planewave_terms(material2, medium)
    except ValueError:
        return False
    return t1 is not None and t2 is not None


#: copies of the m-block stack alive at once in one evaluation (kernels, products, factorisation), and of the
#: pair grid N(N+1)/2 x (M//2 + 1) (arguments, exponent); a 'rat' basis sum (dielectric sphere) materialises its
#: graded quadrature (_RAT_PANELS x _RAT_NODES values per grid point), about 2.2 such arrays per derivative order
#: (measured with XLA's memory plan, see static_planewave_memory_bytes)
_STACK_COPIES, _GRID_COPIES, _RAT_COPIES = 6, 2, 2.2


def static_planewave_memory_bytes(N, M, names, n_channels, *, mixing=False, order=0, reverse=False, n_points=1):
    """Estimated peak memory [bytes] of the zero-frequency plane-wave route (analytic, before tracing).

    One evaluation holds about 6 m-block stacks ((M//2 + 1) blocks of N x N per channel; one stack of 2N x 2N
    complex blocks when polarisations mix) and 2 arrays of the pair grid N(N+1)/2 x (M//2 + 1); each forward-mode
    order (or reverse mode) doubles that and materialises the graded quadrature of every 'rat' basis sum
    (dielectric spheres: 140 nodes per grid point, about 2.2 arrays).  ``n_points`` distances evaluated together
    (vmapped) multiply the stacks.

    Arguments:
        N, M: k-nodes and azimuths; names: the basis sums of both bodies (e.g. ("rat", "rat")).
        n_channels: polarisation channels (1 or 2); mixing: 2N x 2N complex blocks.
        order: forward-mode derivative order; reverse: reverse-mode autodiff; n_points: distances per batch.
    Returns:
        int bytes (checked against XLA's memory plan in tests/test_size_guards.py).

    Source: no formula (array sizes x bytes, copy counts measured with jax 0.9.2 on CPU).
    """
    from jaxem.casimir import static_planewave as spw

    half = M // 2 + 1
    grid = N * (N + 1) // 2 * half * 8
    stack = half * (2 * N) ** 2 * 16 if mixing else half * N * N * 8 * max(int(n_channels), 1)
    k = int(order) + int(bool(reverse))
    n_rat = sum(1 for n in names if n == "rat")
    quad = (len(spw._RAT_PANELS) - 1) * spw._RAT_NODES
    energy = _STACK_COPIES * stack * max(int(n_points), 1) + _GRID_COPIES * grid
    return int((k + 1) * energy + k * n_rat * _RAT_COPIES * quad * grid)


def _planewave_run(L, R1, R2, material1, material2, medium, n_k, n_phi, eta, r_max, ells=None, batch_size=None,
                   memory_limit=None):
    """Validate, build the static description and run
    :func:`jaxem.casimir.static_planewave.planewave_ht_core` (or ``planewave_ht_distances_core`` for ells):
    sum_m w_m log det(1 - M^(m)) = 2 F_0/(k_B T), or the traces for r_max > 0."""
    from jaxem.casimir.static_planewave import ht_planewave_truncation, planewave_ht_core
    from jaxem.constants import c as c_light

    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    check_finite("eta", eta)
    kind1, kind2 = _kind(material1), _kind(material2)
    if (kind1 == DIRICHLET_KIND) != (kind2 == DIRICHLET_KIND):
        raise ValueError("material1, material2: Dirichlet must be used for both objects")
    # a traced R2 is a sphere radius (a plane is R2 = inf, a concrete number)
    plane = is_plane(R2)
    t1 = _planewave_terms(material1, medium)
    if t1 is None:
        raise ValueError(f"material1: {kind1!r} spheres are not supported by the plane-wave route "
                         "(use method='multipole')")
    if plane:
        t2 = _planewave_plane(material2, medium)
    else:
        t2 = _planewave_terms(material2, medium)
    if t2 is None:
        raise ValueError(f"material2: {kind2!r} is not supported by the plane-wave route "
                         "(use method='multipole')")
    if n_k is None or n_phi is None:
        if not is_concrete((L, R1, R2)):
            raise ValueError("n_k, n_phi must be given (static ints) when L, R1, R2 are traced; "
                             "use ht_planewave_truncation on the concrete sweep range")
        N, M = ht_planewave_truncation(L, R1, R2, eta)
        N = N if n_k is None else n_k
        M = M if n_phi is None else n_phi
    else:
        N, M = n_k, n_phi
    N = check_int("n_k", N, minimum=1)
    M = check_int("n_phi", M, minimum=1)
    M += 1 - M % 2
    # bi-isotropic 2x2 matrices at xi = 0 are Hermitian with real diagonals and an l-independent
    # off-diagonal phase (chirality: pi/2, Tellegen and PEMC: 0).  When all bodies share that phase
    # (mod pi), the similarity diag(1, e^{i phi}) in polarisation space makes the round trip real:
    # real LU, 4x fewer flops than complex.  Different phases or traced parameters: complex.
    realify = _realify_mode(material1, material2, medium)
    tabulated = ("plasma", "biiso")
    if any(n in t1[0] for n in tabulated) or (not plane and any(n in t2[0] for n in tabulated)):
        t1, t2 = _fill_tabulated_terms(t1, t2, material1, material2, medium, L, R1, R2, plane, M, realify)
    if realify is not None and plane:
        t2 = (_realified(jnp.asarray(t2[0]), realify),) + tuple(t2[1:])
    L = jnp.asarray(L, dtype=jnp.float64)
    rho1 = jnp.asarray(R1, dtype=jnp.float64) / L
    names1, coeffs1, params1 = t1
    mixing = kind1 in _MIXING or kind2 in _MIXING
    zeros = jnp.zeros((2, 2))
    if plane:
        rp, omega_p, chans2 = t2
        names2, coeffs2, params2 = (), (), ()
        rho2 = jnp.zeros(())
        plasma = omega_p is not None
        plasma_w = (omega_p * L / c_light) if plasma else jnp.zeros(())
    else:
        names2, coeffs2, params2 = t2
        rho2 = jnp.asarray(R2, dtype=jnp.float64) / L
        rp, plasma, plasma_w = zeros, False, jnp.zeros(())
        chans2 = tuple(c for c in (0, 1) if any(_channel_of(n, cf, c) for n, cf in zip(names2, coeffs2)))
    chans1 = tuple(c for c in (0, 1) if any(_channel_of(n, cf, c) for n, cf in zip(names1, coeffs1)))
    channels = tuple(c for c in (0, 1) if c in chans1 and c in chans2) if not mixing else (0, 1)
    if not channels and ells is None:
        return jnp.zeros(()) if r_max == 0 else jnp.zeros((r_max,))
    order, reverse = autodiff_orders(L, rho1, rho2, ells)
    names = tuple(n if isinstance(n, str) else n[0] for n in names1 + names2)
    # "auto" batches fit 1/8 of the device's memory by construction (jaxem._batching): count one point
    n_points = batch_size if isinstance(batch_size, int) else 1
    check_memory("radius", static_planewave_memory_bytes(N, M, names, len(channels), mixing=mixing, order=order,
                                                         reverse=reverse, n_points=n_points),
                 what=f"zero-frequency plane-wave route, N = {N}, M = {M}, basis {names}"
                      f"{f', derivative order {order}' if order else ''}{', reverse mode' if reverse else ''}",
                 way_out="a lower eta (e.g. ZeroFrequency(eta=6)); fixed smaller sizes (StaticPlaneWave(n_k=..., "
                         "n_phi=...)); a smaller batch_size; or a higher memory_limit", limit=memory_limit)
    params1 = tuple(jnp.zeros(()) if p is None else p for p in params1)
    params2 = tuple(jnp.zeros(()) if p is None else p for p in params2)
    rp = jnp.asarray(rp)
    rp = rp.astype(jnp.complex128 if jnp.iscomplexobj(rp) else jnp.float64)    # bi-isotropic plane: complex
    if ells is not None:   # distances ells * L sharing the kernels built at L (zero_frequency_distances)
        from jaxem.casimir.static_planewave import planewave_ht_distances_core

        if not channels:
            return jnp.zeros(jnp.shape(ells))
        return planewave_ht_distances_core(rho1, rho2, ells, coeffs1, params1, coeffs2, params2,
                                           rp, jnp.asarray(plasma_w, jnp.float64), N=N,
                                           M=M, names1=names1, names2=names2, channels=channels, mixing=mixing,
                                           plasma_plane=plasma, batch_size=batch_size)
    return planewave_ht_core(rho1, rho2, coeffs1, params1, coeffs2, params2, rp,
                             jnp.asarray(plasma_w, jnp.float64), N=N, M=M, names1=names1, names2=names2,
                             channels=channels, mixing=mixing, plasma_plane=plasma, r_max=r_max)


def _offdiagonal_phase(material, medium):
    """Static phase phi (mod pi) of the off-diagonal entries of a body's 2x2 matrix at xi = 0: None if
    diagonal; 'complex' if unknown (traced parameters).  Bi-isotropic X(l) has X_10 = conj(X_01)
    with an l-independent phase (chirality: pi/2, Tellegen: 0, both: in between); PEMC: 0."""
    kind = _kind(material)
    if kind == "pemc":
        return 0.0
    if kind != "bi_isotropic":
        return None
    X = _bi_isotropic_x(jnp.asarray([0.5]), material, medium)
    if not is_concrete(X):                 # traced material or medium parameters
        return "complex"
    x01 = complex(np.asarray(X)[0, 0, 1])
    if abs(x01) == 0.0:
        return None
    return float(np.angle(x01) % np.pi)


def _realify_mode(material1, material2, medium):
    """Phase phi of the similarity diag(1, e^{i phi}) that makes every body's 2x2 matrix real (see
    _planewave_run), or None (no bi-isotropic body, or no common phase: complex round trip)."""
    if "bi_isotropic" not in (_kind(material1), _kind(material2)):
        return None
    phases = [p for p in (_offdiagonal_phase(material1, medium), _offdiagonal_phase(material2, medium))
              if p is not None]
    if not phases:
        return 0.0
    if "complex" in phases:
        return None
    d = abs(phases[0] - phases[-1]) % np.pi
    return phases[0] if min(d, np.pi - d) <= 1e-12 else None


def _realified(X, phi):
    """diag(1, e^{i phi}) X diag(1, e^{-i phi}) of (..., 2, 2) matrices, real part (the imaginary part
    vanishes for the phase of _realify_mode)."""
    e = np.exp(1j * phi)
    return jnp.real(X * jnp.array([[1.0, np.conj(e)], [e, 1.0]]))


def _plasma_chi_cap(L, R1, R2, plane, n_phi):
    """Static bound chi_cap of the plane-wave kernel argument that matters (tabulated sums' range).

    chi = 2 rho sqrt(k_i k_j) cos(phi/2) <= rho (k_i + k_j) and the kernel weight is
    exp(chi - (k_i + k_j)(rho + s)) <= e^{-(k_i + k_j) s}: beyond chi_cap = 50 rho / s it is < e^{-50}
    (s = 1 sphere--plane, 1/2 two spheres).  rho = max R / min L from concrete values; for traced
    lengths the bound implied by n_phi through the truncation rule with eta >= 1,
    rho <= ((n_phi - 4)/(2.2 f))^2 (f = 1.6 for two spheres).
    """
    from jaxem.casimir.static_planewave import C_M, SPHERES_M_FACTOR

    shift = 1.0 if plane else 0.5
    if is_concrete((L, R1, R2)):
        r = float(np.max(np.asarray(R1, dtype=float)))
        if not plane:
            r = max(r, float(np.max(np.asarray(R2, dtype=float))))
        rho = r / float(np.min(np.asarray(L, dtype=float)))
    else:
        f = 1.0 if plane else SPHERES_M_FACTOR
        rho = max(1.0, (max(n_phi - 4, 1) / (C_M * f)) ** 2)
    # one significant digit, rounded up: nearby geometries share the static table (one compile)
    cap = max(100.0, 50.0 * rho / shift)
    e = 10.0 ** math.floor(math.log10(cap))
    return float(math.ceil(cap / e) * e)


def _fill_tabulated_terms(t1, t2, material1, material2, medium, L, R1, R2, plane, n_phi, realify=None):
    """Replace the placeholders of the tabulated sums (static_planewave._tabulated_scaled):
    'plasma' -> ('plasma', chi_cap) with w = omega_p R_j / c; 'biiso' -> four ('tab', chi_cap)
    terms, C = E_pq and f = X_pq(l), l = 1..tabulated_l_max(chi_cap)."""
    from jaxem.casimir.static_planewave import tabulated_l_max
    from jaxem.constants import c as c_light

    cap = _plasma_chi_cap(L, R1, R2, plane, n_phi)

    def fill(t, material, R):
        names, coeffs, params = t
        out_n, out_c, out_p = [], [], []
        for n, cf, p in zip(names, coeffs, params):
            if n == "plasma":
                w = jnp.asarray(material.omega_p, dtype=jnp.float64) * jnp.asarray(R, dtype=jnp.float64) / c_light
                out_n.append(("plasma", cap)), out_c.append(cf), out_p.append(w)
            elif n == "biiso":
                l = jnp.arange(1, tabulated_l_max(cap) + 1, dtype=jnp.float64)
                X = _bi_isotropic_x(l / (l + 1.0), material, medium)              # (l, 2, 2) complex
                if realify is not None:
                    X = _realified(X, realify)
                for a in (0, 1):
                    for b in (0, 1):
                        E = jnp.zeros((2, 2)).at[a, b].set(1.0)
                        out_n.append(("tab", cap)), out_c.append(E), out_p.append(X[:, a, b])
            else:
                out_n.append(n), out_c.append(cf), out_p.append(p)
        return tuple(out_n), tuple(out_c), tuple(out_p)

    return fill(t1, material1, R1), (t2 if plane else fill(t2, material2, R2))


def _channel_of(name, coeff, c):
    """Static: does basis term (name, C_b) act on polarisation channel c (C_b[c, c] may be nonzero)?"""
    if name == "dir":
        return c == 0
    if is_concrete(coeff):
        return bool(np.asarray(coeff)[c, c] != 0)
    return True
