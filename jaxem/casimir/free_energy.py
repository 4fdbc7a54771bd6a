"""Casimir free energy of sphere–plane and sphere–sphere at any T: the plane-wave engine behind the face.

F(L, T) = k_B T sum'_n log det(1 - M(i xi_n))   (T > 0, n = 0 weighted 1/2)
E(L)    = (hbar/2pi) int_0^inf dxi log det(1 - M(i xi))   (T = 0)
with the round trip in the plane-wave basis (:mod:`jaxem.casimir.planewave`) and the frequency sums of
:mod:`jaxem.thermal`.  Public face: :func:`jaxem.casimir_free_energy` and its autodiff derivatives (force
= -dF/dL, force gradient = -d^2F/dL^2, entropy = -dF/dT) with the engine :class:`jaxem.PlaneWave` (this
module's :func:`planewave_free_energy` and :func:`planewave_sizes`) or :class:`jaxem.ProximityForce`
(``_pfa``).

Static sizes. The truncation (N, M, l_max) and the number of frequencies are Python ints fixed
at the public boundary from the concrete inputs (largest R/L, smallest L, T); a batch of distances
or temperatures is evaluated with one compiled kernel at the sizes of its most demanding point.
A sweep that calls the function point by point compiles once per distinct size: pass
``truncation=(N, M, l_max)`` and ``n_frequencies`` to fix them for a whole sweep.

Batches of distances. A batch of gaps at one temperature (concrete L, T) is sorted and split into
groups of at most ``chunk_size`` gaps with L_max/L_min <= ``group_spread`` (default 2; 1.25 at
T = 0 with the legacy Nystrom rule, i.e. when ``n_t0`` is given). A group uses one node grid, in
units of its smallest gap, and one set of frequencies, so per frequency the Mie coefficients, the
plate Fresnel matrices and the sphere kernels (amplitudes, polarisation conversion, phi-DFT: the
O(N^2 M l_max) part) are computed once (planewave.sphere_kernel_imag); each gap then costs only its
diagonal translation factors e^{-kappa L} and its m-block determinants (LU,
planewave.sphere_plane_log_det_batch / sphere_sphere_log_det_batch).  The smallest gap of a group is the
single-point discretisation; the others use the finer grid of the smallest gap.  At T = 0 the xi-nodes of
the group are those of its smallest gap; the default exp-map rule is nearly scale-free in log xi, so this
costs little, while the legacy Nystrom rule degrades faster with the spread, hence its tighter default
spread 1.25.  Measured accuracy against single calls and timings: docs/accuracy.md ("Casimir plane-wave
engine").  Batches over T, traced inputs and derivatives use the point-by-point route.

Zero-frequency term. The n = 0 term is the xi -> 0 limit of the same round trip, evaluated at
xi_0 = 1e-13 c/(L + R_max) (so that, e.g., the Drude TE contribution eps x^2 ~ 1e-8 vanishes
and the plasma-model TE term eps xi^2 -> omega_p^2 survives, both as in the exact limit; checked
against the exact Drude and electrolyte n = 0 results in tests/test_casimir_finite.py). In a conducting
medium (electrolyte, e.g. water modelled with a Drude-type eps_m) this is the unscreened limit
(TM reflection -> -1, the "ded" result of Schoger Sec. 9.4 and Table 9.1); ``screened=True`` drops the
n = 0 term instead, the limit of a Debye length much shorter than L (Maia Neto et al., Eur. Phys. J. D 73,
178 (2019)).

Source: T. Schoger, "Optical and dispersion forces experienced by spherical objects", Dissertation,
Universität Augsburg (2024) (cited as "Schoger"), Eqs. (2.25) (Matsubara sum; the prime, weight 1/2 of
n = 0, is missing in the printed Eq. (8.1)), (2.26) (T = 0), (8.6)-(8.9) (plane-wave round trip) and
(4.26)-(4.29) (sphere reflection); the plane-wave method of B. Spreng, P. A. Maia Neto and G.-L. Ingold,
J. Chem. Phys. 153, 024115 (2020); Padé frequencies: T. Hu, J. Xu, Y. Yan, J. Chem. Phys. 133, 101106
(2010); the exact n = 0 results: Schoger Eqs. (9.59), (9.72)-(9.85) and Bimonte & Emig, Phys. Rev. Lett.
109, 160403 (2012).
"""
from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from jaxem._checks import (check_choice, check_finite, check_int, check_material, check_nonnegative, check_positive,
                           check_scalar, is_concrete)
from jaxem._memory import check_count, check_memory, reverse_mode
from jaxem.geometry import is_plane
from jaxem import thermal as fs
from jaxem._batching import auto_batch_size, batched_map, bucket_size
from jaxem.casimir.grouping import GROUP_SPREAD, GROUP_SPREAD_T0, padded_distance_groups, resolve_group_spread
from jaxem.casimir import planewave as pw
from jaxem.constants import c as _C, hbar as _HBAR, k_B as _KB

__all__ = [
    "planewave_free_energy",
    "planewave_sizes",
    "planewave_memory_bytes",
    "frequency_plan",
    "FREQUENCY_METHODS",
    "LOW_T_SWITCH",
    "MAX_FREQUENCIES",
    "PSD_SWITCH",
]

#: xi_0 = STATIC_XI_FRACTION * c/(L + R_max): the zero-frequency limit of the round trip
STATIC_XI_FRACTION = 1e-13

