"""Optical tweezers: focused, aberrated Laguerre–Gaussian beams through a coverslip, their beam-shape
coefficients, MDSA+ forces and torques on (chiral) spheres, equilibria, stiffness and rotation angles.

Source: T. Schoger, "Optical and dispersion forces experienced by spherical objects", Dissertation,
Universität Augsburg (2024), Chs. 5–7 and App. C (the printed formulas corrected where noted in each function).
"""
from jaxem.optics.beam_shape import beam_shape_coefficients
from jaxem.optics.beams import FocusedBeam, focal_field, quadrature_order
from jaxem.optics.equilibria import (
    RadialEquilibria,
    axial_equilibrium,
    paraxial_focal_distance,
    radial_equilibria,
    rotation_angle,
    trap_stiffness,
)
from jaxem.optics.fits import (
    BeadFit,
    fit_bead,
    fit_beads,
    fit_table,
    load_rotation_data,
    model_rotation_angles,
    rotation_angle_chi2,
)
from jaxem.optics.forces import (
    ForceEfficiency,
    MultipoleForce,
    default_lmax,
    helicity_coefficients,
    multipole_force,
    multipole_torque,
    optical_force,
    optical_force_efficiency,
    optical_torque_efficiency,
    sphere_t_matrix,
)

__all__ = [
    "FocusedBeam", "focal_field", "quadrature_order", "beam_shape_coefficients",
    "optical_force_efficiency", "optical_force", "optical_torque_efficiency", "ForceEfficiency",
    "multipole_force", "multipole_torque", "MultipoleForce", "sphere_t_matrix", "helicity_coefficients",
    "default_lmax",
    "axial_equilibrium", "radial_equilibria", "RadialEquilibria", "trap_stiffness", "rotation_angle",
    "paraxial_focal_distance",
    "load_rotation_data", "rotation_angle_chi2", "model_rotation_angles", "fit_bead", "fit_beads", "fit_table",
    "BeadFit",
]
