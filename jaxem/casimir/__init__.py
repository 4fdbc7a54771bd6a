"""Casimir free energies between spheres (and a sphere and a plane) by the scattering approach.

- ``zero_frequency``: the n = 0 (high-temperature) term and its route chooser, by ``multipole`` (the static
  multipole round trip, every material including PEMC and bi-isotropic spheres) or ``static_planewave``
  (the plane-wave basis with closed-form l-sums at xi = 0, tabulated exactly for plasma and bi-isotropic
  spheres; default at R/L >= 5).
- ``planewave`` + ``free_energy`` (with ``jaxem.thermal``): any temperature (Matsubara / Pade sums, T = 0
  integral) in the plane-wave basis (casimir-spheres.md §2.1-2.2, scattering.md §2.8).
- ``energies`` (the face: one free energy for every engine, forces, force gradients and entropy by autodiff)
  with ``engines`` (PlaneWave, ZeroFrequency, Multipole, StaticPlaneWave) on ``jaxem.geometry``'s set-ups.
- ``logdet``: the stable log det(1 - M) and round-trip traces shared by both engines.
- ``closed_forms``, ``pemc``: exact and asymptotic results used as tests and as models.
"""
from . import closed_forms  # noqa: F401
from .energies import (
    casimir_entropy,
    casimir_force,
    casimir_force_gradient,
    casimir_free_energy,
    casimir_zero_frequency_term,
    round_trip_traces,
)
from .engines import Engine, Multipole, PlaneWave, ProximityForce, StaticPlaneWave, ZeroFrequency
from .free_energy import (
    casimir_pfa_force,
    casimir_pfa_force_gradient,
    casimir_pfa_free_energy,
    casimir_sizes,
)
from .logdet import log_det_one_minus
from .static_planewave import ht_planewave_truncation, pemc_free_energy_ht_deltas
from .pemc import (
    pemc_beyond_pfa_coefficient,
    pemc_beyond_pfa_energy_correction_t0,
    pemc_dipole_dipole_free_energy_ht,
    pemc_dipole_plane_free_energy_ht,
    pemc_pfa_energy_t0,
    pemc_pfa_free_energy_ht,
    pemc_sum_rule_dipole_dipole,
    pemc_sum_rule_dipole_dipole_ht,
    pemc_sum_rule_ht,
    pemc_sum_rule_leading_round_trip_ht,
)
from jaxem.mie.static import DIRICHLET, static_reflection
from jaxem.mie.plates import static_plane_reflection
from .multipole import ht_truncation
from .zero_frequency import (
    casimir_force_ht,
    casimir_free_energy_ht,
    casimir_free_energy_ht_distances,
    round_trip_traces_ht,
)


__all__ = [
    "Engine", "Multipole", "PlaneWave", "ProximityForce", "StaticPlaneWave", "ZeroFrequency", "casimir_zero_frequency_term",
    "DIRICHLET", "casimir_entropy", "casimir_force", "casimir_force_gradient", "casimir_force_ht",
    "casimir_free_energy", "casimir_free_energy_ht", "casimir_free_energy_ht_distances",
    "casimir_pfa_force", "casimir_pfa_force_gradient",
    "casimir_pfa_free_energy", "casimir_sizes", "closed_forms", "ht_planewave_truncation", "ht_truncation",
    "log_det_one_minus", "pemc_free_energy_ht_deltas",
    "pemc_beyond_pfa_coefficient", "pemc_beyond_pfa_energy_correction_t0", "pemc_dipole_dipole_free_energy_ht",
    "pemc_dipole_plane_free_energy_ht", "pemc_pfa_energy_t0", "pemc_pfa_free_energy_ht", "pemc_sum_rule_dipole_dipole",
    "pemc_sum_rule_dipole_dipole_ht", "pemc_sum_rule_ht", "pemc_sum_rule_leading_round_trip_ht",
    "round_trip_traces", "round_trip_traces_ht", "static_plane_reflection", "static_reflection",
]
