"""The Casimir face: one free energy for every temperature and engine, and what autodiff derives from it.

    F = casimir_free_energy(geometry, temperature, engine=...)         [J]
    casimir_force = -dF/dL [N], casimir_force_gradient = -d^2F/dL^2 [N/m], casimir_entropy = -dF/dT [J/K]
    casimir_zero_frequency_term(geometry, engine=...) = F_0/(k_B T)    (the n = 0 Matsubara term)

``geometry`` is a :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere` (the first argument; anything
else raises ValueError: the former positional forms (L, R1, R2, T, materials) were removed); ``engine`` one
of :mod:`jaxem.casimir.engines` (default :class:`PlaneWave` for the free energy, :class:`ZeroFrequency` for
the n = 0 term; which engine to use when: :mod:`jaxem.casimir.engines`).  With a zero-frequency engine the
free energy is its high-temperature limit k_B T F_0/(k_B T).  Every derivative goes through one helper
(:func:`_derivative`): forward-mode autodiff with the engine's sizes fixed once from the concrete geometry
(forces as exact derivatives, never finite differences).

Source: the scattering formula of the Casimir free energy, A. Lambrecht, P. A. Maia Neto and S. Reynaud,
New J. Phys. 8, 243 (2006), Eq. (3); T. Schoger, "Optical and dispersion forces experienced by spherical
objects", Dissertation, Universität Augsburg (2024), Eqs. (2.25), (2.26) (Matsubara sum, T = 0 integral),
(8.5) (force) and (9.2) (the n = 0 term).
"""
from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp

from jaxem._checks import check_nonnegative, check_positive
import numpy as np

from jaxem._checks import is_concrete
from jaxem.casimir import free_energy as _fe
from jaxem.casimir import static_planewave as _spw
from jaxem.casimir import zero_frequency as _zf
from jaxem.casimir.engines import Engine, PlaneWave, ProximityForce, StaticPlaneWave, ZeroFrequency, require_sized
from jaxem.materials import PEMC
from jaxem.constants import k_B
from jaxem.geometry import Geometry, SpherePlane

__all__ = [
    "casimir_free_energy",
    "casimir_force",
    "casimir_force_gradient",
    "casimir_entropy",
    "casimir_energy_and_force",
    "casimir_zero_frequency_term",
    "round_trip_traces",
]


def _check(geometry, engine, default):
    """The engine to use (``default`` if None); a ValueError for a non-geometry or a non-engine."""
    if not isinstance(geometry, Geometry):
        raise ValueError(f"geometry must be a jaxem.SpherePlane or jaxem.SphereSphere, got {geometry!r}")
    engine = default if engine is None else engine
    if not isinstance(engine, Engine):
        raise ValueError(f"engine must be a jaxem Casimir engine (PlaneWave, ZeroFrequency, Multipole, "
                         f"StaticPlaneWave), got {engine!r}")
    return engine


def _pemc_angles(geometry):
    """theta_1 - theta_2 of a PEMC pair whose duality angles are arrays (a duality-angle sweep), else None."""
    _, _, _, m1, m2, medium = geometry.bodies()
    if not (isinstance(m1, PEMC) and isinstance(m2, PEMC)):
        return None
    if jnp.ndim(m1.theta) == 0 and jnp.ndim(m2.theta) == 0:
        return None
    if medium is not None:
        raise ValueError("medium: a sweep over PEMC duality angles is computed in vacuum only (medium=None)")
    return jnp.asarray(m1.theta, jnp.float64) - jnp.asarray(m2.theta, jnp.float64)


