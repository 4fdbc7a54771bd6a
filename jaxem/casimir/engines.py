"""Casimir engines: how the round trip is computed, as objects whose array sizes are static fields.

An engine is passed to the Casimir face (:func:`jaxem.casimir_free_energy` and its derivatives), like a solver
to ``diffrax.diffeqsolve``.  Sizes left as ``None`` are fixed once from the concrete geometry (and
temperature) by :meth:`Engine.sized_for`; an engine with every size given can be used under ``jax.jit``,
``jax.grad`` and ``jax.vmap`` over any parameter of the geometry.

* :class:`PlaneWave`: every Matsubara frequency (or the T = 0 integral) in the plane-wave basis: the full
  free energy at any temperature (M. Hartmann, G.-L. Ingold and P. A. Maia Neto, Phys. Rev. Lett. 119,
  043901 (2017); Lambrecht, Maia Neto & Reynaud, New J. Phys. 8, 243 (2006)).
* :class:`ProximityForce`: the proximity-force approximation 2 pi R_eff int_L^inf F_pp(L') dL' built on the
  Lifshitz plane-plane free energy per area F_pp (any temperature), the large-R/L limit of the exact result.
* :class:`Multipole`, :class:`StaticPlaneWave`, :class:`ZeroFrequency`: the exact zero-frequency (n = 0)
  term only, which is the free energy's high-temperature limit k_B T f_0 (k_B T >> hbar c/L): the static
  multipole formula, the plane-wave basis with closed-form l-sums at xi = 0, or the faster of the two for
  the geometry (``ZeroFrequency``, the default n = 0 engine).

Which engine when:

* the free energy, force or entropy at a given temperature (T = 0 included), any material: ``PlaneWave``
  (the default).  Its cost grows with R/L (N, M ~ sqrt(R/L) plane waves, l_max ~ 12 R/L multipoles).
* R/L so large that ``PlaneWave`` is too slow, or the leading large-sphere term (corrections of relative
  order L/R): ``ProximityForce``.
* high temperatures or large distances (L >> hbar c/(k_B T), 7.6 um at 300 K), the n = 0 term on its own
  (where the Drude and plasma models differ), PEMC duality-angle sweeps: ``ZeroFrequency``, which picks
  ``StaticPlaneWave`` for max(R)/L >= 5 and for plasma planes and ``Multipole`` otherwise.  Name
  ``Multipole`` to set l_max, m_max yourself; name ``StaticPlaneWave`` for sweeps over the distance (kernels
  shared between nearby gaps) or to fix n_k, n_phi.
* under ``jax.jit`` / ``jax.grad`` / ``jax.vmap`` over geometry parameters: any engine, sized first with
  :meth:`Engine.sized_for` on the concrete extreme of the sweep.
"""
from __future__ import annotations

import dataclasses

import equinox as eqx
import numpy as np

from jaxem._checks import (check_bool, check_choice, check_int, check_positive, check_range, check_scalar,
                           is_concrete, known_values)

__all__ = ["Engine", "PlaneWave", "ZeroFrequency", "Multipole", "StaticPlaneWave", "ProximityForce"]


class Engine(eqx.Module):
    """Base class of the Casimir engines (abstract): no formula, only the sizing interface.

    Each engine's static sizes are fields of its subclass; :meth:`sized_for` fixes those left as None.
    """

    def sized_for(self, geometry, temperature=None) -> "Engine":
        """This engine with every size fixed from the concrete ``geometry`` (and temperature)."""
        raise NotImplementedError

    def is_sized(self) -> bool:
        """True when every static size is fixed (the engine can run on traced geometry parameters)."""
        return False


