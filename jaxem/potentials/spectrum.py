"""Spectral design of a random light field: line weights C that cancel the pair potential.

Source: A. Muster and L. S. Froufe-Pérez, "Pure many-body interactions in colloidal systems by artificial
random light fields", arXiv:2510.03503 (2025) (cited below as "Muster & Froufe-Pérez"), Eqs. (7)-(9) and
the optimisation section.

Given the sampled interaction volumes V_{ji} = V(r~_j, omega~_i) (distances x lines, see
random_light.pair_potential_matrix), find line weights C on the simplex (C_i >= 0, sum C_i = 1) minimising

    L(C) = ||V C||_2                                  (Muster & Froufe-Pérez, Eq. (9) and the text after it)

The problem is convex (a QP in C; derived here, the paper uses a local SLSQP search), so a global optimum
exists and is found by

* ``optimize_line_spectrum``: a primal-dual interior-point method (Mehrotra predictor-corrector) written in
  JAX: a fixed number of Newton steps on the KKT system, jittable and vmappable over leading axes (a whole
  (Q, Delta Q) map in one call), followed by an exact polish on the identified support;
* ``optimize_line_spectrum_projected_gradient``: accelerated projected gradient (optax-free FISTA) with the
  exact sort-based simplex projection and random restarts (slow on these ill-conditioned matrices; kept for
  comparison and for restart studies);
* ``optimize_line_spectrum_slsqp``: the paper's protocol, SciPy SLSQP with random starts (host code).

Derivatives of the optimum: ``minimal_pair_loss`` returns L* = min_C ||V C|| with the envelope-theorem
derivative dL* = d||V C*|| at fixed C* (Danskin), so jax.grad of L* through V(Q, Delta, material...) is exact.
"""
from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import check_finite, check_int, is_concrete

__all__ = [
    "project_to_simplex",
    "pair_loss",
    "normalized_pair_loss",
    "optimize_line_spectrum",
    "optimize_line_spectrum_projected_gradient",
    "optimize_line_spectrum_slsqp",
    "minimal_pair_loss",
    "spectrum_kkt_residuals",
]


def _check_matrix(V):
    check_finite("V", V)
    if is_concrete(V):
        shape = np.shape(V)
        if len(shape) < 2:
            raise ValueError(f"V must have shape (..., N_d, N_l), got {shape}")
        if shape[-2] < 1:
            raise ValueError("V must sample at least one distance (N_d >= 1)")
        if shape[-1] < 1:
            raise ValueError("V must have at least one line (N_l >= 1)")
        if np.iscomplexobj(np.asarray(V)):
            raise ValueError("V must be real")


# ---------------------------------------------------------------------------------------------------------
def project_to_simplex(y):
    """Euclidean projection C (dimensionless weights) of y onto the probability simplex {C >= 0, sum C = 1} along the last axis.

    Exact, sort-based: C = max(y - tau, 0) with the threshold tau from the sorted cumulative sums. Jittable,
    vmappable, differentiable almost everywhere.

    Arguments:
        y: points, shape (..., n).
    Returns:
        C, shape (..., n).

    Source: Held, Wolfe & Crowder, Math. Program. 6, 62 (1974); Duchi et al., ICML 2008 (no physics formula).
    """
    y = jnp.asarray(y, dtype=jnp.float64)
    n = y.shape[-1]
    u = jnp.flip(jnp.sort(y, axis=-1), axis=-1)
    css = jnp.cumsum(u, axis=-1) - 1.0
    ind = jnp.arange(1, n + 1, dtype=jnp.float64)
    cond = u - css / ind > 0
    rho = jnp.sum(cond, axis=-1, keepdims=True)
    tau = jnp.take_along_axis(css, rho - 1, axis=-1) / rho
    return jnp.maximum(y - tau, 0.0)