def _zero_frequency(geometry, engine):
    """F_0/(k_B T) of a scalar or batched geometry (batches in distance, radii or PEMC duality angles)."""
    engine = require_sized(engine, geometry)
    L, R1, R2, m1, m2, medium = geometry.bodies()
    deltas = _pemc_angles(geometry)
    batched = any(jnp.ndim(x) for x in (L, R1, R2))
    if deltas is not None:
        if batched:
            raise ValueError("geometry: sweep either the PEMC duality angles or the distance/radii, not both")
        if type(engine) is ZeroFrequency:
            engine = StaticPlaneWave(eta=engine.eta, memory_limit=engine.memory_limit)
        if not isinstance(engine, StaticPlaneWave):
            raise ValueError("engine: a sweep over PEMC duality angles needs ZeroFrequency or StaticPlaneWave "
                             "(the xi = 0 kernels are shared between the angles)")
        e = engine.sized_for(geometry)
        return _spw.pemc_duality_sweep(L, R1, R2, deltas, eta=e.eta, n_k=e.n_k, n_phi=e.n_phi,
                                               batch_size=e.batch_size)
    if not batched:
        return _zf.zero_frequency_term(L, R1, R2, m1, m2, medium=medium, **engine.options())
    sized = engine if engine.is_sized() else engine.sized_for(geometry)
    if isinstance(sized, StaticPlaneWave) and jnp.ndim(R1) == 0 and jnp.ndim(R2) == 0 and is_concrete(L):
        # a concrete batch of distances: sphere kernels built once per group of nearby gaps, each group on
        # the grid of its smallest gap (or on the engine's fixed n_k, n_phi)
        L = np.asarray(L, dtype=float)
        fixed = engine if isinstance(engine, StaticPlaneWave) else sized
        out = _zf.zero_frequency_distances(
            L.reshape(-1), R1, R2, m1, m2, medium=medium, eta=sized.eta, n_k=fixed.n_k, n_phi=fixed.n_phi,
            group_spread=2.0 if sized.group_spread is None else sized.group_spread, batch_size=sized.batch_size,
            memory_limit=sized.memory_limit)
        return jnp.asarray(out).reshape(L.shape)
    if isinstance(geometry, SpherePlane):
        one = lambda d, r1: _zf.zero_frequency_term(d, r1, R2, m1, m2, medium=medium,  # noqa: E731
                                                       **sized.options())
        return jnp.vectorize(one)(jnp.asarray(L, jnp.float64), jnp.asarray(R1, jnp.float64))
    one = lambda d, r1, r2: _zf.zero_frequency_term(d, r1, r2, m1, m2, medium=medium,  # noqa: E731
                                                       **sized.options())
    return jnp.vectorize(one)(jnp.asarray(L, jnp.float64), jnp.asarray(R1, jnp.float64),
                              jnp.asarray(R2, jnp.float64))


def round_trip_traces(geometry, r_max: int, *, engine=None):
    """Zero-frequency round-trip traces tr M^r(0), r = 1..r_max (dimensionless), summed over all m-blocks.

    f^(r) = tr M^r(0)/r is the r-round-trip part of -2 F_0/(k_B T); the traces test closed forms order by order.

    Arguments:
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere` (scalar distance [m] and radii [m]).
        r_max: number of round trips (static int >= 1).
        engine: :class:`ZeroFrequency` (default), :class:`Multipole` or :class:`StaticPlaneWave` (there the
            traces are sum_m w_m tr (M^(m))^r of the discretised m-blocks).
    Returns:
        float64 array (r_max,) (dimensionless): entry r - 1 is tr M^r(0).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (8.2) and (9.2) (round-trip expansion of the n = 0 term).
    """
    engine = _check(geometry, engine, ZeroFrequency())
    if not isinstance(engine, ZeroFrequency):
        raise ValueError("engine: round-trip traces need ZeroFrequency, Multipole or StaticPlaneWave")
    engine = require_sized(engine, geometry)
    L, R1, R2, m1, m2, medium = geometry.bodies()
    if any(jnp.ndim(x) for x in (L, R1, R2)):
        raise ValueError("geometry: round_trip_traces takes one distance and one pair of radii")
    return _zf.zero_frequency_traces(L, R1, R2, m1, m2, r_max, medium=medium, **engine.options())


def casimir_zero_frequency_term(geometry, *, engine=None):
    """The zero-frequency (n = 0) Matsubara term of the Casimir free energy, F_0/(k_B T) (dimensionless).

    (1/2) log det(1 - M(0)), exact; negative = attractive.  It is the whole free energy when
    k_B T >> hbar c/L (large distances, high temperature) and the term where Drude and plasma models differ.

    Arguments:
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere` (distances [m] and radii [m] may be
            arrays; PEMC bodies may carry an array of duality angles [rad]: a sweep sharing its kernels).
        engine: :class:`ZeroFrequency` (default: the faster route), :class:`Multipole` or
            :class:`StaticPlaneWave`.
    Returns:
        float64 F_0/(k_B T) (dimensionless), the shape of the geometry's distance (or of the duality angles).

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (2.25) and (9.2) (the n = 0 term with weight 1/2; the
    printed Eq. (8.1) drops that weight), Eqs. (9.4)-(9.7) (plane-wave route); exact n = 0 sphere results:
    Bimonte & Emig, Phys. Rev. Lett. 109, 160403 (2012); the static multipole route is derived here and
    checked in tests/test_casimir_ht.py.
    """
    engine = _check(geometry, engine, ZeroFrequency())
    if not isinstance(engine, ZeroFrequency):
        raise ValueError("engine: the zero-frequency term needs ZeroFrequency, Multipole or StaticPlaneWave")
    return _zero_frequency(geometry, engine)


