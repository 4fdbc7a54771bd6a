"""The zero-frequency (n = 0) Casimir round trip in the multipole basis (static multipole formula).

At xi = 0 the static reflection X(l) of a sphere (jaxem.mie.static) and the (R/L)-power translation
coefficients make the round-trip operator exact and cheap for moderate R/L:

    sphere--sphere:  M^(m) = (A ⊗ 1) X_2 (A^T ⊗ 1) X_1,
        A_{l l'} = rho_1^{l+1/2} rho_2^{l'+1/2} (l+l')! / sqrt((l-m)!(l+m)!(l'-m)!(l'+m)!),
        rho_j = R_j / (L + R_1 + R_2);
    sphere--plane:   M^(m) = (B ⊗ R_plane) X,
        B_{l l'} = (R/2(L+R))^{l+l'+1} (l+l')! / sqrt((l-m)!(l+m)!(l'-m)!(l'+m)!),

and F / (k_B T) = (1/2) sum_m log det(1 - M^(m)) (blocks m and -m are equal).  Channels that do not mix
(isotropic spheres) are symmetrised, 1 - s N N^T with N = sqrt|X_1| A sqrt|X_2|, and factorised by
Cholesky; blocks with polarisation mixing by pivoted LU (jaxem.casimir.logdet).

Source: the zero-frequency reflection elements of T. Schoger, "Optical and dispersion forces experienced
by spherical objects", Dissertation, Universität Augsburg (2024), Eqs. (9.4)-(9.7) and (11.29); the static
multipole (solid-harmonic, Hobson) translation formula above is derived here and checked against the
exact results (9.22), (9.59) in tests/test_casimir_ht.py.
"""
from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln

from jaxem._checks import check_finite, check_int, check_positive, is_concrete
from jaxem._memory import autodiff_orders, check_memory
from jaxem.casimir.logdet import log_det_one_minus, round_trip_traces
from jaxem.geometry import is_plane
from jaxem.mie.static import _CONDUCTING, _MIXING, DIRICHLET_KIND, _kind, _static_x
from jaxem.mie.plates import static_plane_reflection

__all__ = ["DEFAULT_ETA", "ht_truncation", "multipole_setup", "multipole_core", "multipole_memory_bytes"]

#: Default truncation parameter eta of l_max = eta R / L (relative error ~1e-9, see docs/accuracy.md).
DEFAULT_ETA = 10.0


# ----------------------------------------------------------------------------------------------
# translation (static multipole formula, derived here; see the module docstring)

def _log_factorial_kernel(l, lp, m):
    """log[(l+l')! / sqrt((l-m)!(l+m)!(l'-m)!(l'+m)!)] and the mask l, l' >= |m|."""
    valid = (l >= m) & (lp >= m)
    lm = jnp.where(l >= m, l - m, 0.0)
    lpm = jnp.where(lp >= m, lp - m, 0.0)
    lg = gammaln(l + lp + 1.0) - 0.5 * (gammaln(lm + 1.0) + gammaln(l + m + 1.0)
                                        + gammaln(lpm + 1.0) + gammaln(lp + m + 1.0))
    return lg, valid


def _translation_sphere_sphere(log_rho1, log_rho2, m, l1, l2, l0):
    l = jnp.arange(l0, l1 + 1, dtype=jnp.float64)[:, None]
    lp = jnp.arange(l0, l2 + 1, dtype=jnp.float64)[None, :]
    lg, valid = _log_factorial_kernel(l, lp, m)
    log_a = (l + 0.5) * log_rho1 + (lp + 0.5) * log_rho2 + lg
    return jnp.where(valid, jnp.exp(jnp.where(valid, log_a, 0.0)), 0.0)


def _translation_sphere_plane(log_z, m, l1, l0):
    l = jnp.arange(l0, l1 + 1, dtype=jnp.float64)[:, None]
    lp = l.T
    lg, valid = _log_factorial_kernel(l, lp, m)
    log_b = (l + lp + 1.0) * log_z + lg
    return jnp.where(valid, jnp.exp(jnp.where(valid, log_b, 0.0)), 0.0)


