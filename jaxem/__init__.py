"""jaxem: differentiable, batched optical and Casimir forces on spheres and nanoparticles.

jaxem computes in float64 (complex128 inside) and leaves JAX's configuration as it finds it: enable
64-bit mode once, ``jax.config.update("jax_enable_x64", True)``, before using it (kernels raise
:class:`Float64Required` otherwise).

The names below are the curated public API, one per physical idea; the subpackages hold the building
blocks: :mod:`jaxem.special` (special functions, quadrature), :mod:`jaxem.mie` (every Mie and reflection
coefficient), :mod:`jaxem.green`, :mod:`jaxem.polarizabilities`, :mod:`jaxem.thermal` (Matsubara and Padé sums),
:mod:`jaxem.casimir` (engines, closed forms, PEMC results), :mod:`jaxem.optics`, :mod:`jaxem.potentials`
(nanospheres, Casimir–Polder, random light), :mod:`jaxem.constants`, :mod:`jaxem.sweeps`.

``import jaxem`` is cheap (it imports neither JAX nor a kernel): each name is imported from its home module
the first time it is used (PEP 562), and so is each subpackage (``jaxem.casimir``).
"""
from ._runtime import warn_if_deadlocking_jaxlib as _warn_if_deadlocking_jaxlib
from ._version import __version__ as __version__

_warn_if_deadlocking_jaxlib()

# The curated API: public name -> its home module (relative to jaxem), in the order of __all__.  Adding a
# public name is one line here; tests/test_lazy_import.py checks that the home module defines it, and the
# documentation reads this map (docs/_ext/griffe_house_style.py).
_HOMES = {
    "Float64Required": "_checks",
    # materials
    "Material": "materials",
    "Drude": "materials",
    "Plasma": "materials",
    "Dielectric": "materials",
    "LorentzOscillators": "materials",
    "TabulatedEpsilon": "materials",
    "PerfectConductor": "materials",
    "PEMC": "materials",
    "BiIsotropic": "materials",
    "Dirichlet": "materials",
    "material_from_name": "materials",
    # Mie, Green tensors, polarizabilities
    "mie_coefficients": "mie",
    "mie_efficiencies": "mie",
    "MieEfficiencies": "mie",
    "amplitude_matrix": "mie",
    "sphere_reflection_matrix": "mie",
    "green_tensor": "green",
    "dipole_propagator_imag": "green",
    "polarizability": "polarizabilities",
    "polarizability_imag": "polarizabilities",
    "mie_polarizabilities": "polarizabilities",
    "lorentz_polarizability": "polarizabilities",
    # two trapped nanospheres
    "TweezerPair": "geometry",
    "nanosphere_potentials": "potentials.nanospheres",
    "nanosphere_forces": "potentials.nanospheres",
    "nanosphere_stiffness": "potentials.nanospheres",
    "pair_potential": "potentials.nanospheres",
    "trap_potential": "potentials.nanospheres",
    "optical_binding_potentials": "potentials.nanospheres",
    "casimir_polder_potential": "potentials.casimir_polder",
    # random light
    "random_light_potential": "potentials.random_light",
    "random_light_cluster_potential": "potentials.random_light",
    "optimize_line_spectrum": "potentials.spectrum",
    "fit_lorentz_to_mie": "potentials.random_light",
    # Casimir
    "SpherePlane": "geometry",
    "SphereSphere": "geometry",
    "PlaneWave": "casimir",
    "ZeroFrequency": "casimir",
    "Multipole": "casimir",
    "StaticPlaneWave": "casimir",
    "ProximityForce": "casimir",
    "casimir_free_energy": "casimir",
    "casimir_force": "casimir",
    "casimir_force_gradient": "casimir",
    "casimir_entropy": "casimir",
    "casimir_energy_and_force": "casimir",
    "casimir_zero_frequency_term": "casimir",
    # optical tweezers
    "FocusedBeam": "optics",
    "focal_field": "optics",
    "beam_shape_coefficients": "optics",
    "optical_force_efficiency": "optics",
    "optical_force": "optics",
    "optical_torque_efficiency": "optics",
    "multipole_force": "optics",
    "axial_equilibrium": "optics",
    "radial_equilibria": "optics",
    "trap_stiffness": "optics",
    "rotation_angle": "optics",
    "paraxial_focal_distance": "optics",
    "load_rotation_data": "optics",
    "rotation_angle_chi2": "optics",
    "model_rotation_angles": "optics",
    "fit_bead": "optics",
    "fit_beads": "optics",
    "fit_table": "optics",
    "BeadFit": "optics",
}

__all__ = [*_HOMES, "__version__"]


def __getattr__(name: str):
    """A public name imported from its home module (then kept here), or a subpackage (``jaxem.casimir``)."""
    import importlib

    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value
        return value
    if not name.startswith("__"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, the public API and the subpackages, whether imported yet or not."""
    import pkgutil

    return sorted(set(globals()) | set(__all__) | {m.name for m in pkgutil.iter_modules(__path__)})