#: the frequency schemes of a free energy at T > 0 ("auto": Matsubara, the Padé frequencies where they are at most
#: PSD_SWITCH times as many, or the low-temperature method when the Matsubara count exceeds LOW_T_SWITCH)
FREQUENCY_METHODS = ("auto", "matsubara", "psd", "low_temperature")
#: "auto" takes the low-temperature method (jaxem.thermal.low_temperature_nodes, 126 frequencies at any T)
#: above this many Matsubara frequencies
LOW_T_SWITCH = 512
#: "auto" takes the Padé frequencies (jaxem.thermal.psd_count) where they are at most this fraction of the Matsubara
#: count (gaps below ~0.4 um at 300 K: 25 instead of 84 frequencies at 100 nm). The margin pays for the Padé nodes'
#: larger xi (the last pole lies near the 270th Matsubara frequency at 25 poles), where the sphere kernel's l-windows
#: are wider (R/L = 500: 1.6 s against 0.8 s per frequency at K = 6.6 and 0.5)
PSD_SWITCH = 0.6
#: the largest number of Matsubara or Pade frequencies a call may ask for (a named scheme; "auto" never does)
MAX_FREQUENCIES = 20000


def frequency_plan(L, T, method="auto", rtol=1e-6, order=0):
    """The frequency scheme and its static size for concrete inputs: (method, n_frequencies).

    "auto" is "matsubara" up to :data:`LOW_T_SWITCH` Matsubara frequencies and "low_temperature" (the T = 0
    integral plus the low-temperature correction, :func:`jaxem.thermal.low_temperature_nodes`, whose cost does
    not grow like 1/T) above, except that it takes "psd" where the Padé count is at most :data:`PSD_SWITCH` times
    the Matsubara count (short gaps: 25 / 30 / 35 Padé against 84 / 101 / 121 Matsubara frequencies for F / F' /
    F'' at 300 K and 100 nm; both meet rtol); a named scheme is kept, and more than :data:`MAX_FREQUENCIES`
    Matsubara or Padé frequencies raise a ValueError naming the temperature and the way out.

    Arguments:
        L: distance(s) [m] (the smallest sets the count).
        T: temperature(s) [K] (the smallest sets the count; 0: the T = 0 integral, count 0).
        method: one of :data:`FREQUENCY_METHODS`.
        rtol: target relative accuracy of the Matsubara/Padé sum.
        order: the L-derivative order the sum must meet rtol for (0: the energy; 1: the force, 2: the force
            gradient: more frequencies, :func:`jaxem.thermal.derivative_rtol`).
    Returns:
        (method, n): the resolved method and its static count (Matsubara/Padé frequencies; for
        "low_temperature" the Matsubara terms summed exactly, jaxem.thermal.LOW_T_EXACT = 32; 0 at T = 0).

    Source: the counts of :func:`jaxem.thermal.matsubara_count` and :func:`jaxem.thermal.psd_count`; the switch is
    a cost rule (126 frequencies of the low-temperature method against n_max ~ 1/T Matsubara frequencies).
    """
    check_choice("frequencies", method, FREQUENCY_METHODS)
    L_min = float(np.min(np.asarray(L)))
    T_min = float(np.min(np.asarray(T)))
    if T_min <= 0:
        return method, 0
    if method == "low_temperature":
        return method, fs.LOW_T_EXACT
    n_mats = fs.matsubara_count(T_min, L_min, rtol, order)
    if method == "auto":
        if n_mats > LOW_T_SWITCH:
            return "low_temperature", fs.LOW_T_EXACT
        n_psd = fs.psd_count(T_min, L_min, rtol, order)
        return ("psd", n_psd) if n_psd <= PSD_SWITCH * n_mats else ("matsubara", n_mats)
    n = n_mats if method == "matsubara" else fs.psd_count(T_min, L_min, rtol, order)
    way_out = ("frequencies='auto' or 'low_temperature' (the T = 0 integral plus the low-temperature correction: "
               f"{fs.low_temperature_count()} frequencies at any T)")
    if method == "matsubara":
        way_out += f", or frequencies='psd' ({fs.psd_count(T_min, L_min, rtol, order):,} Padé frequencies)"
    check_count("temperature", n, MAX_FREQUENCIES,
                what=f"{'Matsubara' if method == 'matsubara' else 'Padé'} frequencies (T = {T_min:g} K, "
                     f"L = {L_min:g} m)", way_out=way_out)
    return method, n


def _t0_rule(n_t0, t0_step):
    """Static (n_nodes, step) of the T = 0 rule (see jaxem.thermal.zero_temperature_nodes)."""
    n = None if n_t0 is None else check_int("n_t0", n_t0, minimum=1)
    if t0_step is not None:
        t0_step = float(check_positive("t0_step", check_scalar("t0_step", t0_step)))
    return (n, t0_step)


#: the angular grid M of the order-th L-derivative is DERIVATIVE_M_FACTOR[order] times the energy's (made odd), its
#: radial grid N DERIVATIVE_N_FACTOR[order] times: with the node grid held at the gap (the derivative route of
#: _derivative_batch) the phi-quadrature limits the force and the force gradient at eta = 1, and the k-quadrature the
#: force gradient (PEC, R/L = 10: F' 1.8e-6 -> 1.1e-8 with M x 1.35; F'' 4.0e-6 -> 2.0e-8 with N x 1.46 on top),
#: and at R/L = 100 the k-quadrature the force as well (gold: F' 2.3e-6 at N = 56, 2.3e-7 at N = 73, M = 63);
#: docs/accuracy.md, "Convergence of energy, force and force gradient"; benchmarks/casimir_convergence.py)
DERIVATIVE_M_FACTOR = (1.0, 1.2, 1.35)
DERIVATIVE_N_FACTOR = (1.0, 1.3, 1.3)


