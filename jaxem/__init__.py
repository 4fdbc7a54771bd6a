"""jaxem: differentiable, batched optical and Casimir forces on spheres and nanoparticles.

jaxem computes in float64 (complex128 inside) and leaves JAX's configuration as it finds it: enable
64-bit mode once, ``jax.config.update("jax_enable_x64", True)``, before using it (kernels raise
:class:`Float64Required` otherwise).

The names below are the curated public API, one per physical idea; the subpackages hold the building
blocks: :mod:`jaxem.special` (special functions, quadrature), :mod:`jaxem.mie` (every Mie and reflection
coefficient), :mod:`jaxem.green`, :mod:`jaxem.polarizabilities`, :mod:`jaxem.thermal` (Matsubara and Padé sums),
:mod:`jaxem.casimir` (engines, closed forms, PEMC results), :mod:`jaxem.optics`, :mod:`jaxem.potentials`
(nanospheres, Casimir–Polder, random light), :mod:`jaxem.constants`, :mod:`jaxem.sweeps`.
"""
from ._version import __version__ as __version__

from ._checks import Float64Required as Float64Required
from ._runtime import warn_if_deadlocking_jaxlib as _warn_if_deadlocking_jaxlib

_warn_if_deadlocking_jaxlib()

# -- materials ------------------------------------------------------------------------------------
from .materials import PEMC as PEMC
from .materials import BiIsotropic as BiIsotropic
from .materials import Dielectric as Dielectric
from .materials import Dirichlet as Dirichlet
from .materials import Drude as Drude
from .materials import LorentzOscillators as LorentzOscillators
from .materials import Material as Material
from .materials import PerfectConductor as PerfectConductor
from .materials import Plasma as Plasma
from .materials import TabulatedEpsilon as TabulatedEpsilon
from .materials import material_from_name as material_from_name

# -- Mie scattering, Green tensors, polarizabilities ------------------------------------------------
from .mie import MieEfficiencies as MieEfficiencies
from .mie import amplitude_matrix as amplitude_matrix
from .mie import mie_coefficients as mie_coefficients
from .mie import mie_efficiencies as mie_efficiencies
from .mie import sphere_reflection_matrix as sphere_reflection_matrix
from .green import dipole_propagator_imag as dipole_propagator_imag
from .green import green_tensor as green_tensor
from .polarizabilities import lorentz_polarizability as lorentz_polarizability
from .polarizabilities import mie_polarizabilities as mie_polarizabilities
from .polarizabilities import polarizability as polarizability
from .polarizabilities import polarizability_imag as polarizability_imag

# -- two trapped nanospheres -------------------------------------------------------------------------
from .potentials.casimir_polder import casimir_polder_potential as casimir_polder_potential
from .potentials.nanospheres import nanosphere_forces as nanosphere_forces
from .potentials.nanospheres import nanosphere_potentials as nanosphere_potentials
from .potentials.nanospheres import nanosphere_stiffness as nanosphere_stiffness
from .potentials.nanospheres import optical_binding_potentials as optical_binding_potentials
from .potentials.nanospheres import pair_potential as pair_potential
from .potentials.nanospheres import trap_potential as trap_potential

# -- random light ------------------------------------------------------------------------------------
from .potentials.random_light import fit_lorentz_to_mie as fit_lorentz_to_mie
from .potentials.random_light import random_light_cluster_potential as random_light_cluster_potential
from .potentials.random_light import random_light_potential as random_light_potential
from .potentials.spectrum import optimize_line_spectrum as optimize_line_spectrum

# -- Casimir free energies (scattering approach) ---------------------------------------------------
from .geometry import SpherePlane as SpherePlane
from .geometry import SphereSphere as SphereSphere
from .geometry import TweezerPair as TweezerPair
from .casimir import Multipole as Multipole
from .casimir import PlaneWave as PlaneWave
from .casimir import ProximityForce as ProximityForce
from .casimir import StaticPlaneWave as StaticPlaneWave
from .casimir import ZeroFrequency as ZeroFrequency
from .casimir import casimir_entropy as casimir_entropy
from .casimir import casimir_force as casimir_force
from .casimir import casimir_force_gradient as casimir_force_gradient
from .casimir import casimir_free_energy as casimir_free_energy
from .casimir import casimir_zero_frequency_term as casimir_zero_frequency_term

# -- optical tweezers ------------------------------------------------------------------------------
from .optics import FocusedBeam as FocusedBeam
from .optics import beam_shape_coefficients as beam_shape_coefficients
from .optics import focal_field as focal_field
from .optics import axial_equilibrium as axial_equilibrium
from .optics import multipole_force as multipole_force
from .optics import optical_force as optical_force
from .optics import optical_force_efficiency as optical_force_efficiency
from .optics import optical_torque_efficiency as optical_torque_efficiency
from .optics import paraxial_focal_distance as paraxial_focal_distance
from .optics import radial_equilibria as radial_equilibria
from .optics import rotation_angle as rotation_angle
from .optics import trap_stiffness as trap_stiffness
from .optics import BeadFit as BeadFit
from .optics import fit_bead as fit_bead
from .optics import fit_beads as fit_beads
from .optics import fit_table as fit_table
from .optics import load_rotation_data as load_rotation_data
from .optics import model_rotation_angles as model_rotation_angles
from .optics import rotation_angle_chi2 as rotation_angle_chi2

__all__ = [
    "Float64Required",
    # materials
    "Material", "Drude", "Plasma", "Dielectric", "LorentzOscillators", "TabulatedEpsilon", "PerfectConductor",
    "PEMC", "BiIsotropic", "Dirichlet", "material_from_name",
    # Mie, Green tensors, polarizabilities
    "mie_coefficients", "mie_efficiencies", "MieEfficiencies", "amplitude_matrix", "sphere_reflection_matrix",
    "green_tensor", "dipole_propagator_imag",
    "polarizability", "polarizability_imag", "mie_polarizabilities", "lorentz_polarizability",
    # two trapped nanospheres
    "TweezerPair", "nanosphere_potentials", "nanosphere_forces", "nanosphere_stiffness", "pair_potential", "trap_potential",
    "optical_binding_potentials", "casimir_polder_potential",
    # random light
    "random_light_potential", "random_light_cluster_potential", "optimize_line_spectrum", "fit_lorentz_to_mie",
    # Casimir
    "SpherePlane", "SphereSphere", "PlaneWave", "ZeroFrequency", "Multipole", "StaticPlaneWave", "ProximityForce",
    "casimir_free_energy", "casimir_force", "casimir_force_gradient", "casimir_entropy",
    "casimir_zero_frequency_term",
    # optical tweezers
    "FocusedBeam", "focal_field", "beam_shape_coefficients", "optical_force_efficiency", "optical_force",
    "optical_torque_efficiency", "multipole_force", "axial_equilibrium", "radial_equilibria", "trap_stiffness",
    "rotation_angle", "paraxial_focal_distance",
    "load_rotation_data", "rotation_angle_chi2", "model_rotation_angles", "fit_bead", "fit_beads", "fit_table",
    "BeadFit",
    "__version__",
]
