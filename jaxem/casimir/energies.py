"""The Casimir face: one free energy for every temperature and engine, and what autodiff derives from it.

    F = casimir_free_energy(geometry, temperature, engine=...)         [J]
    casimir_force = -dF/dL [N], casimir_force_gradient = -d^2F/dL^2 [N/m], casimir_entropy = -dF/dT [J/K]
    casimir_zero_frequency_term(geometry, engine=...) = F_0/(k_B T)    (the n = 0 Matsubara term)

``geometry`` is a :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere`; ``engine`` one of
:mod:`jaxem.casimir.engines` (default :class:`PlaneWave` for the free energy, :class:`ZeroFrequency` for the
n = 0 term).  With a zero-frequency engine the free energy is its high-temperature limit k_B T F_0/(k_B T).
Every derivative goes through one helper (:func:`_derivative`): forward-mode autodiff with the engine's
sizes fixed once from the concrete geometry (Lambrecht, Neto & Reynaud, New J. Phys. 8, 243 (2006), Eq. 3
for F; forces as exact derivatives, never finite differences).

The positional forms ``casimir_free_energy(L, R1, R2, T, material1, material2, medium, ...)`` and
``casimir_free_energy_ht(L, R1, R2, material1, material2, ...)`` remain while configs, notebooks and tests
move to the geometry objects.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from jaxem._checks import check_nonnegative, check_positive
from jaxem.casimir import free_energy as _fe
from jaxem.casimir import zero_frequency as _zf
from jaxem.casimir.engines import Engine, PlaneWave, ZeroFrequency, require_sized
from jaxem.constants import k_B
from jaxem.geometry import Geometry

__all__ = [
    "casimir_free_energy",
    "casimir_force",
    "casimir_force_gradient",
    "casimir_entropy",
    "casimir_zero_frequency_term",
]


def _check(geometry, engine, default):
    if not isinstance(geometry, Geometry):
        raise ValueError(f"geometry must be a jaxem.SpherePlane or jaxem.SphereSphere, got {geometry!r}")
    engine = default if engine is None else engine
    if not isinstance(engine, Engine):
        raise ValueError(f"engine must be a jaxem Casimir engine (PlaneWave, ZeroFrequency, Multipole, "
                         f"StaticPlaneWave), got {engine!r}")
    return engine


def _zero_frequency(geometry, engine):
    require_sized(engine, geometry)
    L, R1, R2, m1, m2, medium = geometry.bodies()
    return _zf.casimir_free_energy_ht(L, R1, R2, m1, m2, medium=medium, **engine.options())


def casimir_zero_frequency_term(geometry, *, engine=None):
    """The zero-frequency (n = 0) Matsubara term of the Casimir free energy, F_0/(k_B T) (dimensionless).

    (1/2) log det(1 - M(0)), exact; negative = attractive.  It is the whole free energy when
    k_B T >> hbar c/L (large distances, high temperature) and the term where Drude and plasma models differ.
    Arguments:
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere`.
        engine: :class:`ZeroFrequency` (default: the faster route), :class:`Multipole` or
            :class:`StaticPlaneWave`.
    Returns:
        float64, the shape of the geometry's distance.
    Source: Bimonte & Emig, Phys. Rev. Lett. 109, 160403 (2012) (exact n = 0 sphere results); static
    multipole and plane-wave formulas of the scattering approach.
    """
    engine = _check(geometry, engine, ZeroFrequency())
    if not isinstance(engine, ZeroFrequency):
        raise ValueError("engine: the zero-frequency term needs ZeroFrequency, Multipole or StaticPlaneWave")
    return _zero_frequency(geometry, engine)


def _geometry_args(name, args, kwargs, engine):
    """(geometry, temperature) of a face call, or None for the positional form; extra arguments are errors."""
    if not (args and isinstance(args[0], Geometry)):
        if engine is not None:
            raise ValueError("engine: pass a geometry (jaxem.SpherePlane / SphereSphere) to use an engine")
        return None
    temperature = args[1] if len(args) > 1 else kwargs.pop("temperature", 300.0)
    if len(args) > 2 or kwargs:
        raise ValueError(f"{name}(geometry, temperature, *, engine): unexpected arguments {args[2:]} {sorted(kwargs)}")
    return args[0], temperature


def casimir_free_energy(*args, engine=None, **kwargs):
    """Casimir free energy F [J] of two bodies at temperature T (negative = attractive).

    ``casimir_free_energy(geometry, temperature=300.0, *, engine=PlaneWave())``:
        geometry: :class:`jaxem.SpherePlane` or :class:`jaxem.SphereSphere` (distances may be an array: a
            batch at one temperature shares its kernels).
        temperature: T [K] (>= 0; T = 0 is the xi-integral). Scalar or array broadcast with the distance.
        engine: :class:`PlaneWave` (all frequencies; default) or a zero-frequency engine, which gives the
            high-temperature limit k_B T F_0/(k_B T) (T > 0).
    Returns F [J], the broadcast shape of distance and temperature.

    The positional form ``casimir_free_energy(L, R1, R2, T, material1, material2, medium, **options)`` of
    :func:`jaxem.casimir.free_energy.casimir_free_energy` is still accepted during the move.
    """
    call = _geometry_args("casimir_free_energy", args, kwargs, engine)
    if call is None:
        return _fe.casimir_free_energy(*args, **kwargs)
    geometry, temperature = call
    engine = _check(geometry, engine, PlaneWave())
    check_nonnegative("temperature", temperature)
    if isinstance(engine, ZeroFrequency):
        check_positive("temperature", temperature)
        return k_B * jnp.asarray(temperature, jnp.float64) * _zero_frequency(geometry, engine)
    require_sized(engine, geometry, temperature)
    L, R1, R2, m1, m2, medium = geometry.bodies()
    return _fe.casimir_free_energy(L, R1, R2, temperature, m1, m2, medium, **engine.options())


def _derivative(order: int, wrt: str, geometry, temperature, engine):
    """d^order F / d(wrt)^order of the free energy, wrt "distance" or "temperature" (forward-mode autodiff)."""
    engine = _check(geometry, engine, PlaneWave())
    check_nonnegative("temperature", temperature)
    L, R1, R2, m1, m2, medium = geometry.bodies()
    if isinstance(engine, PlaneWave):
        require_sized(engine, geometry, temperature)
        # the plane-wave driver differentiates inside its jitted, grouped batch (kernels shared between gaps)
        return _fe._derivative(order, "L" if wrt == "distance" else "T", L, R1, R2, temperature, m1, m2, medium,
                               engine.options())
    check_positive("temperature", temperature)
    T = jnp.asarray(temperature, jnp.float64)
    if wrt == "temperature":        # F = k_B T F_0/(k_B T) and the n = 0 term does not depend on T
        if order != 1:
            return jnp.zeros(jnp.broadcast_shapes(jnp.shape(L), T.shape))
        return k_B * jnp.broadcast_to(_zero_frequency(geometry, engine), jnp.broadcast_shapes(jnp.shape(L), T.shape))
    sized = engine.sized_for(geometry)
    fn = lambda d: _zf.casimir_free_energy_ht(d, R1, R2, m1, m2, medium=medium, **sized.options())  # noqa: E731
    for _ in range(order):
        fn = jax.jacfwd(fn)
    d = jnp.asarray(L, jnp.float64)
    return k_B * T * (jnp.vectorize(fn)(d) if d.ndim else fn(d))


def casimir_force(*args, engine=None, **kwargs):
    """Casimir force -dF/dL [N] (negative = attractive), an autodiff derivative of :func:`casimir_free_energy`.

    ``casimir_force(geometry, temperature=300.0, *, engine=PlaneWave())``; the positional form of
    :func:`jaxem.casimir.free_energy.casimir_force` is still accepted during the move.
    """
    call = _geometry_args("casimir_force", args, kwargs, engine)
    if call is None:
        return _fe.casimir_force(*args, **kwargs)
    return -_derivative(1, "distance", *call, engine)


def casimir_force_gradient(*args, engine=None, **kwargs):
    """Force gradient dF_force/dL = -d^2F/dL^2 [N/m], by autodiff (see :func:`casimir_force`)."""
    call = _geometry_args("casimir_force_gradient", args, kwargs, engine)
    if call is None:
        return _fe.casimir_force_gradient(*args, **kwargs)
    return -_derivative(2, "distance", *call, engine)


def casimir_entropy(*args, engine=None, **kwargs):
    """Casimir entropy S = -dF/dT [J/K] (T > 0), by autodiff (see :func:`casimir_force`)."""
    call = _geometry_args("casimir_entropy", args, kwargs, engine)
    if call is None:
        return _fe.casimir_entropy(*args, **kwargs)
    check_positive("temperature", call[1])
    return -_derivative(1, "temperature", *call, engine)