def _geometry_args(name, args, kwargs, engine):
    """(geometry, temperature) of a face call; anything else (e.g. the removed positional form) is a ValueError."""
    if not (args and isinstance(args[0], Geometry)):
        got = args[0] if args else None
        raise ValueError(f"geometry: {name} takes a jaxem.SpherePlane or jaxem.SphereSphere first, got {got!r} "
                         f"(e.g. {name}(jaxem.SpherePlane(radius=R, distance=L, sphere=gold, plane=gold), 300.0))")
    temperature = args[1] if len(args) > 1 else kwargs.pop("temperature", 300.0)
    if len(args) > 2 or kwargs:
        raise ValueError(f"{name}(geometry, temperature, *, engine): unexpected arguments {args[2:]} {sorted(kwargs)}")
    return args[0], temperature


def casimir_free_energy(*args, engine=None, **kwargs):
    """Casimir free energy F [J] of two bodies at temperature T (negative = attractive).

    ``casimir_free_energy(geometry, temperature=300.0, *, engine=PlaneWave())``.  The first argument must be a
    geometry: the former positional form (L, R1, R2, T, materials) was removed and raises ValueError.

    Arguments:
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere` (distances [m] may be an array:
            a batch at one temperature shares its kernels).
        temperature: T [K] (>= 0; T = 0 is the xi-integral). Scalar or array broadcast with the distance.
        engine: :class:`PlaneWave` (all frequencies; default), :class:`ProximityForce` (PFA, any T) or a
            zero-frequency engine (:class:`ZeroFrequency`, :class:`Multipole`, :class:`StaticPlaneWave`),
            which gives the high-temperature limit k_B T F_0/(k_B T) (T > 0).
    Returns:
        F [J], float64, the broadcast shape of distance and temperature.

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (2.25) (Matsubara sum, n = 0 weighted 1/2; the prime
    is missing in the printed Eq. (8.1)) and (2.26) (T = 0); Lambrecht, Maia Neto & Reynaud, New J. Phys. 8,
    243 (2006), Eq. (3).
    """
    geometry, temperature = _geometry_args("casimir_free_energy", args, kwargs, engine)
    engine = _check(geometry, engine, PlaneWave())
    check_nonnegative("temperature", temperature)
    if isinstance(engine, ZeroFrequency):
        check_positive("temperature", temperature)
        return k_B * jnp.asarray(temperature, jnp.float64) * _zero_frequency(geometry, engine)
    engine = require_sized(engine, geometry, temperature)
    L, R1, R2, m1, m2, medium = geometry.bodies()
    if isinstance(engine, ProximityForce):
        return _pfa(0, geometry, temperature, engine)
    return _fe.planewave_free_energy(L, R1, R2, temperature, m1, m2, medium, **engine.options())


def _pfa(order, geometry, temperature, engine):
    """d^order F_PFA/dL^order [J/m^order] of the ProximityForce engine."""
    L, R1, R2, m1, m2, medium = geometry.bodies()
    o = engine.options()
    return _fe._pfa(order, L, R1, R2, temperature, m1, m2, medium, o["rtol"], o["n_k"], o["n_t0"],
                    o["n_frequencies"], o["method"])


def _sized_planewave(engine, geometry, temperature, order):
    """A PlaneWave engine ready for the order-th derivative: as :func:`require_sized`, but when it has to be sized
    here (traced inputs) its sizes are those of the derivative (planewave_sizes' ``order``; given fields kept)."""
    sized = require_sized(engine, geometry, temperature)
    if sized is not engine:
        sized = engine.sized_for(geometry, temperature, order=order)
    return sized