def pair_loss(C, V):
    """Loss L = ||V C||_2 (norm of the total sampled interaction volume V_tot, in the unit of V, e.g. lambda0^3).

    Arguments:
        C: line weights, shape (..., N_l).
        V: interaction volumes, shape (..., N_d, N_l) (any consistent unit, e.g. lambda0^3).
    Returns:
        L, shape (...).

    Source: Muster & Froufe-Pérez, text after Eq. (9).
    """
    return jnp.linalg.norm(jnp.einsum("...ji,...i->...j", V, C), axis=-1)


def normalized_pair_loss(C, V):
    """Normalised loss L~ = ||V C|| / ||C_m V_{:,m}||, m = argmax_i C_i (dimensionless).

    The residual pair potential relative to the dominant line's own potential. Ill-defined (depends on the
    chosen optimum) where the optimum is not unique.

    Arguments:
        C: line weights, shape (..., N_l).
        V: interaction volumes, shape (..., N_d, N_l).
    Returns:
        L~, shape (...).

    Source: Muster & Froufe-Pérez, text after Eq. (9).
    """
    m = jnp.argmax(C, axis=-1)
    c_m = jnp.take_along_axis(C, m[..., None], axis=-1)[..., 0]
    v_m = jnp.take_along_axis(V, m[..., None, None], axis=-1)[..., 0]
    return pair_loss(C, V) / (c_m * jnp.linalg.norm(v_m, axis=-1))


def spectrum_kkt_residuals(C, V):
    """KKT residuals of C for min (1/2)||V C||^2 on the simplex: (stationarity, complementarity, feasibility).

    With gradient g = V^T V C and multiplier nu = C.g: stationarity = max_i max(nu - g_i, 0) (g_i >= nu on every
    line), complementarity = max_i C_i |g_i - nu|, feasibility = max(|sum C - 1|, max(-C)). All relative to
    max|g| / ||V||^2 scale as returned: divide by ||V||_2^2 for a scale-free check.

    Arguments:
        C: line weights, shape (..., N_l).
        V: interaction volumes, shape (..., N_d, N_l).
    Returns:
        (stationarity, complementarity, feasibility), each shape (...).

    Source: the Karush-Kuhn-Tucker conditions of the simplex-constrained QP (no physics formula).
    """
    g = jnp.einsum("...ji,...j->...i", V, jnp.einsum("...ji,...i->...j", V, C))
    nu = jnp.sum(C * g, axis=-1, keepdims=True)
    stat = jnp.max(jnp.maximum(nu - g, 0.0), axis=-1)
    comp = jnp.max(C * jnp.abs(g - nu), axis=-1)
    feas = jnp.maximum(jnp.abs(jnp.sum(C, axis=-1) - 1.0), jnp.max(-C, axis=-1))
    return stat, comp, feas


# ---------------------------------------------------------------------------------------------------------
# Interior point
# ---------------------------------------------------------------------------------------------------------
def _reduce(V):
    """Scaled Gram matrix H = (V/s)^T (V/s), s = largest column norm, so that max diag H = 1."""
    s = jnp.max(jnp.linalg.norm(V, axis=0))
    s = jnp.where(s > 0, s, 1.0)
    Vs = V / s
    return Vs.T @ Vs


