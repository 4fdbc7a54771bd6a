"""log det(1 - M) and round-trip traces tr M^r of a round-trip operator.

The free energy of a Matsubara term is tr log(1 - M) = log det(1 - M) (T. Schoger, "Optical and
dispersion forces experienced by spherical objects", Dissertation, Universität Augsburg (2024),
Eqs. (2.25), (8.1)-(8.2)); its Mercator expansion -sum_r tr M^r / r counts round trips.  This module is the one
home of that log det for the whole package.

Two numerical routes:

* Cholesky of 1 - M when the caller declares 1 - M Hermitian (the symmetrised round-trip operator,
  e.g. 1 - N N^T of the static multipole engine, jaxem.casimir.multipole): half the flops of LU; only if the factorisation fails
  (1 - M not positive definite) is an LU computed as well (unless the caller promises positive
  definiteness, then NaN);
* pivoted LU otherwise;
* :func:`log_det_one_minus_lu_fast` for many small blocks (the batched plane-wave engine): the log of the
  LU pivots, with the two-term trace series below ||K||_F^2 = 1e-8 where the pivots lose relative
  precision.

* :func:`log_det_one_minus_gap` for the plane-wave round trip K = E B E of a gap s (E = diag(e^{-kappa s})): the
  value as above, and its derivatives in s in closed form from one LU and one solve (no derivative of the
  factorisation), which makes a force gradient cost about what a force costs.

At large separations det(1 - M) = 1 - O(||M||) and log det ~ -tr M is tiny: the log of a pivot
computed as 1 - (something) would lose every digit to rounding (absolute error ~ N eps).  Each
pivot's distance from 1 is therefore accumulated directly from M and the strictly triangular
factors, and the log taken with log1p: full relative precision at no extra cost (the reference C
code's trace-series fallback is not needed).

All functions are pure, jittable, vmappable and differentiable (grad, jacfwd twice); leading batch
axes of ``M`` are allowed and mapped over.
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

__all__ = ["log_det_one_minus", "log_det_one_minus_lu_fast", "log_det_one_minus_gap", "round_trip_traces"]


def _check_square(M):
    from jaxem._checks import require_x64

    require_x64()
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
    """Round-trip traces tr M^r (dimensionless) for r = 1..r_max (r = number of round trips).

    Arguments:
        M: round-trip operator, shape (..., N, N), real or complex (dimensionless).
        r_max: number of round trips (static Python int >= 1).
    Returns:
        array of shape (..., r_max), entry r-1 = tr M^r, dtype of M.

    Source: the round-trip expansion of Schoger, Dissertation (Augsburg 2024), Eqs. (8.2), (8.10).
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


def _log_abs_one_minus(eps):
    """log|1 - eps| with full relative precision for small |eps| (real or complex eps)."""
    er, ei = jnp.real(eps), jnp.imag(eps)
    small = (er * er + ei * ei) < 0.25
    x = jnp.where(small, -2.0 * er + er * er + ei * ei, 0.0)
    big = jnp.where(small, 1.0, (1.0 - er) ** 2 + ei * ei)
    return jnp.where(small, 0.5 * jnp.log1p(x), 0.5 * jnp.log(big))


def _cholesky_value(K):
    """log det(1 - K) by Cholesky; ok = factorisation succeeded (1 - K positive definite).

    1 - L_ii^2 = K_ii + sum_{j<i} |L_ij|^2 is formed from K and the strictly lower triangle instead
    of from L_ii, so that the pivots' distance from 1 -- the whole log det when K is tiny -- keeps
    full relative precision (no trace series needed).
    """
    n = K.shape[-1]
    return _cholesky_value_from(K, jnp.linalg.cholesky(jnp.eye(n, dtype=K.dtype) - K))


def _cholesky_value_from(K, L):
    """(log det(1 - K), ok) from the lower Cholesky factor L of 1 - K."""
    d = jnp.real(jnp.diagonal(L))
    ok = jnp.all(jnp.isfinite(d)) & jnp.all(d > 0)
    off = jnp.tril(L, -1)
    eps = jnp.real(jnp.diagonal(K)) + jnp.sum(jnp.real(off * jnp.conj(off)), axis=-1)
    return jnp.sum(_log_abs_one_minus(eps)), ok


