"""The zero-frequency (n = 0, high-temperature) Casimir term of two spheres or a sphere and a plane.

F_0 / (k_B T) = (1/2) log det(1 - M(0)) (the n = 0 Matsubara term with its weight 1/2), computed exactly by
one of two routes:

* the static multipole formula (:mod:`jaxem.casimir.multipole`), cost O(m_max l_max^3) with
  l_max ~ eta R/L: best at large distances and for small spheres;
* the plane-wave basis with closed-form (or exactly tabulated) l-sums at xi = 0 (kernels in
  :mod:`jaxem.casimir.static_planewave`, driven by :mod:`jaxem.casimir.static_planewave_driver`), cost
  O(N^2 M + M N^3) with N, M ~ sqrt(R/L): the only route for plasma planes, and the faster one from
  R/L ~ 5 on.

``method="auto"`` (the default) takes the plane-wave route when max(R_j)/L >= AUTO_PLANEWAVE_RHO = 5, for
plasma planes, and when the materials allow it and neither l_max nor m_max is given; the multipole route
otherwise.  The public face of this module is :func:`jaxem.casimir_zero_frequency_term` with the engines
:class:`jaxem.ZeroFrequency`, :class:`jaxem.Multipole`, :class:`jaxem.StaticPlaneWave`.  Both routes'
truncation rules and measured accuracy: docs/accuracy.md, "Casimir truncation".

Source: T. Schoger, "Optical and dispersion forces experienced by spherical objects", Dissertation,
Universität Augsburg (2024), Eqs. (2.25) and (9.2) (the n = 0 term and its weight 1/2, which the printed
Eq. (8.1) drops) and Sec. 9.1; the routes' sources are in their modules.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from jaxem._checks import check_choice, check_int, check_positive, is_concrete
from jaxem.geometry import is_plane
from jaxem.casimir.grouping import distance_groups, resolve_group_spread
from jaxem.casimir.multipole import DEFAULT_ETA, ht_truncation
from jaxem.casimir.static_planewave_driver import _planewave_run, _planewave_supported
from jaxem.casimir.multipole import multipole_core as _ht_core
from jaxem.casimir.multipole import multipole_setup as _prepare
from jaxem.mie.static import DIRICHLET, _kind, static_reflection
from jaxem.mie.plates import static_plane_reflection

__all__ = [
    "DIRICHLET",
    "DEFAULT_ETA",
    "METHODS",
    "AUTO_PLANEWAVE_RHO",
    "static_reflection",
    "static_plane_reflection",
    "ht_truncation",
    "zero_frequency_term",
    "zero_frequency_distances",
    "zero_frequency_traces",
]




# ----------------------------------------------------------------------------------------------
# plane-wave route (jaxem.casimir.static_planewave)

METHODS = ("auto", "multipole", "planewave")

#: "auto" uses the plane-wave route from this max(R_j)/L on (measured crossover of the two routes' run times)
AUTO_PLANEWAVE_RHO = 5.0


def _choose_method(method, L, R1, R2, material1, material2, medium, l_max, m_max, n_k=None, n_phi=None):
    """Resolve method="auto" (static): plane wave for max R_j/L >= AUTO_PLANEWAVE_RHO when supported
    (or when the plane-wave sizes n_k, n_phi are given, e.g. for traced L), or for a plasma plane."""
    check_choice("method", method, METHODS)
    check_positive("L", L)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    plane = is_plane(R2)
    if method != "auto":
        return method
    if l_max is not None or m_max is not None:
        return "multipole"
    if not _planewave_supported(material1, material2, medium, plane):
        return "multipole"
    if plane and _kind(material2) == "plasma":
        return "planewave"
    if n_k is not None and n_phi is not None:
        return "planewave"
    if not is_concrete((L, R1, R2)):
        return "multipole"
    r = float(np.max(np.asarray(R1, dtype=float)))
    if not plane:
        r = max(r, float(np.max(np.asarray(R2, dtype=float))))
    return "planewave" if r / float(np.min(np.asarray(L, dtype=float))) >= AUTO_PLANEWAVE_RHO else "multipole"


# ----------------------------------------------------------------------------------------------
# public API

def zero_frequency_term(L, R1, R2, material1, material2, *, medium=None, l_max=None, m_max=None,
                           eta: float = DEFAULT_ETA, method: str = "auto", n_k=None, n_phi=None, memory_limit=None):
    """The n = 0 Matsubara term F_0/(k_B T) (dimensionless) of two spheres or a sphere and a plane.

    (1/2) tr log(1 - M(0)) = -f/2, the full free energy (divided by k_B T) at temperatures where
    k_B T >> hbar c / L; negative = attractive.  Internal engine of :func:`jaxem.casimir_zero_frequency_term`.

    Arguments:
        L: surface-to-surface distance [m] (> 0).
        R1: radius of sphere 1 [m].  R2: radius of sphere 2 [m], jnp.inf for a plane.
        material1, material2: jaxem materials (Drude: TM only; Plasma; PerfectConductor: TM + TE;
            Dielectric / LorentzOscillators; PEMC(theta); BiIsotropic) or DIRICHLET (scalar, both).
        medium: host material (vacuum if None); Drude = electrolyte (eps_m -> inf, "ded").
        l_max: static int or (l1, l2) multipole truncation; default ht_truncation(L, R1, R2, eta).
        m_max: static number of m-blocks (default as ht_truncation).
        eta: accuracy parameter of the default truncation (both routes).
        method: "multipole" (static multipole formula, every material except a plasma plane),
            "planewave" (jaxem.casimir.static_planewave: every material; the only route for a
            plasma plane, in vacuum or an insulating medium), or
            "auto": plane wave for max(R_j)/L >= AUTO_PLANEWAVE_RHO (and for plasma planes) when
            supported and no l_max / m_max is given, multipole otherwise.
        n_k, n_phi: static plane-wave sizes (k nodes, azimuths); default ht_planewave_truncation.
        memory_limit: bytes (or "8GB") above which the call raises ValueError before tracing (default
            jaxem._memory.memory_limit; estimates: static_planewave_memory_bytes, multipole_memory_bytes).
    Returns:
        float64 F / (k_B T) (dimensionless).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (2.25), (9.2) (n = 0 term, weight 1/2; the printed
    Eq. (8.1) drops the weight), (9.3)-(9.7) (plane-wave route), (4.51)-(4.57) and (11.29) (static
    reflection of isotropic, PEMC and bi-isotropic bodies); the static multipole formula is derived here and
    checked against the exact results (9.22), (9.59) in tests/test_casimir_ht.py.
    """
    if _choose_method(method, L, R1, R2, material1, material2, medium, l_max, m_max, n_k, n_phi) == "planewave":
        return 0.5 * _planewave_run(L, R1, R2, material1, material2, medium, n_k, n_phi, eta, 0,
                                    memory_limit=memory_limit)
    geom, X1, X2, Rp, sizes, mm, modes = _prepare(L, R1, R2, material1, material2, medium, l_max, m_max, eta,
                                                  memory_limit)
    logdet = _ht_core(geom, X1, X2, Rp, sizes=sizes, m_max=mm, modes=modes, r_max=0)
    return 0.5 * logdet


def zero_frequency_traces(L, R1, R2, material1, material2, r_max: int, *, medium=None, l_max=None,
                         m_max=None, eta: float = DEFAULT_ETA, method: str = "auto", n_k=None, n_phi=None,
                         memory_limit=None):
    """Zero-frequency round-trip traces tr M^r(0), r = 1..r_max (dimensionless), summed over all m-blocks.

    f^(r) = tr M^r / r is the r-round-trip part of f = -2 F/(k_B T).  Internal engine of
    :func:`jaxem.casimir.round_trip_traces`.

    Arguments:
        L, R1, R2 [m], material1, material2, medium, l_max, m_max, eta, method, n_k, n_phi, memory_limit: as
            :func:`zero_frequency_term`.
        r_max: number of round trips (static int >= 1).
    Returns:
        float64 array (r_max,), entry r-1 = tr M^r(0) (real part; PEMC traces are real).
        In the plane-wave route (method as :func:`zero_frequency_term`) the traces are
        sum_m w_m tr (M^(m))^r of the discretised m-blocks.

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (8.2) and (9.2) (round-trip expansion of the n = 0
    term).
    """
    r_max = check_int("r_max", r_max, minimum=1)
    if _choose_method(method, L, R1, R2, material1, material2, medium, l_max, m_max, n_k, n_phi) == "planewave":
        return _planewave_run(L, R1, R2, material1, material2, medium, n_k, n_phi, eta, r_max,
                              memory_limit=memory_limit)
    geom, X1, X2, Rp, sizes, mm, modes = _prepare(L, R1, R2, material1, material2, medium, l_max, m_max, eta,
                                                  memory_limit)
    return _ht_core(geom, X1, X2, Rp, sizes=sizes, m_max=mm, modes=modes, r_max=r_max)


def zero_frequency_distances(L, R1, R2, material1, material2, *, medium=None, eta: float = DEFAULT_ETA,
                                     group_spread: float = 2.0, n_k=None, n_phi=None, batch_size="auto",
                                     memory_limit=None):
    """The n = 0 term F_0/(k_B T) (dimensionless) at many distances, the plane-wave kernels shared between them.

    The distances are sorted and split into groups with L <= group_spread * (the group's smallest L);
    each group builds its sphere kernels once on the k-grid of its smallest gap, and every distance
    then costs a diagonal rescaling (the translation factor e^{-k L}) and its LU factorisations
    (:func:`jaxem.casimir.static_planewave.planewave_ht_distances_core`).  Use it for sweeps over the
    distance at R/L >~ 5, where the plane-wave route is the right one (``method="auto"``).  Internal engine
    of the face for a concrete batch of distances with :class:`jaxem.StaticPlaneWave`.

    Arguments:
        L: 1-D array of surface distances [m] (concrete, > 0); R1, R2 [m] (R2 = inf: plane);
        material1, material2, medium: as :func:`zero_frequency_term` (materials of the plane-wave
            route: Drude, PEC, dielectric, PEMC, Dirichlet spheres; those planes and plasma planes).
        eta: accuracy (plane-wave sizes of each group's smallest gap); group_spread >= 1 (1: every
            distance on its own grid, as single calls); n_k, n_phi: fixed sizes for all groups.
        batch_size: distances vmapped together (static int; "auto": the library's rule per backend and working
            set, :func:`jaxem._batching.auto_batch_size`).
        memory_limit: as :func:`zero_frequency_term`.
    Returns:
        float64 array of L's shape; agrees with single calls to ~1e-9 at eta = 10 and group_spread = 2
        (tests/test_casimir_ht_planewave.py).  Differentiable in L (the grid is held fixed).

    Source: the translation factor e^{-k L} is diagonal in the plane-wave basis (Schoger, Dissertation
    (Augsburg 2024), Eq. (8.8)), so a gap change is a similarity D K D of the sphere kernels; this kernel
    sharing is derived here; checked in tests/test_casimir_ht_planewave.py.
    """
    L_arr = np.asarray(L, dtype=float)
    if L_arr.ndim != 1 or L_arr.size == 0:
        raise ValueError(f"L must be a non-empty 1-D array of distances, got shape {L_arr.shape}")
    check_positive("L", L_arr)
    check_positive("R1", R1)
    check_positive("R2", R2, allow_inf=True)
    spread = resolve_group_spread(group_spread)
    plane = is_plane(R2)
    if not _planewave_supported(material1, material2, medium, plane):
        raise ValueError("material1, material2: not supported by the plane-wave route "
                         "(a plasma plane in an electrolyte); use zero_frequency_term")
    from jaxem.casimir.static_planewave import resolve_batch_size

    bs = resolve_batch_size(batch_size)
    out = np.empty(L_arr.size)
    for idx in distance_groups(L_arr, spread):
        L_ref = L_arr[idx[0]]
        ells = jnp.asarray(L_arr[idx] / L_ref)
        vals = _planewave_run(L_ref, R1, R2, material1, material2, medium, n_k, n_phi, eta, 0, ells=ells,
                              batch_size=bs, memory_limit=memory_limit)
        out[idx] = 0.5 * np.asarray(vals)
    return out