def planewave_sizes(L, R1, R2=math.inf, T=300.0, *, method="matsubara", rtol=1e-6, eta=1.0, order=0):
    """Static sizes of the plane-wave engine for concrete inputs: ((N, M, l_max1, l_max2), n_frequencies).

    N, M from the caspwn rules (sphere–plane: planewave.default_truncation; sphere–sphere:
    N = 8.7 eta sqrt((R1 + R2)/L), M = 7.8 eta sqrt((R1 + R2)/L), both floored at (R1 + R2)/L = 20);
    l_max per sphere 12 eta R_j/L; n_frequencies from the Matsubara stopping rule or the PSD order
    (0 at T = 0, where the quadrature size is separate).  Used by :meth:`jaxem.PlaneWave.sized_for`.

    Arguments:
        L: surface distance(s) [m] (the smallest sets the sizes).
        R1, R2: radii [m] (the largest; R2 = inf: plane).
        T: temperature(s) [K] (the smallest sets the number of frequencies; 0: T = 0 integral).
        method: one of :data:`FREQUENCY_METHODS` (see :func:`frequency_plan`).
        rtol: target relative accuracy of the frequency sum.
        eta: accuracy knob of the truncation (1 ~ 1e-6 relative).
        order: the L-derivative the sizes are for (0: energy, 1: force, 2: force gradient; higher: as 2): M times
            :data:`DERIVATIVE_M_FACTOR` [order], N times :data:`DERIVATIVE_N_FACTOR` [order] and the frequencies of
            :func:`frequency_plan` with ``order``, so that the derivative meets the energy's accuracy.
    Returns:
        ((N, M, l_max1, l_max2), n_frequencies), Python ints (l_max2 = 0 for a plane; n_frequencies as
        :func:`frequency_plan`).

    Source: the truncation rules of the caspwn code, Spreng, Maia Neto & Ingold, J. Chem. Phys. 153, 024115
    (2020); the sphere–sphere constants 8.7, 7.8 are fitted here (~5e-7 at R1 = R2 = 10 L; checked in
    tests/test_casimir_finite.py); the
    frequency counts: :func:`jaxem.thermal.matsubara_count`, :func:`jaxem.thermal.psd_count`.
    """
    L_min = float(np.min(np.asarray(L)))
    plane = is_plane(R2)
    R1, R2 = float(np.max(np.asarray(R1))), float(np.max(np.asarray(R2)))
    if plane:
        n, m, l1 = pw.default_truncation(R1 / L_min, eta)
        l2 = 0
    else:
        # two curved surfaces need a finer k- and phi-grid than one (caspwn: N = 8.4, M = 6.2 x
        # sqrt((R1 + R2)/L)); 8.7 / 7.8 measured to give ~5e-7 at R1 = R2 = 10 L
        rho_sum = max((R1 + R2) / L_min, 20.0)
        n = int(math.ceil(8.7 * eta * math.sqrt(rho_sum) - 1e-9))
        m = int(math.ceil(7.8 * eta * math.sqrt(rho_sum) - 1e-9))
        m += 1 - m % 2
        _, _, l1 = pw.default_truncation(R1 / L_min, eta)
        _, _, l2 = pw.default_truncation(R2 / L_min, eta)
    order = check_int("order", order, minimum=0)
    if order:
        k = min(order, len(DERIVATIVE_M_FACTOR) - 1)
        m = int(math.ceil(DERIVATIVE_M_FACTOR[k] * m - 1e-9))
        m += 1 - m % 2
        n = int(math.ceil(DERIVATIVE_N_FACTOR[k] * n - 1e-9))
    return (n, m, l1, l2), frequency_plan(L_min, T, method, rtol, order)[1]


#: spheres with l_max at or above this sum the Mie series over a window of l chosen per kernel element
#: (l_window="auto", planewave._adaptive_sum; <= 2.5e-13 per element against the full sum, elements below
#: planewave.AUTO_ATOL in the round trip set to 0; tests/test_casimir_window.py); below it the full sum is as fast
#: (one frequency, gold, load 13: R/L = 10 0.010 s full / 0.015 s auto, R/L = 30 0.042 / 0.023 s, R/L = 50
#: 0.20 / 0.046 s, R/L = 100 1.2 / 0.17 s) and compiles faster
WINDOW_MIN_LMAX = 600


def _l_window(l_max):
    """Static l-window of a sphere with truncation l_max ("auto": per-element windows; None: the full sum)."""
    return "auto" if l_max >= WINDOW_MIN_LMAX else None


def _log_det(xi, L, R1, R2, m1, m2, medium, sizes, plane):
    """log det(1 - M(i xi)) (dimensionless) of one gap (Schoger Eqs. (8.6)-(8.9))."""
    N, M, l1, l2 = sizes
    if plane:
        return pw.sphere_plane_log_det(xi, L, R1, m1, m2, medium, N=N, M=M, l_max=l1, l_window=_l_window(l1))
    return pw.sphere_sphere_log_det(xi, L, R1, R2, m1, m2, medium, N=N, M=M, l_max1=l1, l_max2=l2,
                                    l_window1=_l_window(l1), l_window2=_l_window(l2))


def _free_energy_point(L, T, R1, R2, m1, m2, medium, *, sizes, plane, n_freq, method, n_t0, screened):
    """F [J] of one gap: Matsubara/Padé sum (Schoger Eq. (2.25)) or the T = 0 integral (Eq. (2.26))."""
    r_max = R1 if plane else jnp.maximum(R1, R2)
    # checkpointed: reverse mode keeps one frequency's forward pass at a time (jax.grad, gold, 300 K: R/L = 10
    # 429 MB -> 39 MB, R/L = 30 2.9 GB -> 264 MB; run time 0.54-6.7 s vs 4.7-5.6 s and 7.3-17 s vs 12-36 s plain,
    # loaded CPU; benchmarks/casimir_ht.py --memory); forward mode is unaffected
    f = jax.checkpoint(lambda xi: _log_det(xi, L, R1, R2, m1, m2, medium, sizes, plane))
    nbytes = _frequency_bytes(sizes, 1)
    if n_freq == 0:      # T = 0
        return fs.zero_temperature_integral(f, L, *n_t0, bytes_per_item=nbytes)
    return fs.thermal_sum(f, T, n_freq, method, static_xi=STATIC_XI_FRACTION * _C / (L + r_max),
                          static_weight=0.0 if screened else 0.5, bytes_per_item=nbytes, length=L, t0_rule=n_t0)