def _need_concrete(geometry, what, temperature=None):
    """(L, R1, R2) of a concrete geometry; a ValueError naming ``what`` when they are traced."""
    L, R1, R2, *_ = geometry.bodies()
    known = known_values((L, R1, R2, temperature))
    if known is None:
        raise ValueError(f"{what} must be fixed before tracing under jax.jit: call "
                         "engine.sized_for(geometry, temperature) on concrete values (the largest radius and "
                         "smallest distance of the sweep) and pass that engine (eager jax.grad/jax.vmap size "
                         "themselves from the values they carry)")
    return known[:3]


def _known_temperature(temperature):
    """Concrete T [K] (also behind an eager grad/vmap tracer; the lowest of a batch), or a ValueError."""
    known = known_values(temperature)
    if known is None:
        raise ValueError("temperature: pass a concrete temperature to engine.sized_for (the number of "
                         "Matsubara frequencies depends on it)")
    return float(np.min(np.asarray(known, dtype=float)))      # the lowest T needs the most frequencies


def _hardest(geometry, what):
    """(smallest distance, largest radius 1, largest radius 2) of a concrete, possibly batched geometry:
    the point of a batch that needs the largest truncation."""
    L, R1, R2 = _need_concrete(geometry, what)
    return (float(np.min(np.asarray(L, dtype=float))), float(np.max(np.asarray(R1, dtype=float))),
            float(np.max(np.asarray(R2, dtype=float))))


def _check_accuracy(eta=None, rtol=None):
    """The accuracy knobs every engine shares: eta > 0 (a truncation scale), 0 < rtol < 1 (a relative error)."""
    if eta is not None:
        check_positive("eta", check_scalar("eta", eta))
    if rtol is not None:
        check_range("rtol", check_scalar("rtol", rtol), 0.0, 1.0)


def _check_memory_limit(limit):
    """A memory_limit field: None, a number of bytes or a size string (jaxem._memory.parse_bytes)."""
    if limit is not None:
        from jaxem._memory import parse_bytes

        parse_bytes(limit)


def _check_t0_rule(n_t0, t0_step=None):
    from jaxem.casimir.free_energy import _t0_rule

    _t0_rule(n_t0, t0_step)


def require_sized(engine, geometry, temperature=None):
    """The engine ready to run on this geometry: itself when sized or when every input is concrete (the
    kernels then size themselves); sized from the values behind the tracers inside an eager ``jax.grad``,
    ``jax.jacfwd``, ``jax.hessian`` or ``jax.vmap`` (the hardest point of a batch); a clear ValueError under
    ``jax.jit`` with unsized engine.

    Arguments:
        engine: a Casimir engine.
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere`.
        temperature: T [K] or None (checked for concreteness with the geometry).
    Returns:
        ``engine``, or ``engine.sized_for(geometry, temperature)`` when the inputs are traced.

    Source: no formula (bookkeeping of static sizes).
    """
    if engine.is_sized():
        return engine
    L, R1, R2, *_ = geometry.bodies()
    if is_concrete((L, R1, R2, temperature)):
        return engine
    _need_concrete(geometry, f"the sizes of {type(engine).__name__}", temperature)
    if temperature is None:
        return engine.sized_for(geometry)
    return engine.sized_for(geometry, temperature)