def _ipm_simplex_qp(H, n_iter, x0=None):
    """Mehrotra predictor-corrector for min 1/2 x^T H x s.t. 1^T x = 1, x >= 0. Returns (x, z, nu).

    Stops after n_iter Newton steps or once the complementarity mu < 1e-26 and the dual residual < 1e-15
    (H is scaled to max diag 1, so the objective gap n mu is far below the 1e-13 that L~ needs).
    """
    n = H.shape[0]
    one = jnp.ones(n)
    reg = 1e-15 * jnp.eye(n)  # keeps Cholesky defined on a rank-deficient support; O(1e-15) on the objective

    def solve(cf, g, r_p):
        kg = jax.scipy.linalg.cho_solve(cf, g)
        k1 = jax.scipy.linalg.cho_solve(cf, one)
        dnu = (-r_p - one @ kg) / (one @ k1)
        return kg + k1 * dnu, dnu

    def max_step(v, dv):
        ratio = jnp.where(dv < 0, -v / jnp.where(dv < 0, dv, -1.0), jnp.inf)
        return jnp.minimum(1.0, jnp.min(ratio))

    def residuals(x, z, nu):
        return x @ z / n, H @ x - nu * one - z

    def cond(state):
        it, x, z, nu = state
        mu, r_d = residuals(x, z, nu)
        return (it < n_iter) & ((mu > 1e-26) | (jnp.max(jnp.abs(r_d)) > 1e-15))

    def body(state):
        it, x, z, nu = state
        mu, r_d = residuals(x, z, nu)
        r_p = jnp.sum(x) - 1.0
        cf = jax.scipy.linalg.cho_factor(H + jnp.diag(z / x) + reg)  # one factorisation, two solves
        # predictor (affine scaling)
        r_c = x * z
        dx_a, dnu_a = solve(cf, -r_d - r_c / x, r_p)
        dz_a = (-r_c - z * dx_a) / x
        a_p = max_step(x, dx_a)
        a_d = max_step(z, dz_a)
        mu_aff = (x + a_p * dx_a) @ (z + a_d * dz_a) / n
        sigma = (mu_aff / mu) ** 3
        # corrector
        r_c = x * z + dx_a * dz_a - sigma * mu
        dx, dnu = solve(cf, -r_d - r_c / x, r_p)
        dz = (-r_c - z * dx) / x
        a_p = 0.995 * max_step(x, dx)
        a_d = 0.995 * max_step(z, dz)
        x_new = x + a_p * dx
        z_new = z + a_d * dz
        nu_new = nu + a_d * dnu
        # never step into 0/0 (x, z underflow) -- keep the last good iterate instead
        ok = jnp.all(jnp.isfinite(x_new)) & jnp.all(jnp.isfinite(z_new)) & jnp.all(x_new > 0) & jnp.all(z_new > 0)
        it_new = jnp.where(ok, it + 1, n_iter)
        return (it_new, jnp.where(ok, x_new, x), jnp.where(ok, z_new, z), jnp.where(ok, nu_new, nu))

    x0 = jnp.full(n, 1.0 / n) if x0 is None else x0
    z0 = jnp.ones(n)
    nu0 = jnp.asarray(0.0)
    _, x, z, nu = jax.lax.while_loop(cond, body, (jnp.asarray(0), x0, z0, nu0))
    return x, z, nu


def _polish(H, x, z):
    """Exact minimiser on the support S = {x_i > z_i}: min 1/2 c^T H_SS c with sum c = 1 (one Cholesky).

    Accepted only if it is feasible (c >= 0) and not worse than the interior-point iterate.
    """
    n = H.shape[0]
    sf = (x > z).astype(H.dtype)
    Hs = H * sf[:, None] * sf[None, :] + jnp.diag(1.0 - sf) + 1e-15 * jnp.eye(n)
    cf = jax.scipy.linalg.cho_factor(Hs)
    c = jax.scipy.linalg.cho_solve(cf, sf) * sf  # KKT: H_SS c = nu 1_S, then normalise
    c = c / jnp.sum(c)
    good = jnp.all(c >= 0) & jnp.all(jnp.isfinite(c)) & (c @ H @ c <= x @ H @ x)
    return jnp.where(good, c, x)


def _optimize_single(V, n_iter, polish, x0=None):
    H = _reduce(V)
    x, z, _ = _ipm_simplex_qp(H, n_iter, x0)
    if polish:
        x = _polish(H, x, z)
    x = jnp.maximum(x, 0.0)
    return x / jnp.sum(x)