@functools.partial(jax.jit, static_argnames=("sizes", "plane", "n_freq", "method", "n_t0", "screened", "chunk"))
def _free_energy_batch(L, T, R1, R2, m1, m2, medium, *, sizes, plane, n_freq, method, n_t0, screened, chunk):
    """F [J] point by point over flattened (L, T) (jitted; one compilation per set of static sizes)."""
    point = functools.partial(_free_energy_point, R1=R1, R2=R2, m1=m1, m2=m2, medium=medium, sizes=sizes,
                              plane=plane, n_freq=n_freq, method=method, n_t0=n_t0, screened=screened)
    if L.ndim == 0:
        return point(L, T)
    return jax.lax.map(lambda lt: point(lt[0], lt[1]), (L, T), batch_size=chunk)


def _log_det_many(xi, L, length, R1, R2, m1, m2, medium, sizes, plane, inner):
    """log det(1 - M(i xi)) of a group of gaps L sharing the sphere kernels built on the grid of ``length``."""
    N, M, l1, l2 = sizes
    if plane:
        return pw.sphere_plane_log_det_batch(xi, L, R1, m1, m2, medium, N=N, M=M, l_max=l1, length=length,
                                             inner=inner, l_window=_l_window(l1))
    return pw.sphere_sphere_log_det_batch(xi, L, R1, R2, m1, m2, medium, N=N, M=M, l_max1=l1, l_max2=l2,
                                          length=length, inner=inner, l_window1=_l_window(l1),
                                          l_window2=_l_window(l2))


def _free_energy_group(L, T, R1, R2, m1, m2, medium, *, sizes, plane, n_freq, method, n_t0, screened, inner,
                       length=None):
    """Free energies [J] of a group of gaps L (n,) at one temperature, sharing every sphere kernel.

    The k nodes, the frequencies (Matsubara / PSD at T; T = 0: the xi-nodes of the T = 0 rule scaled by
    the smallest gap) and the n = 0 stand-in xi_0 = STATIC_XI_FRACTION c/(L_min + R_max) are those of
    the group's smallest gap L_min (or of ``length``), so per frequency the Mie coefficients, plate
    Fresnel matrices and sphere kernels are computed once and each gap costs only its m-block
    determinants.
    """
    length = jnp.min(L) if length is None else length
    r_max = R1 if plane else jnp.maximum(R1, R2)
    f = jax.checkpoint(lambda xi: _log_det_many(xi, L, length, R1, R2, m1, m2, medium, sizes, plane, inner))
    nbytes = _frequency_bytes(sizes, L.shape[0])
    if n_freq == 0:
        xi, w = fs.zero_temperature_nodes(length, *n_t0)
        return _HBAR / (2.0 * jnp.pi) * (w @ batched_map(f, xi, nbytes))
    xi, w = fs.thermal_nodes(T, n_freq, method, length, n_t0)
    xi = jnp.concatenate([jnp.reshape(STATIC_XI_FRACTION * _C / (length + r_max), (1,)), xi])
    w = jnp.concatenate([jnp.full((1,), 0.0 if screened else 0.5), w])
    return _KB * T * (w @ batched_map(f, xi, nbytes))


@functools.partial(jax.jit, static_argnames=("sizes", "plane", "n_freq", "method", "n_t0", "screened", "inner"))
def _free_energy_groups(Lg, T, R1, R2, m1, m2, medium, *, sizes, plane, n_freq, method, n_t0, screened, inner):
    """F [J] of every gap of the padded groups Lg (n_groups, n) at one temperature (jitted)."""
    group = functools.partial(_free_energy_group, T=T, R1=R1, R2=R2, m1=m1, m2=m2, medium=medium, sizes=sizes,
                              plane=plane, n_freq=n_freq, method=method, n_t0=n_t0, screened=screened,
                              inner=inner)
    return batched_map(group, Lg, _group_bytes(sizes, Lg.shape[1], n_freq, n_t0))


@functools.partial(jax.jit, static_argnames=("order", "wrt", "sizes", "plane", "n_freq", "method", "n_t0",
                                             "screened", "inner", "all_orders"))
def _derivative_groups(Lg, T, R1, R2, m1, m2, medium, *, order, wrt, sizes, plane, n_freq, method, n_t0, screened,
                       inner, all_orders=False):
    """d^order F/dL^order (or dF/dT) of every gap of every group, node grid held at the group's L_min
    (``all_orders``: orders 0..order stacked on a trailing axis, one compiled program).

    With the grid fixed, F_j depends on its own gap L_j only (and on T through the shared
    frequencies), so one forward-mode tangent of ones gives all diagonal derivatives at once.
    """
    def group(Lrow):
        length = jax.lax.stop_gradient(jnp.min(Lrow))
        f = lambda L, T_: _free_energy_group(L, T_, R1, R2, m1, m2, medium, sizes=sizes, plane=plane,  # noqa: E731
                                             n_freq=n_freq, method=method, n_t0=n_t0, screened=screened,
                                             inner=inner, length=length)
        out = _orders(f, order, wrt)(Lrow, T)           # (order + 1, n)
        return jnp.moveaxis(out, 0, -1) if all_orders else out[-1]

    return batched_map(group, Lg, (order + 1) * _group_bytes(sizes, Lg.shape[1], n_freq, n_t0))