class PlaneWave(Engine):
    """All frequencies in the plane-wave basis: the full Casimir free energy at any temperature [J].

    Use it for the free energy, force, force gradient and entropy at any temperature (T = 0 included) and
    any material; where only the n = 0 term matters (L >> hbar c/(k_B T)) a zero-frequency engine is faster.

    The fields are the constructor's keyword arguments, all static.

    Arguments:
        eta: accuracy of the truncation (1 ~ 1e-6 relative; N, M ~ sqrt(R/L), l_max ~ 12 eta R/L).
        frequencies: "auto" (default: the Matsubara sum; the Padé frequencies where they are at most 0.6 times
            as many, i.e. at short gaps or low temperature (free_energy.PSD_SWITCH; 25 instead of 84 at 100 nm and
            300 K); above 512 Matsubara frequencies, i.e. at very low temperature, the T = 0 integral plus the
            low-temperature correction, whose 126 frequencies do not grow like 1/T), "matsubara" (force the sum;
            more than 20,000 frequencies raise ValueError),
            "psd" (Pade spectrum decomposition of the Bose function; fewer frequencies at short distance or
            low temperature) or "low_temperature" (force the low-T method; jaxem.thermal.low_temperature_nodes).
        rtol: target relative accuracy of the frequency sum (sets the number of frequencies).
        truncation: (N, M, l_max[, l_max2]) or None (from the geometry).
        n_frequencies: number of Matsubara/Pade frequencies or None (from the geometry and T).
        n_t0, t0_step: the T = 0 xi-rule (default: the exp-map rule, 42 nodes; jaxem.thermal).
        screened: drop the n = 0 term (an electrolyte whose Debye length is << L).
        chunk_size, group_spread: batches of distances at one temperature share their kernels in groups
            of at most chunk_size gaps with L <= group_spread * L_min (jaxem.casimir.grouping).
        memory_limit: bytes (or a string like "8GB") above which a call raises ValueError before tracing;
            None: $JAXEM_MEMORY_LIMIT, else half of the machine's memory (the device's on a GPU).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (2.25), (2.26) (the prime of the Matsubara sum is
    missing in the printed Eq. (8.1)), (8.6)-(8.9) (plane-wave round trip) and (4.26)-(4.29) (sphere
    reflection); the plane-wave method and truncation rules of B. Spreng, P. A. Maia Neto and G.-L. Ingold,
    J. Chem. Phys. 153, 024115 (2020); Padé frequencies: T. Hu, J. Xu, Y. Yan, J. Chem. Phys. 133, 101106 (2010).
    """

    eta: float = eqx.field(static=True, default=1.0)
    frequencies: str = eqx.field(static=True, default="auto")
    rtol: float = eqx.field(static=True, default=1e-6)
    truncation: tuple | None = eqx.field(static=True, default=None)
    n_frequencies: int | None = eqx.field(static=True, default=None)
    n_t0: int | None = eqx.field(static=True, default=None)
    t0_step: float | None = eqx.field(static=True, default=None)
    screened: bool = eqx.field(static=True, default=False)
    chunk_size: int = eqx.field(static=True, default=128)
    group_spread: float | None = eqx.field(static=True, default=None)
    memory_limit: float | str | None = eqx.field(static=True, default=None)

    def __check_init__(self):
        from jaxem.casimir.free_energy import FREQUENCY_METHODS

        _check_accuracy(eta=self.eta, rtol=self.rtol)
        check_choice("frequencies", self.frequencies, FREQUENCY_METHODS)
        _check_memory_limit(self.memory_limit)
        if self.truncation is not None:
            if not isinstance(self.truncation, (tuple, list)) or len(self.truncation) not in (3, 4):
                raise ValueError(f"truncation must be (N, M, l_max[, l_max2]), got {self.truncation!r}")
            for t in self.truncation:
                check_int("truncation", t, minimum=1)
        if self.n_frequencies is not None:
            check_int("n_frequencies", self.n_frequencies, minimum=1)
        _check_t0_rule(self.n_t0, self.t0_step)
        check_bool("screened", self.screened)
        check_int("chunk_size", self.chunk_size, minimum=1)
        if self.group_spread is not None:
            from jaxem.casimir.grouping import resolve_group_spread

            resolve_group_spread(self.group_spread)

    def is_sized(self) -> bool:
        return self.truncation is not None and self.n_frequencies is not None

    def options(self) -> dict:
        """Keyword arguments of the plane-wave driver (jaxem.casimir.free_energy.planewave_free_energy)."""
        return dict(method=self.frequencies, rtol=self.rtol, eta=self.eta, truncation=self.truncation,
                    n_frequencies=self.n_frequencies, n_t0=self.n_t0, t0_step=self.t0_step,
                    screened=self.screened, chunk_size=self.chunk_size, group_spread=self.group_spread,
                    memory_limit=self.memory_limit)

    def sized_for(self, geometry, temperature=300.0, order=0) -> "PlaneWave":
        """The engine with its truncation and number of frequencies fixed for this geometry and temperature;
        ``order``: the L-derivative the sizes must meet the accuracy for (0: the energy, 1: the force, 2: the
        force gradient: a finer angular grid M and more frequencies, free_energy.planewave_sizes; the face's
        derivatives without a sized engine use their own order)."""
        from jaxem.casimir.free_energy import frequency_plan, planewave_sizes
        from jaxem.geometry import is_plane

        if self.truncation is not None and self.n_frequencies is not None:
            return self
        L, R1, R2 = _need_concrete(geometry, "the plane-wave truncation and the number of frequencies")
        temperature = _known_temperature(temperature)
        sizes, _ = planewave_sizes(L, R1, R2, 0.0, eta=self.eta, order=order)
        method, n_freq = self.frequencies, self.n_frequencies
        if n_freq is None:
            method, n_freq = frequency_plan(L, temperature, self.frequencies, self.rtol, order)
            if temperature <= 0:             # T = 0: the count is unused; keep the scheme for a later T > 0
                method = self.frequencies
        truncation = self.truncation if self.truncation is not None else (sizes[:3] if is_plane(R2) else sizes)
        return dataclasses.replace(self, frequencies=method, truncation=tuple(int(t) for t in truncation),
                                   n_frequencies=max(int(n_freq), 1))