def _lu_value_from(K, lu, perm):
    """log|det(1 - K)| from the pivoted LU factors of 1 - K (lax.linalg.lu: (1 - K)[perm] = L U).

    1 - U_ii = [perm_i != i] + K[perm_i, i] + sum_{k<i} L_ik U_ki: the pivots' distance from 1 is formed
    from K and the strict triangles, without the cancellation of 1 - U_ii.
    """
    n = K.shape[-1]
    i = jnp.arange(n)
    below = i[None, :] < i[:, None]            # (i, k): k < i; one fused masked pass, no triangles copied
    eps = (perm != i).astype(K.dtype) + K[perm, i] + jnp.sum(jnp.where(below, lu * lu.T, 0.0), axis=-1)
    return jnp.sum(_log_abs_one_minus(eps))


def _lu_value(K):
    """log|det(1 - K)| by pivoted LU (permutation kept as an index vector: no n x n P matrix)."""
    n = K.shape[-1]
    lu, _, perm = jax.lax.linalg.lu(jnp.eye(n, dtype=K.dtype) - K)
    return _lu_value_from(K, lu, perm)


def _tangent(K, dK):
    # d log|det(1 - K)| = -Re tr((1 - K)^{-1} dK); inv (LU) only, never the Cholesky factor, so a
    # failed factorisation elsewhere in a vmapped batch cannot leak NaN into derivatives, and the
    # rule is itself differentiable (Hessians via jacfwd / jax.hessian).
    n = K.shape[-1]
    A_inv = jnp.linalg.inv(jnp.eye(n, dtype=K.dtype) - K)
    return -jnp.real(jnp.sum(A_inv.T * dK))


@partial(jax.custom_jvp, nondiff_argnums=(1,))
def _log_det_hpd(K, fallback: bool):
    """log det(1 - K) for Hermitian K: Cholesky; LU (fallback=True) or NaN where it fails."""
    val, ok = _cholesky_value(K)
    if not fallback:
        return jnp.where(ok, val, jnp.nan)
    # the LU runs only where the Cholesky factorisation failed (under vmap the cond becomes a select and
    # both run; the LU then sees the identity where Cholesky succeeded, so no NaN can leak)
    return jax.lax.cond(ok, lambda: val, lambda: _lu_value(jnp.where(ok, jnp.zeros_like(K), K)))


@_log_det_hpd.defjvp
def _log_det_hpd_jvp(fallback, primals, tangents):
    (K,), (dK,) = primals, tangents
    if fallback:
        return _log_det_hpd(K, fallback), _tangent(K, dK)
    # positive definite promised: one Cholesky factor for the value and (1 - K)^{-1}
    n = K.shape[-1]
    L = jnp.linalg.cholesky(jnp.eye(n, dtype=K.dtype) - K)
    val, ok = _cholesky_value_from(K, L)
    Li = jax.lax.linalg.triangular_solve(L, jnp.eye(n, dtype=K.dtype), left_side=True, lower=True)
    A_inv = jnp.conj(Li.T) @ Li
    return jnp.where(ok, val, jnp.nan), -jnp.real(jnp.sum(A_inv.T * dK))


@jax.custom_jvp
def _log_det_lu(K):
    return _lu_value(K)


@_log_det_lu.defjvp
def _log_det_lu_jvp(primals, tangents):
    # one factorisation for the value and the tangent: (1 - K)^{-1} from the same LU factors
    (K,), (dK,) = primals, tangents
    n = K.shape[-1]
    lu, _, perm = jax.lax.linalg.lu(jnp.eye(n, dtype=K.dtype) - K)
    A_inv = _lu_solve(lu, perm, jnp.eye(n, dtype=K.dtype))
    return _lu_value_from(K, lu, perm), -jnp.real(jnp.sum(A_inv.T * dK))


def _log_det_one_minus_single(M, hermitian: bool, positive_definite: bool):
    if hermitian:
        return _log_det_hpd(M, not positive_definite)
    return _log_det_lu(M)


