"""Casimir free energies between spheres, and a sphere and a plane, by the scattering approach.

The face (:mod:`jaxem.casimir.energies`): :func:`casimir_free_energy` [J] for every temperature and engine, and
:func:`casimir_force`, :func:`casimir_force_gradient`, :func:`casimir_entropy` derived from it by autodiff
(:func:`casimir_energy_and_force`: energy, force and optionally the force gradient from one compiled call);
:func:`casimir_zero_frequency_term` (F_0/(k_B T), the n = 0 Matsubara term) and :func:`round_trip_traces`.
They take a geometry (:class:`jaxem.SpherePlane`, :class:`jaxem.SphereSphere`) and an engine
(:mod:`jaxem.casimir.engines`): :class:`PlaneWave` (all frequencies), :class:`ProximityForce` (PFA),
:class:`ZeroFrequency`, :class:`Multipole`, :class:`StaticPlaneWave` (the n = 0 term).

Inside: ``planewave`` and ``free_energy`` (the plane-wave engine and its Matsubara/Padé sums, with
:mod:`jaxem.thermal`), ``multipole`` (the static multipole engine), ``static_planewave`` and
``static_planewave_driver`` (the n = 0 plane-wave engine), ``zero_frequency`` (the n = 0 route chooser),
``logdet`` (the log det(1 - M) both use), ``grouping`` (distance batches sharing kernels), and the exact and
asymptotic results ``closed_forms`` and ``pemc`` (used as models and as tests).
"""
from . import closed_forms, pemc  # noqa: F401
from .energies import (
    casimir_energy_and_force,
    casimir_entropy,
    casimir_force,
    casimir_force_gradient,
    casimir_free_energy,
    casimir_zero_frequency_term,
    round_trip_traces,
)
from .engines import Engine, Multipole, PlaneWave, ProximityForce, StaticPlaneWave, ZeroFrequency

__all__ = [
    "casimir_free_energy", "casimir_force", "casimir_force_gradient", "casimir_entropy", "casimir_energy_and_force",
    "casimir_zero_frequency_term", "round_trip_traces",
    "Engine", "PlaneWave", "ProximityForce", "ZeroFrequency", "Multipole", "StaticPlaneWave",
    "closed_forms", "pemc",
]