class ZeroFrequency(Engine):
    """The exact zero-frequency (n = 0) term F_0/(k_B T) (dimensionless), by the faster route for the geometry.

    The plane-wave route (:class:`StaticPlaneWave`) when max(R)/L >= 5 or for a plasma plane, the static
    multipole formula (:class:`Multipole`) otherwise.  Use it for high temperatures or large distances
    (L >> hbar c/(k_B T)), the Drude-plasma difference, and PEMC duality-angle sweeps.

    The field is the constructor's keyword argument, static.

    Arguments:
        eta: accuracy of both routes' default truncation (10 ~ 1e-8 relative).
        memory_limit: bytes (or "8GB") above which a call raises ValueError before tracing; None:
            $JAXEM_MEMORY_LIMIT, else half of the machine's memory (the device's on a GPU).

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (9.2) (the n = 0 term) and Sec. 9.1; the two routes:
    :class:`Multipole`, :class:`StaticPlaneWave`.
    """

    eta: float = eqx.field(static=True, default=10.0)
    memory_limit: float | str | None = eqx.field(static=True, default=None)

    def __check_init__(self):
        _check_accuracy(eta=self.eta)
        _check_memory_limit(self.memory_limit)

    def route(self) -> str:
        return "auto"

    def options(self) -> dict:
        return dict(method=self.route(), eta=self.eta, memory_limit=self.memory_limit)

    def sized_for(self, geometry, temperature=None) -> "ZeroFrequency":
        from jaxem.casimir.zero_frequency import _choose_method

        L, R1, R2 = _hardest(geometry, "the zero-frequency route and truncation")
        _, _, _, m1, m2, medium = geometry.bodies()
        route = _choose_method(self.route(), L, R1, R2, m1, m2, medium, None, None)
        engine = (StaticPlaneWave if route == "planewave" else Multipole)(eta=self.eta, memory_limit=self.memory_limit)
        return engine.sized_for(geometry)