def _signed_sqrt(x):
    """(sqrt|x|, sign x) with a NaN-free derivative at x = 0."""
    zero = x == 0
    root = jnp.where(zero, 0.0, jnp.sqrt(jnp.where(zero, 1.0, jnp.abs(x))))
    return root, jnp.sign(x)


def _block_operators(m, geom, X1, X2, Rp, sizes, mode):
    """Matrix whose log det(1 - .) is the block-m contribution, and a flag 'hermitian'."""
    l1, l2, l0 = sizes
    if mode[0] == "plane":
        B = _translation_sphere_plane(geom[0], m, l1, l0)
        if mode[1] == "scalar":
            # Channel c of X (diagonal), plane coefficient Rp[c, c]: r_p s sqrt|X| B sqrt|X|.
            c = mode[2]
            root, sign = _signed_sqrt(X1[:, c, c])
            # the plane's full coefficient (not only its sign: |r_p| < 1 for a dielectric plane)
            s = sign[0] * Rp[c, c]
            return s * root[:, None] * B * root[None, :]
        # mixing: M[(a,p),(b,q)] = B_ab (Rp X_b)_pq
        RX = jnp.einsum("pr,brq->bpq", Rp, X1)
        M = jnp.einsum("ab,bpq->apbq", B, RX)
        n = M.shape[0]
        return M.reshape(2 * n, 2 * n)
    A = _translation_sphere_sphere(geom[0], geom[1], m, l1, l2, l0)
    if mode[1] == "scalar":
        c = mode[2]
        r1, s1 = _signed_sqrt(X1[:, c, c])
        r2, s2 = _signed_sqrt(X2[:, c, c])
        N = r1[:, None] * A * r2[None, :]
        s = s1[0] * s2[0]
        # det(1 - s N N^T) = det(1 - s N^T N): factorise in the smaller space (Sylvester).
        return s * (N @ N.T) if l1 <= l2 else s * (N.T @ N)
    G = jnp.einsum("ac,cpq,bc->apbq", A, X2, A)
    M = jnp.einsum("apbr,brq->apbq", G, X1)
    n = M.shape[0]
    return M.reshape(2 * n, 2 * n)


@partial(jax.jit, static_argnames=("sizes", "m_max", "modes", "r_max"))
def multipole_core(geom, X1, X2, Rp, *, sizes, m_max, modes, r_max):
    """Sum over m of the channel log dets (r_max = 0) or traces tr M^r (r_max > 0)."""
    ms = jnp.arange(m_max + 1, dtype=jnp.float64)
    weights = jnp.where(ms == 0, 1.0, 2.0)

    # scalar channels are the symmetric forms s sqrt|X| B sqrt|X| and s N N^T, 1 - K positive definite:
    # Cholesky; polarisation mixing: LU
    sym = all(mode[1] == "scalar" for mode in modes)

    def per_block(m):
        # all channels of a block share one shape: one batched LAPACK call factorises them
        Ks = jnp.stack([_block_operators(m, geom, X1, X2, Rp, sizes, mode) for mode in modes])
        if r_max == 0:
            return jnp.sum(log_det_one_minus(Ks, hermitian=sym, positive_definite=sym))
        return jnp.sum(jnp.real(round_trip_traces(Ks, r_max)), axis=0)

    vals = jax.vmap(per_block)(ms)
    if r_max == 0:
        return jnp.sum(weights * vals)
    return jnp.sum(weights[:, None] * vals, axis=0)