def log_det_one_minus(M, *, hermitian: bool = False, positive_definite: bool = False):
    """Real log det(1 - M) of a round-trip operator M (the Matsubara-term free energy / k_B T, x 1 or 1/2).

    For Casimir round-trip operators the spectrum of M lies in [0, 1) (or, with polarisation mixing,
    inside the unit disc), so det(1 - M) > 0 and this is log det(1 - M); for a general matrix it is
    log|det(1 - M)| (the real part of tr log(1 - M)).

    Arguments:
        M: shape (..., N, N), real or complex, dimensionless; leading axes are batch axes.
        hermitian: static flag; True declares 1 - M Hermitian (symmetric if real), e.g. the
            symmetrised sphere--sphere operator N N^T of jaxem.casimir.multipole.  Cholesky is then
            used (LU fallback if 1 - M is not positive definite).  Only the lower triangle is read
            by the Cholesky route, so pass a truly Hermitian matrix.
        positive_definite: static flag (with hermitian=True); True promises that 1 - M is positive
            definite (true for symmetrised Casimir round trips, spectrum of M in [0, 1)) and skips
            the LU fallback (half the cost); a matrix that is not gives NaN.
    Returns:
        float64 array of shape M.shape[:-2].

    Numerics: Cholesky / pivoted LU with each pivot's distance from 1 accumulated directly from M
    (full relative precision also when log det ~ -tr M is tiny, at no extra cost); derivatives by
    the closed form -Re tr((1 - M)^{-1} dM).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (2.25), (8.1)-(8.2), (8.5) (derivative).
    """
    M = jnp.asarray(M)
    _check_square(M)
    if not jnp.issubdtype(M.dtype, jnp.inexact):
        M = M.astype(jnp.float64)
    hermitian = bool(hermitian)
    positive_definite = bool(positive_definite)
    fn = lambda A: _log_det_one_minus_single(A, hermitian, positive_definite)  # noqa: E731
    for _ in range(M.ndim - 2):
        fn = jax.vmap(fn)
    return fn(M)


#: below this squared Frobenius norm of an m-block, log det(1 - K) = -tr K - tr K^2/2 (error < 1e-13)
_SERIES_NORM2 = 1e-8


def log_det_one_minus_lu_fast(K, KT):
    """Real log|det(1 - K)| of one block, given K and its transpose KT: the cheap variant for batches.

    Pivoted LU, sum of log|U_ii| (no permutation or triangle products: those cost several times
    the factorisation for these small blocks); blocks with ||K||_F^2 < 1e-8, whose log det would
    lose relative precision in the pivots (U_ii ~ 1), use the series -Re(tr K + tr K^2/2) instead
    (truncation error <= ||K||_F^3/3 < 1e-12 absolute). Absolute error ~1e-15 per block either
    way. Differentiable (JAX's LU derivative).
    """
    n = K.shape[-1]
    small = _is_small(K)
    lu, _, _ = jax.lax.linalg.lu(jnp.eye(n, dtype=K.dtype) - jnp.where(small, jnp.zeros_like(K), K))
    return _fast_value(lu, K, KT, small)


def _is_small(K):
    return jnp.real(jnp.sum(K * jnp.conj(K))) < _SERIES_NORM2


def _fast_value(lu, K, KT, small):
    """-Re(tr K + tr K^2/2) where ``small``, else the sum of log|U_ii| of the LU factors ``lu`` of 1 - K."""
    plain = jnp.sum(jnp.log(jnp.abs(jnp.diagonal(lu))))
    series = -jnp.real(jnp.trace(K) + 0.5 * jnp.sum(K * KT))
    return jnp.where(small, series, plain)


# ----------------------------------------------------------------------------------------------
# the gap dependence in closed form: K(s) = E B E with E = diag(e^{-kappa s})


def _lu_solve(lu, perm, rhs):
    """(1 - K)^{-1} rhs from the pivoted LU factors of 1 - K ((1 - K)[perm] = L U)."""
    y = jax.lax.linalg.triangular_solve(lu, rhs[perm], left_side=True, lower=True, unit_diagonal=True)
    return jax.lax.linalg.triangular_solve(lu, y, left_side=True, lower=False)


def _gap_scaled(B, kappa, s):
    e = jnp.exp(-kappa * s)
    return B * (e[:, None] * e[None, :]).astype(B.dtype)


def _gap_terms(B, BT, kappa, s):
    """(log|det(1 - K)|, d/ds, d^2/ds^2) of K = E B E, E = diag(e^{-kappa s}), from one LU of 1 - K.

    With X = (1 - K)^{-1}, Y = X K = X - 1 and dK/ds = -(kappa K + K kappa) (kappa diagonal):
    d/ds log det(1 - K) = tr(X (kappa K + K kappa)) = 2 tr(kappa Y) and
    d^2/ds^2 = -4 [tr(kappa^2 Y) + tr(kappa Y kappa Y)] (Y formed by a solve, not as X - 1: no cancellation when
    K is small). Real parts are taken for complex K (the value is log|det|).
    """
    n = B.shape[-1]
    K = _gap_scaled(B, kappa, s)
    KT = _gap_scaled(BT, kappa, s)
    lu, _, perm = jax.lax.linalg.lu(jnp.eye(n, dtype=K.dtype) - K)
    value = _fast_value(lu, K, KT, _is_small(K))
    Y = _lu_solve(lu, perm, K)
    kY = kappa[:, None] * Y
    first = 2.0 * jnp.real(jnp.trace(kY))
    second = -4.0 * jnp.real(jnp.sum(kappa * jnp.diagonal(kY)) + jnp.sum(kY * kY.T))
    return value, first, second


