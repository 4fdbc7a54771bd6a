"""jaxem: differentiable, batched optical and Casimir forces on spheres and nanoparticles.

jaxem computes in float64 (complex128 inside) and leaves JAX's configuration as it finds it: enable
64-bit mode once, ``jax.config.update("jax_enable_x64", True)``, before using it (kernels raise
:class:`Float64Required` otherwise). The names below are the curated public API; submodules hold the rest.
"""
__version__ = "0.1.0"

from ._checks import Float64Required
from ._runtime import warn_if_deadlocking_jaxlib as _warn_if_deadlocking_jaxlib

_warn_if_deadlocking_jaxlib()

# -- constants and units -------------------------------------------------------------------------
from .constants import ev_to_rad_per_s, matsubara_frequency, rad_per_s_to_ev, thermal_wavelength

# -- materials -----------------------------------------------------------------------------------
from .materials import (
    PEMC,
    BiIsotropic,
    Dielectric,
    Dirichlet,
    Drude,
    LorentzOscillators,
    Material,
    PerfectConductor,
    Plasma,
    TabulatedEpsilon,
    material_from_name,
)

# -- Mie scattering ------------------------------------------------------------------------------
from .mie import (
    MieEfficiencies,
    amplitude_matrix,
    bi_isotropic_reflection_matrix,
    dipole_polarizabilities,
    mie_coefficients,
    mie_efficiencies,
    pemc_reflection_matrix,
    perfect_conductor_reflection_imag,
    pemc_reflection_imag,
    reflection_coefficients_imag,
    reflection_matrix_imag,
    reflection_matrix_imag_factored,
    sphere_reflection_matrix,
    wiscombe_lmax,
)

# -- Green tensors and polarizabilities ----------------------------------------------------------
from .green import dipole_propagator_imag, green_tensor, green_tensor_em, green_tensor_magnetic
from .polarizability import (
    clausius_mossotti,
    mie_polarizabilities,
    polarizability,
    polarizability_imag,
    radiative_correction,
    sphere_polarizability,
)

# -- two trapped nanospheres (seed 000) ----------------------------------------------------------
from .potentials.casimir_polder import (
    casimir_polder_far_field_law,
    casimir_polder_near_field_law,
    casimir_polder_potential,
    casimir_polder_potential_logdet,
    casimir_polder_potential_zero_temperature,
    casimir_polder_retarded_law,
)
from .potentials.nanospheres import (
    bound_states,
    drive_intensity,
    gaussian_beam_amplitude,
    gaussian_trap_potential,
    mean_photon_number_cat,
    mean_photon_number_squeezed_vacuum,
    nanosphere_forces,
    nanosphere_potentials,
    nanosphere_potentials_and_forces,
    nanosphere_stiffness,
    optical_binding_far_field_law,
    optical_binding_near_field_law,
    optical_binding_potentials,
    pair_potential,
    potential_minima,
    potentials_vs_separation,
    rayleigh_range,
    squeezing_parameter,
    trap_potential,
    waist_from_numerical_aperture,
)

# -- random light (seed 004) ---------------------------------------------------------------------
from .potentials.random_light import (
    fit_lorentz_to_mie,
    line_wavelengths,
    pair_potential_matrix,
    random_light_cluster_potential,
    random_light_potential,
)
from .polarizability import lorentz_polarizability, reduced_lorentz_polarizabilities
from .potentials.spectrum import (
    minimal_pair_loss,
    normalized_pair_loss,
    optimal_spectrum_map,
    optimize_line_spectrum,
    optimize_line_spectrum_slsqp,
    pair_loss,
    project_to_simplex,
)

# -- Casimir free energies (scattering approach) --------------------------------------------------
from .geometry import SpherePlane, SphereSphere
from .casimir import (
    DIRICHLET,
    Multipole,
    PlaneWave,
    StaticPlaneWave,
    ZeroFrequency,
    casimir_zero_frequency_term,
    casimir_entropy,
    casimir_force,
    casimir_force_gradient,
    casimir_force_ht,
    casimir_free_energy,
    casimir_free_energy_ht,
    casimir_free_energy_ht_distances,
    casimir_pfa_force,
    casimir_pfa_force_gradient,
    casimir_pfa_free_energy,
    log_det_one_minus,
    pemc_beyond_pfa_coefficient,
    pemc_dipole_dipole_free_energy_ht,
    pemc_dipole_plane_free_energy_ht,
    pemc_pfa_free_energy_ht,
    pemc_sum_rule_ht,
    round_trip_traces,
)