def optimize_line_spectrum(V, n_iter=60, polish=True):
    """Optimal line weights C minimising L = ||V C||_2 on the simplex, shape V.shape[:-2] + (N_l,).

    The global optimum of the convex spectral-design problem by a primal-dual interior-point method in JAX,
    then an exact polish on the identified support. Batched over the leading axes of V (vmap), jittable;
    C_i >= 0 and sum C = 1 hold to rounding (1e-15).

    Arguments:
        V: interaction volumes V(r~_j, omega~_i), shape (..., N_d, N_l), real (any unit; the result is
            scale invariant).
        n_iter: maximum Newton iterations (static int; 25-40 reach the optimum to rounding on the paper's grids).
        polish: exact re-solve on the support (static bool).
    Returns:
        C (dimensionless weights), shape (..., N_l).

    Source: the design problem of Muster & Froufe-Pérez, Eqs. (7)-(9), solved as a convex QP (derived here;
    checked against the SLSQP protocol in tests/test_spectrum.py); Mehrotra, SIAM J. Optim. 2, 575 (1992).
    """
    _check_matrix(V)
    n_iter = check_int("n_iter", n_iter, minimum=1)
    return _optimize_jit(jnp.asarray(V, dtype=jnp.float64), n_iter, bool(polish))


def _optimize_batched(V, n_iter, polish):
    fn = lambda v: _optimize_single(v, n_iter, polish)  # noqa: E731
    for _ in range(V.ndim - 2):
        fn = jax.vmap(fn)
    return fn(V)


_optimize_jit = jax.jit(_optimize_batched, static_argnums=(1, 2))


@jax.custom_jvp
def _min_loss(V):
    C = _optimize_batched(V, 60, True)
    return pair_loss(C, V)


@_min_loss.defjvp
def _min_loss_jvp(primals, tangents):
    (V,), (dV,) = primals, tangents
    C = jax.lax.stop_gradient(_optimize_batched(V, 60, True))
    # Danskin / envelope theorem: the simplex does not depend on V, so dL* = d||V C|| at fixed C*.
    return jax.jvp(lambda v: pair_loss(C, v), (V,), (dV,))


def minimal_pair_loss(V):
    """Optimised loss L* = min_C ||V C||_2 over the simplex, differentiable in V (shape V.shape[:-2]).

    Its derivative is the envelope-theorem one, dL* = (V C*)^T dV C* / L* (exact where the optimum is unique or
    L* > 0), so jax.grad(lambda q: minimal_pair_loss(V(q)))(q) designs particles and spectra together.

    Arguments:
        V: interaction volumes, shape (..., N_d, N_l).
    Returns:
        L* (unit of V), shape V.shape[:-2].

    Source: derived here (envelope theorem on the problem of Muster & Froufe-Pérez, Eqs. (7)-(9)); checked
    against finite differences in tests/test_spectrum.py.
    """
    _check_matrix(V)
    return _min_loss(jnp.asarray(V, dtype=jnp.float64))


# ---------------------------------------------------------------------------------------------------------
# Accelerated projected gradient (FISTA) with restarts
# ---------------------------------------------------------------------------------------------------------
def _fista_single(H, x0, n_iter):
    step = 1.0 / jnp.linalg.eigvalsh(H)[-1]

    def body(_, state):
        x, y, t = state
        x_new = project_to_simplex(y - step * (H @ y))
        t_new = 0.5 * (1.0 + jnp.sqrt(1.0 + 4.0 * t * t))
        y_new = x_new + ((t - 1.0) / t_new) * (x_new - x)
        # adaptive restart (O'Donoghue-Candes) when the momentum points uphill
        restart = (y - x_new) @ (x_new - x) > 0
        return (x_new, jnp.where(restart, x_new, y_new), jnp.where(restart, 1.0, t_new))

    x, _, _ = jax.lax.fori_loop(0, n_iter, body, (x0, x0, jnp.asarray(1.0)))
    return x


def _fista_batched(V, key, n_restarts, n_iter):
    def single(v, k):
        H = _reduce(v)
        starts = jax.random.uniform(k, (n_restarts, v.shape[-1]))
        starts = starts / jnp.sum(starts, axis=-1, keepdims=True)
        xs = jax.vmap(lambda s: _fista_single(H, s, n_iter))(starts)
        losses = jnp.einsum("ri,ij,rj->r", xs, H, xs)
        return xs[jnp.argmin(losses)]

    batch = V.shape[:-2]
    keys = jax.random.split(key, int(np.prod(batch)) if batch else 1).reshape(batch + (-1,)) if batch else key
    fn = single
    for _ in range(V.ndim - 2):
        fn = jax.vmap(fn)
    return fn(V, keys)


