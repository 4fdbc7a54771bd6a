"""log det(1 - M) and round-trip traces tr M^r of a round-trip operator (casimir-spheres.md §2.1, §2.3).

The free energy of a Matsubara term is tr log(1 - M) = log det(1 - M) (casimir-spheres.md §2.1,
Eq. 8.2); its Mercator expansion -sum_r tr M^r / r counts round trips.  This module is the one
home of that log det for the whole package.

Three numerical routes, chosen per matrix at run time:

* the trace (Mercator) series -sum_{r<=R} tr M^r / r when ||M||_F < ``SERIES_THRESHOLD``: at large
  separations det(1 - M) = 1 - O(||M||), and a factorisation of 1 - M would lose every digit of
  the tiny log det to rounding (absolute error ~ N eps); the series keeps full relative precision;
* Cholesky of 1 - M when the caller declares 1 - M Hermitian (the symmetrised round-trip operator,
  e.g. 1 - N N^T of casimir-spheres.md §2.5): half the flops of LU; if the factorisation fails
  (1 - M not positive definite) the LU route is taken instead;
* LU (``slogdet``) otherwise.

All functions are pure, jittable, vmappable and differentiable (grad, jacfwd twice); leading batch
axes of ``M`` are allowed and mapped over.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = ["log_det_one_minus", "round_trip_traces", "SERIES_THRESHOLD", "SERIES_ORDER"]

#: Frobenius norm of M below which the trace series replaces the factorisation.
SERIES_THRESHOLD = 0.05
#: Number of round trips kept in the series: 0.05**13 / 13 ~ 1e-18, below double-precision
#: relative accuracy of log det(1 - M) ~ -tr M.
SERIES_ORDER = 12


def _check_square(M):
    shape = jnp.shape(M)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ValueError(f"M must be a square matrix (shape (..., N, N)), got shape {shape}")


def _matrix_powers(M, k_max: int):
    """[M, M^2, ..., M^k_max] (k_max static, unrolled: k_max is small)."""
    powers = [M]
    for _ in range(k_max - 1):
        powers.append(powers[-1] @ M)
    return powers


def _traces(M, r_max: int):
    # tr M^r = sum_ij (M^a)_ij (M^b)_ji with a + b = r: only powers up to ceil(r_max/2) are
    # needed, so r_max traces cost ceil(r_max/2) - 1 matrix products instead of r_max - 1.
    half = (r_max + 1) // 2
    powers = _matrix_powers(M, half)
    out = []
    for r in range(1, r_max + 1):
        a = (r + 1) // 2
        b = r - a
        if b == 0:
            out.append(jnp.trace(powers[a - 1]))
        else:
            out.append(jnp.sum(powers[a - 1] * powers[b - 1].T))
    return jnp.stack(out)


def round_trip_traces(M, r_max: int):
    """Round-trip traces tr M^r for r = 1..r_max (r = number of round trips).

    Arguments:
        M: round-trip operator, shape (..., N, N), real or complex (dimensionless).
        r_max: number of round trips (static Python int >= 1).
    Returns:
        array of shape (..., r_max), entry r-1 = tr M^r, dtype of M.
    Implements the round-trip expansion of casimir-spheres.md §2.1 (Eq. 8.2) and §2.3 (Eq. 8.10).
    """
    from jaxem._checks import check_int

    r_max = check_int("r_max", r_max, minimum=1)
    M = jnp.asarray(M)
    _check_square(M)
    if not jnp.issubdtype(M.dtype, jnp.inexact):
        M = M.astype(jnp.float64)
    fn = lambda A: _traces(A, r_max)  # noqa: E731
    for _ in range(M.ndim - 2):
        fn = jax.vmap(fn)
    return fn(M)


def _series_log_det(M):
    """-Re sum_{r<=SERIES_ORDER} tr M^r / r (Mercator series of log det(1 - M))."""
    tr = _traces(M, SERIES_ORDER)
    r = jnp.arange(1, SERIES_ORDER + 1, dtype=jnp.float64)
    return -jnp.sum(jnp.real(tr) / r)


@jax.custom_jvp
def _log_det_hpd(A):
    """log|det A| for Hermitian A: Cholesky, LU where Cholesky fails (A not positive definite)."""
    L = jnp.linalg.cholesky(A)
    diag = jnp.real(jnp.diagonal(L))
    ok = jnp.all(jnp.isfinite(diag)) & jnp.all(diag > 0)
    chol = 2.0 * jnp.sum(jnp.log(jnp.where(ok, diag, 1.0)))
    return jax.lax.cond(ok, lambda: chol, lambda: jnp.linalg.slogdet(A)[1])


@_log_det_hpd.defjvp
def _log_det_hpd_jvp(primals, tangents):
    # d log det A = Re tr(A^{-1} dA).  The tangent uses only LU (inv), never the Cholesky factor,
    # so a failed factorisation elsewhere in a vmapped batch cannot leak NaN into derivatives,
    # and the rule is itself differentiable (Hessians via jacfwd / jax.hessian).
    (A,), (dA,) = primals, tangents
    A_inv = jnp.linalg.inv(A)
    return _log_det_hpd(A), jnp.real(jnp.sum(A_inv.T * dA))


def _log_det_one_minus_single(M, hermitian: bool):
    n = M.shape[-1]
    eye = jnp.eye(n, dtype=M.dtype)
    # Squared norm (no sqrt: its derivative is singular at M = 0).
    norm2 = jnp.sum(jnp.real(M * jnp.conj(M)))
    small = norm2 < SERIES_THRESHOLD**2
    # Double-where: each route only ever sees matrices where it is well conditioned, so the
    # unselected route cannot produce inf/NaN that would poison the gradient.
    M_series = jnp.where(small, M, jnp.zeros_like(M))
    M_dense = jnp.where(small, jnp.zeros_like(M), M)
    A = eye - M_dense
    if hermitian:
        dense = _log_det_hpd(A)
    else:
        dense = jnp.linalg.slogdet(A)[1]
    series = _series_log_det(M_series)
    return jnp.where(small, series, dense)


def log_det_one_minus(M, *, hermitian: bool = False):
    """Real log det(1 - M) of a round-trip operator M (the Matsubara-term free energy / k_B T, x 1 or 1/2).

    For Casimir round-trip operators the spectrum of M lies in [0, 1) (or, with polarisation mixing,
    inside the unit disc), so det(1 - M) > 0 and this is log det(1 - M); for a general matrix it is
    log|det(1 - M)| (the real part of tr log(1 - M)).

    Arguments:
        M: shape (..., N, N), real or complex, dimensionless; leading axes are batch axes.
        hermitian: static flag; True declares 1 - M Hermitian (symmetric if real), e.g. the
            symmetrised sphere--sphere operator N N^T of casimir-spheres.md §2.5.  Cholesky is then
            used (LU fallback if 1 - M is not positive definite).  Only the lower triangle is read
            by the Cholesky route, so pass a truly Hermitian matrix.
    Returns:
        float64 array of shape M.shape[:-2].
    Numerics: trace series -sum_{r=1}^{12} tr M^r / r when ||M||_F < 0.05 (full relative precision
    for tiny log det), Cholesky / LU otherwise.  Implements casimir-spheres.md §2.1 (Eqs. 2.25, 8.2).
    """
    M = jnp.asarray(M)
    _check_square(M)
    if not jnp.issubdtype(M.dtype, jnp.inexact):
        M = M.astype(jnp.float64)
    hermitian = bool(hermitian)
    fn = lambda A: _log_det_one_minus_single(A, hermitian)  # noqa: E731
    for _ in range(M.ndim - 2):
        fn = jax.vmap(fn)
    return fn(M)