def _derivative(order: int, wrt: str, geometry, temperature, engine):
    """d^order F / d(wrt)^order of the free energy, wrt "distance" or "temperature" (forward-mode autodiff)."""
    engine = _check(geometry, engine, PlaneWave())
    check_nonnegative("temperature", temperature)
    L, R1, R2, m1, m2, medium = geometry.bodies()
    if isinstance(engine, ProximityForce):
        engine = require_sized(engine, geometry, temperature)
        if wrt == "distance":
            return _pfa(order, geometry, temperature, engine)
        sized = engine.sized_for(geometry, temperature)
        fn = lambda t: _pfa(0, geometry, t, sized)  # noqa: E731
        for _ in range(order):
            fn = jax.jacfwd(fn)
        return jnp.vectorize(fn)(jnp.asarray(temperature, jnp.float64))
    if isinstance(engine, PlaneWave):
        engine = _sized_planewave(engine, geometry, temperature, order)
        # the plane-wave driver differentiates inside its jitted, grouped batch (kernels shared between gaps)
        return _fe._derivative(order, "L" if wrt == "distance" else "T", L, R1, R2, temperature, m1, m2, medium,
                               engine.options())
    check_positive("temperature", temperature)
    T = jnp.asarray(temperature, jnp.float64)
    if wrt == "temperature":        # F = k_B T F_0/(k_B T) and the n = 0 term does not depend on T
        if order != 1:
            return jnp.zeros(jnp.broadcast_shapes(jnp.shape(L), T.shape))
        return k_B * jnp.broadcast_to(_zero_frequency(geometry, engine), jnp.broadcast_shapes(jnp.shape(L), T.shape))
    if _pemc_angles(geometry) is not None and type(engine) is ZeroFrequency:
        # the route of a duality-angle sweep
        engine = StaticPlaneWave(eta=engine.eta, memory_limit=engine.memory_limit)
    sized = engine if engine.is_sized() else engine.sized_for(geometry)
    if _pemc_angles(geometry) is not None:
        fn = lambda d: _zero_frequency(_with_sizes(geometry, d, R1, R2), sized)  # noqa: E731
        for _ in range(order):
            fn = jax.jacfwd(fn)
        return k_B * T * fn(jnp.asarray(L, jnp.float64))
    if isinstance(geometry, SpherePlane):        # the plane stays a Python inf: "is it a plane" is static
        fn = lambda d, r1: _zf.zero_frequency_term(d, r1, R2, m1, m2, medium=medium,  # noqa: E731
                                                      **sized.options())
        radii = (R1,)
    else:
        fn = lambda d, r1, r2: _zf.zero_frequency_term(d, r1, r2, m1, m2, medium=medium,  # noqa: E731
                                                          **sized.options())
        radii = (R1, R2)
    for _ in range(order):
        fn = jax.jacfwd(fn)
    return k_B * T * jnp.vectorize(fn)(*(jnp.asarray(x, jnp.float64) for x in (L, *radii)))


def _with_sizes(geometry, L, R1, R2):
    """The geometry with distance and radii replaced (traced values allowed)."""
    if isinstance(geometry, SpherePlane):
        return eqx.tree_at(lambda g: (g.distance, g.radius), geometry, (L, R1))
    return eqx.tree_at(lambda g: (g.distance, g.radius1, g.radius2), geometry, (L, R1, R2))


def casimir_force(*args, engine=None, **kwargs):
    """Casimir force -dF/dL [N] (negative = attractive), an autodiff derivative of :func:`casimir_free_energy`.

    ``casimir_force(geometry, temperature=300.0, *, engine=PlaneWave())``; a non-geometry first argument (the
    removed positional form) raises ValueError.

    Arguments:
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere` (distances [m] may be an array).
        temperature: T [K] (>= 0; > 0 with a zero-frequency engine), broadcast with the distance.
        engine: as :func:`casimir_free_energy`.
    Returns:
        -dF/dL [N], float64, the broadcast shape of distance and temperature.

    Source: Schoger, Dissertation (Augsburg 2024), Eq. (8.5) (F = -dF/dL of the scattering formula), here by
    forward-mode autodiff of Eqs. (2.25), (2.26).
    """
    call = _geometry_args("casimir_force", args, kwargs, engine)
    return -_derivative(1, "distance", *call, engine)