_fista_jit = jax.jit(_fista_batched, static_argnums=(2, 3))


def optimize_line_spectrum_projected_gradient(V, key=None, n_restarts=4, n_iter=2000):
    """Line weights C from accelerated projected gradient (FISTA, exact simplex projection), best of restarts.

    A first-order alternative to optimize_line_spectrum: jittable, vmappable over the leading axes of V and over
    random restarts, but slow to converge on the ill-conditioned matrices of Muster & Froufe-Pérez.

    Arguments:
        V: shape (..., N_d, N_l).
        key: jax.random key for the uniform random starts (default key 0).
        n_restarts, n_iter: static ints.
    Returns:
        C (dimensionless weights), shape (..., N_l).

    Source: Beck & Teboulle, SIAM J. Imaging Sci. 2, 183 (2009) (FISTA); no physics formula.
    """
    _check_matrix(V)
    n_restarts = check_int("n_restarts", n_restarts, minimum=1)
    n_iter = check_int("n_iter", n_iter, minimum=1)
    key = jax.random.PRNGKey(0) if key is None else key
    return _fista_jit(jnp.asarray(V, dtype=jnp.float64), key, n_restarts, n_iter)


# ---------------------------------------------------------------------------------------------------------
# Paper mode: SciPy SLSQP
# ---------------------------------------------------------------------------------------------------------
def optimize_line_spectrum_slsqp(V, n_starts=4, seed=0, tol=1e-9, gradient="finite_difference", maxiter=1000):
    """Line weights C (dimensionless) by the paper's protocol: SciPy SLSQP on L = ||V C||_2, C >= 0, sum C = 1, random starts; best C by L~.

    Host (NumPy/SciPy) code for comparison with optimize_line_spectrum. Its L~ depends on the termination
    (scale of V, gradient mode): the paper's 0.0098 / 0.679 are such artefacts (derived here; checked in
    tests/test_spectrum.py).

    Arguments:
        V: shape (N_d, N_l) (one matrix; loop on the host for batches).
        n_starts: random uniform starts normalised to sum 1.
        seed: numpy random seed.
        tol: SLSQP tol (paper: 1e-9).
        gradient: "finite_difference" (the paper's default, no jac) or "analytic".
        maxiter: SLSQP iteration cap.
    Returns:
        (C, info) with info = dict(loss, normalized_loss, seconds_per_start, all_normalized_losses).

    Source: Muster & Froufe-Pérez, optimisation section (SLSQP, tol 1e-9, random starts).
    """
    from scipy.optimize import minimize

    _check_matrix(V)
    if gradient not in ("finite_difference", "analytic"):
        raise ValueError(f"gradient must be 'finite_difference' or 'analytic', got {gradient!r}")
    n_starts = check_int("n_starts", n_starts, minimum=1)
    V = np.asarray(V, dtype=float)
    if V.ndim != 2:
        raise ValueError(f"V must have shape (N_d, N_l) in paper mode, got {V.shape}")
    n = V.shape[1]
    rng = np.random.default_rng(seed)

    def f(c):
        return np.linalg.norm(V @ c)

    def jac(c):
        v = V @ c
        nv = np.linalg.norm(v)
        return V.T @ v / nv if nv > 0 else np.zeros(n)

    best, results = None, []
    t0 = time.perf_counter()
    for _ in range(n_starts):
        c0 = rng.uniform(size=n)
        c0 /= c0.sum()
        res = minimize(f, c0, method="SLSQP", jac=jac if gradient == "analytic" else None,
                       bounds=[(0.0, None)] * n,
                       constraints=[{"type": "eq", "fun": lambda c: np.sum(c) - 1.0, "jac": lambda c: np.ones(n)}],
                       tol=tol, options={"maxiter": maxiter})
        c = np.clip(res.x, 0.0, None)
        c /= c.sum()
        lt = float(normalized_pair_loss(jnp.asarray(c), jnp.asarray(V)))
        results.append(lt)
        if best is None or lt < best[1]:
            best = (c, lt)
    dt = (time.perf_counter() - t0) / n_starts
    c = best[0]
    return c, {"loss": float(np.linalg.norm(V @ c)), "normalized_loss": best[1], "seconds_per_start": dt,
               "all_normalized_losses": results}