# -- special functions live in jaxem.special (not re-exported: they are building blocks) ---------
from . import special  # noqa: F401

__all__ = [
    "Float64Required",
    "ev_to_rad_per_s",
    "matsubara_frequency",
    "rad_per_s_to_ev",
    "thermal_wavelength",
    "PEMC",
    "BiIsotropic",
    "Dielectric",
    "Dirichlet",
    "Drude",
    "LorentzOscillators",
    "Material",
    "PerfectConductor",
    "Plasma",
    "TabulatedEpsilon",
    "material_from_name",
    "MieEfficiencies",
    "amplitude_matrix",
    "bi_isotropic_reflection_matrix",
    "dipole_polarizabilities",
    "mie_coefficients",
    "mie_efficiencies",
    "pemc_reflection_matrix",
    "perfect_conductor_reflection_imag",
    "pemc_reflection_imag",
    "reflection_coefficients_imag",
    "reflection_matrix_imag",
    "reflection_matrix_imag_factored",
    "sphere_reflection_matrix",
    "wiscombe_lmax",
    "dipole_propagator_imag",
    "green_tensor",
    "green_tensor_em",
    "green_tensor_magnetic",
    "clausius_mossotti",
    "mie_polarizabilities",
    "polarizability",
    "polarizability_imag",
    "radiative_correction",
    "sphere_polarizability",
    "casimir_polder_far_field_law",
    "casimir_polder_near_field_law",
    "casimir_polder_potential",
    "casimir_polder_potential_logdet",
    "casimir_polder_potential_zero_temperature",
    "casimir_polder_retarded_law",
    "bound_states",
    "drive_intensity",
    "gaussian_beam_amplitude",
    "gaussian_trap_potential",
    "mean_photon_number_cat",
    "mean_photon_number_squeezed_vacuum",
    "nanosphere_forces",
    "nanosphere_potentials",
    "nanosphere_potentials_and_forces",
    "nanosphere_stiffness",
    "optical_binding_far_field_law",
    "optical_binding_near_field_law",
    "optical_binding_potentials",
    "pair_potential",
    "potential_minima",
    "potentials_vs_separation",
    "rayleigh_range",
    "squeezing_parameter",
    "trap_potential",
    "waist_from_numerical_aperture",
    "fit_lorentz_to_mie",
    "line_wavelengths",
    "lorentz_polarizability",
    "pair_potential_matrix",
    "random_light_cluster_potential",
    "random_light_potential",
    "reduced_lorentz_polarizabilities",
    "minimal_pair_loss",
    "normalized_pair_loss",
    "optimal_spectrum_map",
    "optimize_line_spectrum",
    "optimize_line_spectrum_slsqp",
    "pair_loss",
    "project_to_simplex",
    "SpherePlane",
    "SphereSphere",
    "PlaneWave",
    "ZeroFrequency",
    "Multipole",
    "StaticPlaneWave",
    "casimir_zero_frequency_term",
    "DIRICHLET",
    "casimir_entropy",
    "casimir_force",
    "casimir_force_gradient",
    "casimir_force_ht",
    "casimir_free_energy",
    "casimir_free_energy_ht",
    "casimir_free_energy_ht_distances",
    "casimir_pfa_force",
    "casimir_pfa_force_gradient",
    "casimir_pfa_free_energy",
    "log_det_one_minus",
    "pemc_beyond_pfa_coefficient",
    "pemc_dipole_dipole_free_energy_ht",
    "pemc_dipole_plane_free_energy_ht",
    "pemc_pfa_free_energy_ht",
    "pemc_sum_rule_ht",
    "round_trip_traces",
    "special",
    "__version__",
]