def ht_truncation(L, R1, R2, eta: float = DEFAULT_ETA):
    """Static truncation (l1_max, l2_max, m_max) (dimensionless ints) of the zero-frequency multipole engine.

    l_j,max = ceil(eta R_j / L) + 4 (per sphere; the plane needs none) and
    m_max = ceil(3 sqrt(eta R_eff / L)) + 4, capped by the smaller l_max: in the PFA regime only
    |m| <~ sqrt(R_eff / L) contribute (transverse wave numbers ~1/L over a lateral patch
    ~sqrt(R_eff L)); the factor 3 keeps the m-truncation error below 1e-11 (measured at R/L = 10,
    40; factor 2 gives ~1e-8).  Evaluated on concrete
    numbers (the largest over arrays), so that vmap / grad over L, R reuse one compiled kernel.

    Arguments:
        L: surface-to-surface distance [m].
        R1, R2: radii [m] (R2 = inf for a plane).
        eta: accuracy parameter (8: ~2e-7, 10: ~1e-8, 14: ~5e-11 relative).
    Returns:
        (l1_max, l2_max, m_max) Python ints (l2_max = 0 for a plane).

    Source: derived here (per-sphere rule l_max = eta R/L, as in the plane-wave code of B. Spreng et al.,
    J. Chem. Phys. 153, 024115 (2020)); errors measured against converged sums in tests/test_casimir_ht.py.
    """
    L = np.asarray(L, dtype=float)
    R1 = np.asarray(R1, dtype=float)
    R2 = np.asarray(R2, dtype=float)
    Lmin = float(np.min(L))
    r1 = float(np.max(R1))
    l1 = int(math.ceil(eta * r1 / Lmin)) + 4
    if is_plane(R2):
        m_max = int(math.ceil(3.0 * math.sqrt(eta * r1 / Lmin))) + 4
        return l1, 0, min(l1, m_max)
    r2 = float(np.max(R2))
    l2 = int(math.ceil(eta * r2 / Lmin)) + 4
    m_max = int(math.ceil(3.0 * math.sqrt(eta * (r1 * r2 / (r1 + r2)) / Lmin))) + 4
    return l1, l2, min(l1, l2, m_max)


def _has_te(material, medium):
    """Static: can the sphere/plane reflect TE at xi = 0 (else the channel is skipped)?"""
    kind = _kind(material)
    if kind in ("perfect_conductor", "plasma"):
        return True
    if kind == "drude":
        return False
    mu_s = material.mu_imaginary_frequency(0.0)
    mu_m = 1.0 if medium is None or _kind(medium) in _CONDUCTING else medium.mu_imaginary_frequency(0.0)
    if is_concrete((mu_s, mu_m)):
        return bool(np.any(np.asarray(mu_s) != np.asarray(mu_m)))
    return True


def _modes(kind1, kind2, plane, mixing, has_te=(True, True)):
    if kind1 == DIRICHLET_KIND or kind2 == DIRICHLET_KIND:
        if kind1 != kind2:
            raise ValueError("material1, material2: Dirichlet must be used for both objects")
        return ((("plane" if plane else "sphere"), "scalar", 0),)
    geo = "plane" if plane else "sphere"
    if mixing:
        return ((geo, "mixing", None),)
    modes = [(geo, "scalar", 0)]
    if all(has_te):
        modes.append((geo, "scalar", 1))
    return tuple(modes)


#: arrays of the size of the m-block stack alive at once (operators, products, factorisation), per forward-mode
#: order (measured with XLA's memory plan, see multipole_memory_bytes)
_BLOCK_COPIES = 3


def multipole_memory_bytes(l1, l2, m_max, n_modes, *, mixing=False, order=0, reverse=False):
    """Estimated peak memory [bytes] of the static multipole route (analytic, before tracing).

    Every m-block (m = 0..m_max) of every channel is built and factorised at once (vmapped): about
    ``_BLOCK_COPIES`` = 3 stacks of (m_max + 1) n_modes blocks of l x l entries (l = max(l1, l2); 2l and
    complex when polarisations mix), times (order + 1) for forward-mode derivatives and + 1 for reverse mode.

    Arguments:
        l1, l2: multipole truncations (l2 = 0 for a plane); m_max: largest |m|; n_modes: channels.
        mixing: polarisation mixing (2l x 2l complex blocks).
        order: forward-mode derivative order; reverse: reverse-mode autodiff.
    Returns:
        int bytes (checked against XLA's memory plan in tests/test_size_guards.py).

    Source: no formula (array sizes x bytes).
    """
    size = max(int(l1), int(l2)) * (2 if mixing else 1)
    per = (int(m_max) + 1) * int(n_modes) * size * size * (16 if mixing else 8)
    return int(_BLOCK_COPIES * per * (int(order) + 1 + int(bool(reverse))))