class Multipole(ZeroFrequency):
    """The zero-frequency term F_0/(k_B T) (dimensionless) by the static multipole formula.

    Every material except a plasma plane; best at moderate R/L (below ~5): cost O(m_max l_max^3) with
    l_max ~ eta R/L.

    The fields are the constructor's keyword arguments, all static.

    Arguments:
        eta: accuracy of the default truncation l_max = eta R/L + 4 (10 ~ 1e-8 relative).
        l_max: int or (l1, l2) multipole truncation, or None (from the geometry).
        m_max: number of m-blocks, or None (from the geometry).

    Source: the static reflection X(l) of Schoger, Dissertation (Augsburg 2024), Eqs. (4.51)-(4.57) and
    (11.29); the static multipole (solid-harmonic) translation formula is derived here and checked against
    the exact results (9.22), (9.59) in tests/test_casimir_ht.py.
    """

    eta: float = eqx.field(static=True, default=10.0)
    l_max: int | tuple | None = eqx.field(static=True, default=None)
    m_max: int | None = eqx.field(static=True, default=None)

    def __check_init__(self):
        if isinstance(self.l_max, (tuple, list)):
            if len(self.l_max) != 2:
                raise ValueError(f"l_max must be an int or a pair (l1, l2), got {self.l_max!r}")
            check_int("l_max", self.l_max[0], minimum=1)
            check_int("l_max", self.l_max[1], minimum=0)      # 0: the plane's entry
        elif self.l_max is not None:
            check_int("l_max", self.l_max, minimum=1)
        if self.m_max is not None:
            check_int("m_max", self.m_max, minimum=0)

    def route(self) -> str:
        return "multipole"

    def is_sized(self) -> bool:
        return self.l_max is not None and self.m_max is not None

    def options(self) -> dict:
        return dict(method="multipole", eta=self.eta, l_max=self.l_max, m_max=self.m_max,
                    memory_limit=self.memory_limit)

    def sized_for(self, geometry, temperature=None) -> "Multipole":
        from jaxem.casimir.multipole import ht_truncation

        if self.l_max is not None and self.m_max is not None:
            return self
        L, R1, R2 = _hardest(geometry, "l_max and m_max")
        l1, l2, mm = ht_truncation(L, R1, R2, self.eta)
        l_max = self.l_max if self.l_max is not None else (l1, max(l2, 1))
        m_max = self.m_max if self.m_max is not None else mm
        return Multipole(eta=self.eta, l_max=l_max, m_max=m_max, memory_limit=self.memory_limit)


class StaticPlaneWave(ZeroFrequency):
    """The zero-frequency term F_0/(k_B T) (dimensionless) in the plane-wave basis with closed-form l-sums.

    The l-sums are closed forms or exactly tabulated (plasma and bi-isotropic spheres).  Every material, and
    the only route for plasma planes; cost grows like (R/L)^2 instead of (R/L)^4.  Use it for max(R)/L >= 5,
    for sweeps over the distance (kernels shared) and over PEMC duality angles.

    The fields are the constructor's keyword arguments, all static.

    Arguments:
        eta: accuracy of the default sizes N ~ 4 + 0.65 eta sqrt(R/L), M ~ 2.2 sqrt(eta R/L).
        n_k, n_phi: number of k-nodes and azimuths, or None (from the geometry).
        group_spread: >= 1, default 2: a concrete batch of distances is split into groups with
            L <= group_spread * (the group's smallest L) that share their sphere kernels.
        batch_size: distances (or PEMC duality angles) vmapped together (int, or "auto": 1 on CPU, 64 on
            accelerators).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (9.3)-(9.7) and (11.29) (zero-frequency plane-wave
    reflection); the closed-form and tabulated l-sums and the discretisation are derived here and checked in
    tests/test_casimir_ht_planewave.py.
    """

    eta: float = eqx.field(static=True, default=10.0)
    n_k: int | None = eqx.field(static=True, default=None)
    n_phi: int | None = eqx.field(static=True, default=None)
    group_spread: float | None = eqx.field(static=True, default=None)
    batch_size: int | str = eqx.field(static=True, default="auto")

    def __check_init__(self):
        from jaxem.casimir.grouping import resolve_group_spread
        from jaxem.casimir.static_planewave import resolve_batch_size

        for name in ("n_k", "n_phi"):
            if getattr(self, name) is not None:
                check_int(name, getattr(self, name), minimum=1)
        if self.group_spread is not None:
            resolve_group_spread(self.group_spread)
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            resolve_batch_size(self.batch_size)

    def route(self) -> str:
        return "planewave"

    def is_sized(self) -> bool:
        return self.n_k is not None and self.n_phi is not None

    def options(self) -> dict:
        return dict(method="planewave", eta=self.eta, n_k=self.n_k, n_phi=self.n_phi,
                    memory_limit=self.memory_limit)

    def sized_for(self, geometry, temperature=None) -> "StaticPlaneWave":
        from jaxem.casimir.static_planewave import ht_planewave_truncation

        if self.n_k is not None and self.n_phi is not None:
            return self
        L, R1, R2 = _hardest(geometry, "n_k and n_phi")
        N, M = ht_planewave_truncation(L, R1, R2, self.eta)
        return dataclasses.replace(self, n_k=self.n_k if self.n_k is not None else N,
                                   n_phi=self.n_phi if self.n_phi is not None else M)