def casimir_force_gradient(*args, engine=None, **kwargs):
    """Force gradient dF_force/dL = -d^2F/dL^2 [N/m], by autodiff (see :func:`casimir_force`).

    Arguments:
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere` (distances [m] may be an array).
        temperature: T [K] (>= 0; > 0 with a zero-frequency engine), broadcast with the distance.
        engine: as :func:`casimir_free_energy`.
    Returns:
        -d^2F/dL^2 [N/m], float64, the broadcast shape of distance and temperature.

    Source: the second L-derivative of Schoger, Dissertation (Augsburg 2024), Eqs. (2.25), (2.26), by
    forward-mode autodiff.
    """
    call = _geometry_args("casimir_force_gradient", args, kwargs, engine)
    return -_derivative(2, "distance", *call, engine)


def casimir_energy_and_force(*args, engine=None, force_gradient=False, **kwargs):
    """Free energy F [J] and force -dF/dL [N] (and, with ``force_gradient=True``, -d^2F/dL^2 [N/m]) from one call.

    ``casimir_energy_and_force(geometry, temperature=300.0, *, engine=PlaneWave(), force_gradient=False)``.
    With the plane-wave engine the value and its derivatives come from one compiled program (nested
    forward-mode autodiff: the primal of the outer jvp carries the lower orders), so a one-off run pays one
    compilation instead of one per quantity, and the sizes (truncation, number of frequencies) are those of
    the highest derivative asked for (:func:`jaxem.casimir.free_energy.planewave_sizes` with ``order``: a finer
    angular grid and more frequencies, so that the derivative meets the energy's accuracy), the same as
    :func:`casimir_force` (or :func:`casimir_force_gradient`) use: the values agree with those functions (and
    with :func:`casimir_free_energy` on ``PlaneWave().sized_for(geometry, T, order=k)``) to rounding.  Other
    engines: the separate calls.

    Arguments:
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere` (distances [m] may be an array).
        temperature: T [K] (>= 0; > 0 with a zero-frequency engine), broadcast with the distance.
        engine: as :func:`casimir_free_energy`.
        force_gradient: also return the force gradient (the third entry).
    Returns:
        (F [J], force [N]) or (F [J], force [N], force gradient [N/m]), float64 arrays of the broadcast shape of
        distance and temperature.

    Source: Schoger, Dissertation (Augsburg 2024), Eqs. (2.25), (2.26) (free energy) and (8.5) (force = -dF/dL),
    derivatives by forward-mode autodiff of the same sum.
    """
    call = _geometry_args("casimir_energy_and_force", args, kwargs, engine)
    if not isinstance(force_gradient, bool):
        raise ValueError(f"force_gradient must be True or False, got {force_gradient!r}")
    order = 2 if force_gradient else 1
    geometry, temperature = call
    engine = _check(geometry, engine, PlaneWave())
    if isinstance(engine, PlaneWave):
        check_nonnegative("temperature", temperature)
        engine = _sized_planewave(engine, geometry, temperature, order)
        L, R1, R2, m1, m2, medium = geometry.bodies()
        vals = _fe._derivative(order, "L", L, R1, R2, temperature, m1, m2, medium, engine.options(),
                               all_orders=True)
        return tuple(v if k == 0 else -v for k, v in enumerate(vals))
    out = (casimir_free_energy(geometry, temperature, engine=engine), -_derivative(1, "distance", *call, engine))
    return out + ((-_derivative(2, "distance", *call, engine),) if force_gradient else ())


def casimir_entropy(*args, engine=None, **kwargs):
    """Casimir entropy S = -dF/dT [J/K] (T > 0), by autodiff (see :func:`casimir_force`).

    With a zero-frequency engine F = k_B T F_0/(k_B T) and S = -k_B F_0/(k_B T) (the n = 0 term does not depend
    on T).

    Arguments:
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere` (distances [m] may be an array).
        temperature: T [K] (> 0), broadcast with the distance.
        engine: as :func:`casimir_free_energy`.
    Returns:
        S [J/K], float64, the broadcast shape of distance and temperature.

    Source: S = -dF/dT of Schoger, Dissertation (Augsburg 2024), Eq. (2.25), by forward-mode autodiff.
    """
    call = _geometry_args("casimir_entropy", args, kwargs, engine)
    check_positive("temperature", call[1])
    return -_derivative(1, "temperature", *call, engine)