def _grouped(fn, Lb, Tb, R1, R2v, material1, material2, medium, *, chunk_size, group_spread, sizes, n_freq,
             **static):
    """Evaluate a per-group kernel over a batch of gaps at one temperature (see casimir_free_energy)."""
    Lg, gather = padded_distance_groups(np.asarray(Lb, dtype=np.float64).reshape(-1),
                                        _spread(group_spread, n_freq, static.get("n_t0")), int(chunk_size))
    Lg, gather = _bucketed(Lg, gather)
    n_m = sizes[1] if _mixes(material1, material2) else sizes[1] // 2 + 1
    per_gap = n_m * (2 * sizes[0]) ** 2 * 8
    # gaps vmapped together per frequency: cache-sized stacks on CPU, the memory-bound auto rule elsewhere
    inner = auto_batch_size(Lg.shape[1], 4 * per_gap) or max(1, min(Lg.shape[1], _INNER_BYTES // per_gap))
    vals = fn(jnp.asarray(Lg), jnp.asarray(Tb).reshape(-1)[0], jnp.asarray(R1, jnp.float64), R2v, material1,
              material2, medium, inner=inner, sizes=sizes, n_freq=n_freq, **static)
    tail = vals.shape[2:]                   # (order + 1,) when every derivative order is returned
    return vals.reshape((-1,) + tail)[jnp.asarray(gather)].reshape(Lb.shape + tail)


def _frequency_bytes(sizes, n_gaps):
    """Working set [bytes] of one frequency of a group of n_gaps gaps (static estimate for the batch size).

    Per gap the complex m-block stack, (M/2 + 1) blocks of (2N)^2, and about four such arrays alive at once
    (kernels, round trip, LU); plus the sphere's Mie coefficients (l_max, 2N).
    """
    N, M, l1, l2 = sizes
    blocks = (M // 2 + 1) * (2 * N) ** 2 * 16
    return int(4 * blocks * max(int(n_gaps), 1) + 16 * 2 * N * (l1 + l2))


#: nodes of the default T = 0 rule (the exp-map rule at its default step)
_T0_NODES = 42


def _group_bytes(sizes, n_gaps, n_freq, n_t0):
    """Working set [bytes] of one distance group (all its frequencies; static estimate for the batch size)."""
    n_nodes = n_freq + 1 if n_freq else (n_t0[0] if n_t0 and n_t0[0] else _T0_NODES)
    return _frequency_bytes(sizes, n_gaps) * int(n_nodes)


def _bucketed(Lg, gather):
    """(Lg, gather) with the group size and the number of groups padded up to powers of two.

    Sweeps call the grouped kernels with many group shapes; padded to :func:`jaxem._batching.bucket_size`
    they share one compiled program per bucket. Extra columns repeat each group's smallest gap (its node
    scale stays), extra rows repeat the last group; both are computed and dropped by ``gather``.
    """
    n_groups, size = Lg.shape
    G, S = bucket_size(n_groups), bucket_size(size)
    if (G, S) == (n_groups, size):
        return Lg, gather
    out = np.empty((G, S))
    out[:n_groups, :size] = Lg
    out[:n_groups, size:] = np.min(Lg, axis=1, keepdims=True)
    out[n_groups:] = out[n_groups - 1]
    gather = np.asarray(gather)
    return out, (gather // size) * S + gather % size


def _batch_at_one_temperature(L, T, Lb, Tb):
    """Static: is this a concrete batch of several distances at one temperature (the grouped route)?"""
    return bool(Lb.ndim and Lb.size > 1 and is_concrete((L, T))
                and np.all(np.asarray(Tb) == np.asarray(Tb).reshape(-1)[0]))


# the largest ratio L/L_min of the gaps sharing one node grid in a batch (T > 0 and T = 0 with the default
# exp-map rule; T = 0 with the legacy Nystrom rule, n_t0 given) is jaxem.casimir.grouping's GROUP_SPREAD /
# GROUP_SPREAD_T0 (accuracy: docs/accuracy.md)

#: working-set budget [bytes] of the m-block stacks evaluated together (vmapped) in a batch; larger
#: stacks fall out of cache (measured: one gap at a time is fastest for 9 blocks of 52 x 52)
_INNER_BYTES = 2**18


def _spread(group_spread, n_freq, n_t0=None):
    """The group spread to use: the given one, else the default of the frequency scheme."""
    legacy_t0 = n_freq == 0 and n_t0 is not None and n_t0[0] is not None and n_t0[1] is None
    return resolve_group_spread(group_spread, GROUP_SPREAD_T0 if legacy_t0 else GROUP_SPREAD)


def _mixes(*materials):
    """Static: does any body mix the TM and TE polarisations (PEMC, bi-isotropic)?"""
    return any(pw._has_mixing(m) for m in materials if m is not None)


def _prepare(L, R1, R2, T, material1, material2, medium, method, rtol, eta, truncation, n_frequencies, order=0):
    """Validate the inputs; (material2, plane, static sizes, number of frequencies (0 at T = 0; for the
    order-th derivative, frequency_plan), the resolved frequency method)."""
    for name, v in (("L", L), ("R1", R1), ("T", T)):
        check_finite(name, v)
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    check_nonnegative("T", T)
    check_material("material1", material1)
    check_material("material2", material2, allow_none=True)
    check_material("medium", medium, allow_none=True)
    check_choice("frequencies", method, FREQUENCY_METHODS)
    material2 = material1 if material2 is None else material2
    plane = is_plane(R2)
    if not is_concrete((L, R1, R2, T)) and (truncation is None or n_frequencies is None):
        raise ValueError("truncation and n_frequencies must be given when L, R1, R2 or T are traced "
                         "(static sizes are computed from concrete inputs)")
    if truncation is None or n_frequencies is None:
        sizes, _ = planewave_sizes(L, R1, R2, 0.0, eta=eta, order=order)
        method, n_freq = frequency_plan(L, T, method, rtol, order)
    if truncation is not None:
        truncation = tuple(check_int("truncation", t, minimum=1) for t in truncation)
        if len(truncation) == 3:
            truncation = truncation + (truncation[2],)
        sizes = truncation
    if n_frequencies is not None:
        n_freq = check_int("n_frequencies", n_frequencies, minimum=1)
        method = "matsubara" if method == "auto" else method          # a given count is a Matsubara count
        if method == "low_temperature":
            n_freq = max(n_freq, 2)
    if is_concrete(T):
        T_arr = np.asarray(T)
        if bool(np.all(T_arr == 0)):
            n_freq = 0
        elif bool(np.any(T_arr == 0)):
            raise ValueError("T: a batch must not mix T = 0 with T > 0 (different frequency schemes)")
    return material2, plane, sizes, n_freq, method


def _n_nodes(n_freq, method, n_t0):
    """Static number of frequencies evaluated per point (n = 0 included; T = 0: the xi-nodes)."""
    if n_freq == 0:
        return n_t0[0] if n_t0 and n_t0[0] and not n_t0[1] else fs.zero_temperature_count(*(n_t0 or (None, None)))
    if method == "low_temperature":
        return fs.low_temperature_count(n_freq, *(n_t0 or (None, None))) + 1
    return n_freq + 1


#: arrays of the scan over multipole orders l whose per-l values reverse mode stores (measured, see
#: planewave_memory_bytes): about 14 arrays of the (N(N+1)/2, M//2 + 1) pair grid per order l
_SCAN_RESIDUALS = 14


def planewave_memory_bytes(sizes, n_nodes, *, n_gaps=1, order=0, reverse=False, mixing=False, plane=True,
                           checkpointed=True):
    """Estimated peak memory [bytes] of one plane-wave free-energy evaluation (analytic, before tracing).

    Forward (the energy, and the face's forward-mode derivatives of order ``order``): (order + 1) x the working
    set of one frequency (``_frequency_bytes``: about four m-block stacks of (M/2 + 1) (2N)^2 complex entries per
    gap).  Reverse mode (an eager ``jax.grad`` of the energy) stores the forward pass of the scan over the
    multipole orders: about 14 arrays of the pair grid N(N+1)/2 x (M//2 + 1) per order l (l_max1 orders, + l_max2
    for a second sphere; complex and all M azimuths when polarisations mix), for one frequency at a time when the
    per-frequency body is checkpointed (jax.checkpoint, the default), for every frequency otherwise.

    Arguments:
        sizes: (N, M, l_max1, l_max2) static truncation.
        n_nodes: frequencies evaluated per point (n = 0 included).
        n_gaps: gaps sharing one kernel (a distance group).
        order: order of the forward-mode derivative (0: the energy).
        reverse: reverse-mode autodiff of the energy.
        mixing: the bodies mix polarisations (complex kernels).
        plane: the second body is a plane (no second sphere kernel).
        checkpointed: the per-frequency body is rematerialised in reverse mode.
    Returns:
        int bytes.  Measured against XLA's compiled memory plan (``memory_analysis``) in
        tests/test_size_guards.py: within a factor 3 either way.

    Source: no formula (array sizes x bytes; the factor 14 was measured with jax 0.9.2 on CPU).
    """
    N, M, l1, l2 = sizes
    work = (int(order) + 1) * _frequency_bytes(sizes, n_gaps)
    if reverse:
        grid = N * (N + 1) // 2 * (M if mixing else M // 2 + 1) * (16 if mixing else 8)
        scan = _SCAN_RESIDUALS * grid * (l1 + (0 if plane else l2))
        work += scan * (1 if checkpointed else int(n_nodes)) + int(n_nodes) * _frequency_bytes(sizes, n_gaps)
    return int(work)


def _check_memory(sizes, n_freq, method, n_t0, *, order, reverse, mixing, n_gaps, limit, plane):
    """ValueError before tracing when :func:`planewave_memory_bytes` exceeds the memory limit."""
    n_nodes = _n_nodes(n_freq, method, n_t0)
    nbytes = planewave_memory_bytes(sizes, n_nodes, n_gaps=n_gaps, order=order, reverse=reverse, mixing=mixing,
                                    plane=plane)
    N, M, l1, l2 = sizes
    l2 = 0 if plane else l2
    check_memory("radius" if not reverse else "radius (reverse-mode jax.grad)", nbytes,
                 what=f"N = {N}, M = {M}, l_max = {l1}{f' + {l2}' if l2 else ''}, {n_nodes} frequencies"
                      f"{f', {n_gaps} gaps per group' if n_gaps > 1 else ''}"
                      f"{', reverse mode' if reverse else ''}",
                 way_out="a lower eta (PlaneWave(eta=0.7)); fewer distances per group (chunk_size); "
                         + ("forward mode (jaxem.casimir_force / jax.jacfwd instead of jax.grad); " if reverse else "")
                         + "ProximityForce where R/L is large; or a higher memory_limit", limit=limit)


def planewave_free_energy(L, R1, R2=math.inf, T=300.0, material1=None, material2=None, medium=None, *,
                        method="auto", rtol=1e-6, eta=1.0, truncation=None, n_frequencies=None,
                        n_t0=None, t0_step=None, screened=False, chunk_size=128, group_spread=None,
                        memory_limit=None):
    """Casimir free energy [J] of two spheres (or a sphere and a plane, R2 = inf) at temperature T.

    Internal engine of :func:`jaxem.casimir_free_energy` with :class:`jaxem.PlaneWave` (whose fields are the
    keyword options below).

    Arguments:
        L: surface-to-surface distance [m] (> 0); scalar or array (a batch, broadcast with T).
        R1: radius of sphere 1 [m] (> 0). R2: radius of sphere 2 [m] (> 0) or inf for a plane.
        T: temperature [K] (>= 0; T = 0 uses the xi-integral, then it must be 0 for the whole batch).
        material1, material2: jaxem materials (material2 defaults to material1; a plane may be
            isotropic, PEMC or bi-isotropic: 2x2 Fresnel matrix, planewave.plate_reflection_imag).
            medium: material between the bodies (vacuum if None; isotropic).
        method: "auto" (default: "matsubara", or "low_temperature" above LOW_T_SWITCH Matsubara
            frequencies), "matsubara", "psd" (Pade spectrum decomposition; fewer frequencies at short
            distance / low T) or "low_temperature" (the T = 0 integral plus the low-temperature correction,
            :func:`jaxem.thermal.low_temperature_nodes`: 126 frequencies at any T); see :func:`frequency_plan`.
        rtol: target relative accuracy of the frequency sum (sets the number of frequencies).
        eta: accuracy knob of the plane-wave truncation (1 ~ 1e-6 relative; see planewave).
        truncation: optional static (N, M, l_max[, l_max2]); n_frequencies: optional static count.
        n_t0, t0_step: the xi-quadrature at T = 0 (jaxem.thermal.zero_temperature_nodes). Default
            (both None): the exp-map rule, 42 nodes, measured <= 1.2e-7 relative for PEC, Drude and
            plasma gold, silica, polystyrene / gold in water, L = 100 nm - 10 um, plane–plane and
            sphere–plane at R/L = 10 (docs/accuracy.md). An int n_t0 alone: the
            previous Nystrom rule with n_t0 nodes (unchanged results; good for perfect conductors,
            3e-5 for Drude gold at 40 nodes). t0_step: step of the exp-map rule (nodes ~
            8.3/t0_step). screened: drop the n = 0 term (electrolyte, Debye length << L).
            chunk_size: at most this many gaps share one set of kernels in a batch at one T (see
            "Batches of distances" in the module docstring).
        group_spread: largest L/L_min within such a group (default 2; 1.25 at T = 0 with n_t0 given;
            1 gives every gap its own grid, i.e. exactly the single-point results).
        memory_limit: bytes (or "8GB") above which the call raises ValueError before tracing (default:
            jaxem._memory.memory_limit; estimate :func:`planewave_memory_bytes`).
    Returns:
        F [J], shape of the broadcast (L, T).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (2.25) (the prime, weight 1/2 of n = 0, is missing
    in the printed Eq. (8.1)) and (2.26), with the plane-wave round trip (8.6)-(8.9) and the sphere
    reflection (4.26)-(4.29); discretisation of Spreng, Maia Neto & Ingold, J. Chem. Phys. 153, 024115 (2020);
    Padé frequencies: T. Hu, J. Xu, Y. Yan, J. Chem. Phys. 133, 101106 (2010).
    """
    material2, plane, sizes, n_freq, method = _prepare(L, R1, R2, T, material1, material2, medium, method, rtol,
                                                       eta, truncation, n_frequencies)
    Lb, Tb = jnp.broadcast_arrays(jnp.asarray(L, jnp.float64), jnp.asarray(T, jnp.float64))
    R2v = jnp.asarray(R1 if plane else R2, jnp.float64)
    shape = Lb.shape
    grouped = _batch_at_one_temperature(L, T, Lb, Tb)
    _check_memory(sizes, n_freq, method, _t0_rule(n_t0, t0_step), order=0, mixing=_mixes(material1, material2),
                  reverse=reverse_mode(L, R1, R2, T, material1, material2, medium),
                  n_gaps=min(int(chunk_size), Lb.size) if grouped else 1, limit=memory_limit, plane=plane)
    common = dict(sizes=sizes, plane=plane, n_freq=n_freq, method=method, n_t0=_t0_rule(n_t0, t0_step),
                  screened=bool(screened))
    if grouped:
        # a batch of distances at one temperature: groups of gaps share every kernel (fast route)
        return _grouped(_free_energy_groups, Lb, Tb, R1, R2v, material1, material2, medium, chunk_size=chunk_size,
                        group_spread=group_spread, **common)
    out = _free_energy_batch(Lb.reshape(-1) if Lb.ndim else Lb, Tb.reshape(-1) if Tb.ndim else Tb,
                             jnp.asarray(R1, jnp.float64), R2v, material1, material2, medium,
                             chunk=min(int(chunk_size), 8), **common)
    return out.reshape(shape)


def _lift(g, wrt, L, T):
    """One more forward-mode order: (f, ..., f^(k)) -> (f, ..., f^(k+1)) along L (wrt "L") or T (tangent 1)."""
    if wrt == "L":
        p, t = jax.jvp(lambda x: g(x, T), (L,), (jnp.ones_like(L),))
    else:
        p, t = jax.jvp(lambda x: g(L, x), (T,), (jnp.ones_like(T),))
    return jnp.concatenate([p[:1], t], axis=0)


def _orders(fn, order, wrt):
    """(L, T) -> stacked (f, df, ..., d^order f) along axis 0 by nested forward-mode jvp: the value and every
    derivative up to ``order`` from one traced program (the primal of the outer jvp carries the lower orders)."""
    g = lambda L, T: fn(L, T)[None]  # noqa: E731
    for _ in range(order):
        g = functools.partial(_lift, g, wrt)
    return g


@functools.partial(jax.jit, static_argnames=("order", "wrt", "sizes", "plane", "n_freq", "method", "n_t0",
                                             "screened", "all_orders"))
def _derivative_batch(L, T, R1, R2, m1, m2, medium, *, order, wrt, sizes, plane, n_freq, method, n_t0, screened,
                      all_orders=False):
    """d^order F/dL^order or dF/dT point by point (forward-mode autodiff of Schoger Eqs. (2.25), (2.26));
    ``all_orders``: every order 0..order stacked on a leading axis (one compiled program)."""
    point = functools.partial(_free_energy_point, R1=R1, R2=R2, m1=m1, m2=m2, medium=medium, sizes=sizes,
                              plane=plane, n_freq=n_freq, method=method, n_t0=n_t0, screened=screened)
    if wrt == "L":
        # the node grid held at the gap's value (as for a group of gaps): the gap then enters only through the
        # diagonal translation factors, whose derivatives are closed forms (logdet.log_det_one_minus_gap), and no
        # tangent runs through the sphere kernels
        group = functools.partial(_free_energy_group, R1=R1, R2=R2, m1=m1, m2=m2, medium=medium, sizes=sizes,
                                  plane=plane, n_freq=n_freq, method=method, n_t0=n_t0, screened=screened, inner=None)
        point = lambda L_, T_: group(L_[None], T_, length=jax.lax.stop_gradient(L_))[0]  # noqa: E731
    stacked = _orders(point, order, wrt)
    fn = stacked if all_orders else (lambda L_, T_: stacked(L_, T_)[-1])
    if L.ndim == 0:
        return fn(L, T)
    out = batched_map(lambda lt: fn(lt[0], lt[1]), (L, T),
                      (order + 1) * _frequency_bytes(sizes, 1) * max(n_freq + 1, _T0_NODES))
    return jnp.moveaxis(out, 0, -1) if all_orders else out


def _derivative(order, wrt, L, R1, R2, T, material1, material2, medium, kw, all_orders=False):
    """d^order F/dL^order [J/m^order] (wrt "L") or dF/dT [J/K] (wrt "T") with the PlaneWave options kw;
    ``all_orders``: (F, dF, ..., d^order F) stacked on a leading axis, from one compiled program."""
    method = kw.get("method", "auto")
    material2_, plane, sizes, n_freq, method = _prepare(L, R1, R2, T, material1, material2, medium, method,
                                                        kw.get("rtol", 1e-6), kw.get("eta", 1.0), kw.get("truncation"),
                                                        kw.get("n_frequencies"), order)
    Lb, Tb = jnp.broadcast_arrays(jnp.asarray(L, jnp.float64), jnp.asarray(T, jnp.float64))
    grouped = _batch_at_one_temperature(L, T, Lb, Tb)
    _check_memory(sizes, n_freq, method, _t0_rule(kw.get("n_t0"), kw.get("t0_step")), order=order,
                  mixing=_mixes(material1, material2_),
                  reverse=reverse_mode(L, R1, R2, T, material1, material2, medium),
                  n_gaps=min(int(kw.get("chunk_size", 128)), Lb.size) if grouped else 1,
                  limit=kw.get("memory_limit"), plane=plane)
    if grouped:
        out = _grouped(_derivative_groups, Lb, Tb, R1, jnp.asarray(R1 if plane else R2, jnp.float64), material1,
                        material2_, medium, chunk_size=kw.get("chunk_size", 128), group_spread=kw.get("group_spread"),
                        sizes=sizes, n_freq=n_freq, order=order, wrt=wrt, plane=plane, method=method,
                        n_t0=_t0_rule(kw.get("n_t0"), kw.get("t0_step")), screened=bool(kw.get("screened", False)),
                        all_orders=all_orders)
        return jnp.moveaxis(out, -1, 0) if all_orders else out
    out = _derivative_batch(Lb.reshape(-1) if Lb.ndim else Lb, Tb.reshape(-1) if Tb.ndim else Tb,
                            jnp.asarray(R1, jnp.float64), jnp.asarray(R1 if plane else R2, jnp.float64),
                            material1, material2_, medium, order=order, wrt=wrt, sizes=sizes, plane=plane,
                            n_freq=n_freq, method=method, n_t0=_t0_rule(kw.get("n_t0"), kw.get("t0_step")),
                            screened=bool(kw.get("screened", False)), all_orders=all_orders)
    return out.reshape(((order + 1,) if all_orders else ()) + Lb.shape)


def _pfa(order, L, R1, R2, T, material1, material2, medium, rtol, n_k, n_t0, n_frequencies, method="auto"):
    """d^order F_PFA/dL^order, F_PFA = 2 pi R_eff int_L^inf F_pp(L') dL' [J] (Derjaguin PFA on the Lifshitz
    plane-plane free energy per area F_pp)."""
    # n_frequencies fixes the static Matsubara count (else it follows L, T: one compilation per count)
    material2, plane, _, n_freq, method = _prepare(L, R1, R2, T, material1, material2, medium, method, rtol,
                                                   1.0, (1, 1, 1), n_frequencies)
    r_eff = R1 if plane else R1 * R2 / (R1 + R2)
    Lb, Tb = jnp.broadcast_arrays(jnp.asarray(L, jnp.float64), jnp.asarray(T, jnp.float64))
    vals = _pfa_batch(Lb.reshape(-1), Tb.reshape(-1), material1, material2, medium, order=order,
                      n_freq=n_freq, n_k=int(n_k), n_t0=_t0_rule(n_t0, None), method=method).reshape(Lb.shape)
    return 2.0 * jnp.pi * r_eff * vals


@functools.partial(jax.jit, static_argnames=("order", "n_freq", "n_k", "n_t0", "method"))
def _pfa_batch(L, T, m1, m2, medium, *, order, n_freq, n_k, n_t0, method="matsubara"):
    """int_L^inf F_pp(L') dL' [J/m] (or its L-derivatives) at each (L, T), vmapped (jitted)."""
    fn = functools.partial(_pfa_point, m1=m1, m2=m2, medium=medium, n_freq=n_freq, n_k=n_k, n_t0=n_t0,
                           method=method)
    for _ in range(order):
        fn = jax.jacfwd(fn, argnums=0)
    return jax.vmap(fn)(L, T)


def _pfa_point(L, T, *, m1, m2, medium, n_freq, n_k, n_t0, method="matsubara"):
    """int_L^inf F_pp(L') dL' [J/m] at one (L, T): Matsubara sum (or the low-temperature method) or the T = 0
    integral of the Lifshitz PFA weight."""
    f = lambda xi: pw.plane_plane_pfa_density(xi, L, m1, m2, medium, n_k)  # noqa: E731
    if n_freq == 0:
        return fs.zero_temperature_integral(f, L, *n_t0)
    return fs.thermal_sum(f, T, n_freq, method, static_xi=STATIC_XI_FRACTION * _C / L, length=L, t0_rule=n_t0)