def _is_zero(t):
    return isinstance(t, jax.custom_derivatives.SymbolicZero)


def _instantiate(t, like):
    return jnp.zeros_like(like) if _is_zero(t) else t


@jax.custom_jvp
def _gap_value_and_slope(B, BT, kappa, s):
    """(log|det(1 - E B E)|, its s-derivative): the s-derivative of this pair is closed-form too."""
    value, first, _ = _gap_terms(B, BT, kappa, s)
    return value, first


def _gap_value_and_slope_jvp(primals, tangents):
    B, BT, kappa, s = primals
    dB, dBT, dkappa, ds = tangents
    if _is_zero(dB) and _is_zero(dBT) and _is_zero(dkappa):
        value, first, second = _gap_terms(B, BT, kappa, s)
        ds = _instantiate(ds, s)
        return (value, first), (first * ds, second * ds)
    # tangents in the kernel or in kappa as well (mixed derivatives): JAX differentiates the closed forms
    return jax.jvp(lambda *a: _gap_terms(*a)[:2], primals,
                   tuple(_instantiate(t, p) for t, p in zip(tangents, primals)))


_gap_value_and_slope.defjvp(_gap_value_and_slope_jvp, symbolic_zeros=True)


@jax.custom_jvp
def _log_det_gap_single(B, BT, kappa, s):
    return log_det_one_minus_lu_fast(_gap_scaled(B, kappa, s), _gap_scaled(BT, kappa, s))


def _log_det_gap_single_jvp(primals, tangents):
    B, BT, kappa, s = primals
    dB, dBT, dkappa, ds = tangents
    if _is_zero(dB) and _is_zero(dBT) and _is_zero(dkappa):
        # only the gap moves: one LU and one solve for the value and the slope, and (through the closed-form
        # derivative of the pair) for the curvature -- no derivative of the LU itself
        value, first = _gap_value_and_slope(B, BT, kappa, s)
        return value, first * _instantiate(ds, s)
    # general tangents: d log|det(1 - K)| = -Re tr((1 - K)^{-1} dK)
    dB, _, dkappa, ds = (_instantiate(t, p) for t, p in zip(tangents, primals))
    K = _gap_scaled(B, kappa, s)
    dlog_e = -(dkappa * s + kappa * ds)                  # d log e_i
    dK = _gap_scaled(dB, kappa, s) + K * (dlog_e[:, None] + dlog_e[None, :]).astype(K.dtype)
    return _log_det_gap_single(B, BT, kappa, s), _tangent(K, dK)


_log_det_gap_single.defjvp(_log_det_gap_single_jvp, symbolic_zeros=True)


def log_det_one_minus_gap(B, BT, kappa, s):
    """Real log|det(1 - E B E)|, E = diag(e^{-kappa s}): the round trip of a gap s (in units of the node scale).

    The value is :func:`log_det_one_minus_lu_fast` of K = E B E; derivatives in the gap s are closed forms
    (see ``_gap_terms``), so a force costs one LU and one solve with 2N right-hand sides and a force gradient
    the same (no derivative of the LU factorisation); tangents of B or kappa use -Re tr((1 - K)^{-1} dK).

    Arguments:
        B: kernel, shape (..., n, n) (leading axes: blocks, mapped over); BT: its transpose (swapaxes(B, -1, -2));
        kappa: shape (n,), the decay constants in units of 1/length; s: the gap in units of length (scalar).
    Returns:
        float64 array of shape B.shape[:-2].

    Source: the derivative of Schoger, Dissertation (Augsburg 2024), Eq. (8.5), d log det(1 - M) = -tr((1 - M)^{-1}
    dM), applied twice to the gap factors of Eqs. (8.6)-(8.9).
    """
    fn = lambda b, bt: _log_det_gap_single(b, bt, kappa, s)  # noqa: E731
    for _ in range(B.ndim - 2):
        fn = jax.vmap(fn)
    return fn(B, BT)