class ProximityForce(Engine):
    """The proximity-force approximation (PFA) on the Lifshitz plane-plane free energy, any temperature [J].

    F_PFA = 2 pi R_eff int_L^inf F_pp(L') dL', R_eff = R1 R2/(R1 + R2) (R for a sphere and a plane); the L'
    integral is done in closed form with Li_2.  Use it where R/L is too large for :class:`PlaneWave`, or for
    the leading large-sphere term (corrections of relative order L/R).

    The fields are the constructor's keyword arguments, all static.

    Arguments:
        rtol: target relative accuracy of the frequency sum.
        n_k: k-quadrature nodes of the plane-plane integrand.
        n_t0: T = 0 rule (None: the exp-map rule).
        n_frequencies: number of Matsubara frequencies (None: from the geometry and T).
        frequencies: "auto" (default: Matsubara, or the low-temperature method at very low T, as
            :class:`PlaneWave`), "matsubara" or "low_temperature".

    Source: Derjaguin's proximity-force approximation with the Lifshitz formula (Lifshitz, Sov. Phys. JETP 2,
    73 (1956)); Schoger, Dissertation (Augsburg 2024), Sec. 9.3 (PFA limit of the sphere results).
    """

    rtol: float = eqx.field(static=True, default=1e-6)
    n_k: int = eqx.field(static=True, default=80)
    n_t0: int | None = eqx.field(static=True, default=None)
    n_frequencies: int | None = eqx.field(static=True, default=None)
    frequencies: str = eqx.field(static=True, default="auto")

    def __check_init__(self):
        _check_accuracy(rtol=self.rtol)
        check_choice("frequencies", self.frequencies, ("auto", "matsubara", "low_temperature"))
        check_int("n_k", self.n_k, minimum=2)
        _check_t0_rule(self.n_t0)
        if self.n_frequencies is not None:
            check_int("n_frequencies", self.n_frequencies, minimum=1)

    def is_sized(self) -> bool:
        return self.n_frequencies is not None

    def options(self) -> dict:
        return dict(rtol=self.rtol, n_k=self.n_k, n_t0=self.n_t0, n_frequencies=self.n_frequencies,
                    method=self.frequencies)

    def sized_for(self, geometry, temperature=300.0) -> "ProximityForce":
        from jaxem.casimir.free_energy import frequency_plan

        if self.n_frequencies is not None:
            return self
        L, R1, R2 = _need_concrete(geometry, "the number of frequencies")
        temperature = _known_temperature(temperature)
        method, n_freq = frequency_plan(L, temperature, self.frequencies, self.rtol)
        if method == "psd":               # "auto" at short gaps: the PFA's sum has no Padé route (and is cheap)
            method, n_freq = frequency_plan(L, temperature, "matsubara", self.rtol)
        return dataclasses.replace(self, n_frequencies=max(int(n_freq), 1),
                                   frequencies=method if temperature > 0 else self.frequencies)