def multipole_setup(L, R1, R2, material1, material2, medium, l_max, m_max, eta, memory_limit=None):
    """Validated inputs of :func:`multipole_core`: (geom, X1, X2, Rp, sizes, m_max, modes); ValueError before
    tracing when :func:`multipole_memory_bytes` exceeds the memory limit."""
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    check_finite("eta", eta)
    kind1, kind2 = _kind(material1), _kind(material2)
    plane = is_plane(R2)
    if l_max is None:
        if not is_concrete((L, R1, R2)):
            raise ValueError("l_max must be given (static int or (l1, l2)) when L, R1, R2 are traced; "
                             "use ht_truncation on the concrete sweep range")
        l1, l2, mm = ht_truncation(L, R1, R2, eta)
    else:
        if isinstance(l_max, tuple):
            l1, l2 = (check_int("l_max", v, minimum=0) for v in l_max)
            l1 = max(l1, 1)
        else:
            l1 = l2 = check_int("l_max", l_max, minimum=1)
        if plane:
            l2 = 0
        mm = min(l1, l2) if not plane else l1
        if m_max is None and is_concrete((L, R1, R2)):
            mm = min(mm, ht_truncation(L, R1, R2, eta)[2])
    if m_max is not None:
        mm = check_int("m_max", m_max, minimum=0)
    mixing = kind1 in _MIXING or (kind2 in _MIXING)
    l0 = 0 if kind1 == DIRICHLET_KIND else 1
    if kind1 == DIRICHLET_KIND:
        mm = min(mm, l1 if plane else min(l1, l2))
    has_te = (True, True) if (mixing or kind1 == DIRICHLET_KIND) else (
        _has_te(material1, medium), _has_te(material2, medium))
    modes = _modes(kind1, kind2, plane, mixing, has_te)
    order, reverse = autodiff_orders(L, R1, R2)
    check_memory("radius", multipole_memory_bytes(l1, l2, mm, len(modes), mixing=mixing, order=order,
                                                  reverse=reverse),
                 what=f"static multipole route, l_max = {max(l1, l2)}, m_max = {mm}, {len(modes)} channels"
                      f"{f', derivative order {order}' if order else ''}{', reverse mode' if reverse else ''}",
                 way_out="the plane-wave route (engine=jaxem.StaticPlaneWave(), or ZeroFrequency(), which picks it "
                         "from R/L = 5); a lower eta; or a higher memory_limit", limit=memory_limit)
    L = jnp.asarray(L, dtype=jnp.float64)
    R1 = jnp.asarray(R1, dtype=jnp.float64)
    X1 = _static_x(material1, l1, medium, R1, l_min=l0)
    if plane:
        Rp = static_plane_reflection(material2, medium=medium)
        X2 = jnp.zeros((1, 2, 2), dtype=X1.dtype)
        log_z = jnp.log(R1) - jnp.log(2.0 * (L + R1))
        geom = (log_z, log_z)
        sizes = (l1, 0, l0)
    else:
        R2 = jnp.asarray(R2, dtype=jnp.float64)
        X2 = _static_x(material2, l2, medium, R2, l_min=l0)
        Rp = jnp.zeros((2, 2))
        cL = L + R1 + R2
        geom = (jnp.log(R1) - jnp.log(cL), jnp.log(R2) - jnp.log(cL))
        sizes = (l1, l2, l0)
    if mixing:
        dtype = jnp.result_type(X1.dtype, X2.dtype, Rp.dtype)
        X1, X2, Rp = X1.astype(dtype), X2.astype(dtype), Rp.astype(dtype)
    return geom, X1, X2, Rp, sizes, mm, modes