# ---------------------------------------------------------------------------------------------------------
# The paper's (Q, Delta Q) map in one batched call
# ---------------------------------------------------------------------------------------------------------
def _paper_point(q, dq, key, n_lines, n_distances, n_iter, n_restarts):
    from .random_light import paper_pair_potential_matrix

    V, omega_t = paper_pair_potential_matrix(q, dq, n_lines, n_distances)
    if n_restarts == 1:
        C = _optimize_single(V, n_iter, True)
        spread = jnp.asarray(0.0)
    else:
        # random interior starting points (a convex problem: every restart must reach the same L)
        x0 = 0.5 / n_lines + jax.random.uniform(key, (n_restarts, n_lines))
        x0 = x0 / jnp.sum(x0, axis=-1, keepdims=True)
        Cs = jax.vmap(lambda s: _optimize_single(V, n_iter, True, s))(x0)
        losses = pair_loss(Cs, V)
        C = Cs[jnp.argmin(losses)]
        spread = (jnp.max(losses) - jnp.min(losses)) / jnp.maximum(jnp.max(losses), 1e-300)
    return {"loss": pair_loss(C, V), "normalized_loss": normalized_pair_loss(C, V), "weights": C,
            "omega_t": omega_t, "restart_spread": spread}


def _paper_map(Q, delta_Q, key, n_lines, n_distances, n_iter, n_restarts):
    keys = jax.random.split(key, Q.shape[0])
    return jax.vmap(lambda q, dq, k: _paper_point(q, dq, k, n_lines, n_distances, n_iter, n_restarts))(
        Q, delta_Q, keys)


_paper_map_jit = jax.jit(_paper_map, static_argnums=(3, 4, 5, 6))


def optimal_spectrum_map(Q, delta_Q, n_lines=200, n_distances=1000, n_iter=60, n_restarts=1, seed=0):
    """Optimal line spectra of Lorentzian e+m dipoles (Q_e = Q_m = Q) at many (Q, Delta Q) points in one call.

    For each point: the paper's design matrix (200 lines, 1000 distances r~ in [0.5, 3]) and its exact
    optimum (optimize_line_spectrum). Jitted and vmapped.

    Arguments:
        Q: quality factors, shape (N,) (> 0).
        delta_Q: detunings times Q, shape (N,) (>= 0).
        n_lines, n_distances, n_iter: static ints.
        n_restarts: interior-point runs from random interior starts per point (static int; the best is kept;
            1 = the deterministic start).
        seed: random seed for the starts.
    Returns:
        dict with "loss" L (units lambda0^3), "normalized_loss" L~ (N,), "weights" C and "omega_t"
        (N, n_lines), "restart_spread" (max - min)/max of L over the restarts (N,): ~0 when every restart
        reached the convex optimum; a large value flags a point where the iteration cap stopped a restart early.

    Source: Muster & Froufe-Pérez, Fig. 2 and Eqs. (7)-(9) (grids of their text).
    """
    from .._checks import check_nonnegative, check_positive

    check_positive("Q", Q)
    check_nonnegative("delta_Q", delta_Q)
    n_lines = check_int("n_lines", n_lines, minimum=1)
    n_distances = check_int("n_distances", n_distances, minimum=1)
    n_iter = check_int("n_iter", n_iter, minimum=1)
    n_restarts = check_int("n_restarts", n_restarts, minimum=1)
    Q = jnp.atleast_1d(jnp.asarray(Q, jnp.float64))
    delta_Q = jnp.atleast_1d(jnp.asarray(delta_Q, jnp.float64))
    return _paper_map_jit(Q, delta_Q, jax.random.PRNGKey(seed), n_lines, n_distances, n_iter, n_restarts)


__all__.append("optimal_spectrum_map")
