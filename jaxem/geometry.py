"""The set-ups users think in: a sphere facing a plane, two spheres (Casimir), two trapped nanospheres.

:class:`SpherePlane` and :class:`SphereSphere` are equinox modules (pytrees: differentiable in their radii,
distance and material parameters) validated once at construction; whether the second body is a plane is
decided by the type.  In the positional interfaces a plane is a sphere of infinite radius, R2 = inf (a
concrete number; a traced R2 is a sphere radius), tested in one place: :func:`is_plane`.
"""
from __future__ import annotations

import math
from typing import Any

import equinox as eqx
import numpy as np

from jaxem._checks import (check_bool, check_choice, check_finite, check_int, check_material, check_nonnegative,
                           check_positive, check_real, is_concrete)
from jaxem.materials import Material

__all__ = ["Geometry", "SpherePlane", "SphereSphere", "TweezerPair", "is_plane", "TWEEZER_WAVELENGTH",
           "TWEEZER_INTENSITY", "NANOSPHERE_RADIUS"]

#: drive (vacuum) wavelength of the two-tweezer set-up of Jakubec et al., Phys. Rev. A 109, 052807 (2024) [m]
TWEEZER_WAVELENGTH = 1064e-9
#: tweezer intensity of that set-up, 1e-2 W/µm^2 [W/m^2]
TWEEZER_INTENSITY = 1e10
#: sphere radius of that set-up [m]
NANOSPHERE_RADIUS = 100e-9


def is_plane(R2, name: str = "R2") -> bool:
    """True when the second body is a plane (every entry of a concrete ``R2`` is +inf).

    Arguments:
        R2: radius of the second body [m] (> 0) or inf for a plane; scalar or array; may be traced.
        name: the parameter's name in error messages.
    Returns:
        bool (False for a traced R2).
    Raises:
        ValueError: R2 not > 0, or a batch mixing finite radii and planes (one call is one geometry kind).
    """
    check_positive(name, R2, allow_inf=True)
    if not is_concrete(R2):
        return False
    inf = np.isinf(np.asarray(R2, dtype=float))
    if inf.any() and not inf.all():
        raise ValueError(f"{name} must be all finite or all inf (a plane) in one call, got {R2!r}")
    return bool(inf.all())


class Geometry(eqx.Module):
    """Two bodies facing each other across a gap: the set-ups of Casimir physics (abstract)."""

    def bodies(self):
        """(L, R1, R2, material1, material2, medium) with R2 = inf for a plane."""
        raise NotImplementedError


class SpherePlane(Geometry):
    """A sphere of radius ``radius`` [m] above a plane, ``distance`` [m] between the surfaces.

    Arguments:
        radius, distance: R and L [m] (> 0; arrays allowed, differentiable).
        sphere, plane: jaxem materials.
        medium: the material filling the gap (vacuum if None).

    Source: the sphere-plane limit (R1 -> inf) of the geometry of Schoger, Dissertation (Augsburg 2024), Sec. 8.1 (no formula).
    """

    radius: Any
    distance: Any
    sphere: Material
    plane: Material
    medium: Material | None = None

    def __check_init__(self):
        check_positive("radius", self.radius)
        check_positive("distance", self.distance)
        check_material("sphere", self.sphere)
        check_material("plane", self.plane)
        check_material("medium", self.medium, allow_none=True)

    def bodies(self):
        return self.distance, self.radius, math.inf, self.sphere, self.plane, self.medium


class SphereSphere(Geometry):
    """Two spheres of radii ``radius1``, ``radius2`` [m], ``distance`` [m] between their surfaces.

    Arguments:
        radius1, radius2, distance: R1, R2 and L [m] (> 0; arrays allowed, differentiable).
        sphere1, sphere2: jaxem materials.
        medium: the material between them (vacuum if None).

    Source: the geometry of Schoger, Dissertation (Augsburg 2024), Sec. 8.1 (no formula).
    """

    radius1: Any
    radius2: Any
    distance: Any
    sphere1: Material
    sphere2: Material
    medium: Material | None = None

    def __check_init__(self):
        check_positive("radius1", self.radius1)
        check_positive("radius2", self.radius2)
        check_positive("distance", self.distance)
        check_material("sphere1", self.sphere1)
        check_material("sphere2", self.sphere2)
        check_material("medium", self.medium, allow_none=True)

    def bodies(self):
        return self.distance, self.radius1, self.radius2, self.sphere1, self.sphere2, self.medium


class TweezerPair(eqx.Module):
    """Two nanospheres, each held in its own optical tweezer: the set-up of the radiative pair potentials.

    Pass it as ``setup=`` to :func:`jaxem.nanosphere_potentials` and its relatives instead of the keyword
    arguments; the defaults reproduce Jakubec et al. (two silica spheres of R = 100 nm at 1064 nm, 1e-2 W/µm^2,
    y-polarised flat tweezers, 300 K).  Float fields are pytree leaves (differentiable, vmappable); the
    numbers that fix shapes or code paths are static.

    Attributes:
        radius: sphere radius R [m] (both spheres).
        alpha_tilde: real alpha/(4 pi eps0 R^3) at the drive, or None (fused silica at 1064 nm).
        intensity_a, intensity_b: tweezer intensities [W/m^2] (intensity_b None: as intensity_a).
        jones_a, jones_b: Jones vectors (j_x, j_y) of the tweezers.
        wavelength: vacuum drive wavelength [m].
        temperature: T [K] of the Casimir–Polder term (0: the zero-temperature integral).
        material: jaxem material for alpha(i xi) in the Casimir–Polder term, or None (silica Drude–Lorentz).
        profile: "flat" (the paper's tweezers) or "gaussian" (paraxial foci; then waist [m] or
            numerical_aperture); static.
        n_matsubara, include_trap, include_casimir_polder: static switches of the sum and the terms.

    Source: C. Jakubec, P. Solano, U. Delić and K. Sinha, Phys. Rev. A 109, 052807 (2024), Sec. II and
    Figs. 4–6 (the set-up); no formula.
    """

    radius: Any = NANOSPHERE_RADIUS
    alpha_tilde: Any = None
    intensity_a: Any = TWEEZER_INTENSITY
    intensity_b: Any = None
    jones_a: Any = (0.0, 1.0)
    jones_b: Any = (0.0, 1.0)
    wavelength: Any = TWEEZER_WAVELENGTH
    temperature: Any = 300.0
    material: Material | None = None
    waist: Any = None
    numerical_aperture: Any = None
    profile: str = eqx.field(static=True, default="flat")
    n_matsubara: int = eqx.field(static=True, default=64)
    include_trap: bool = eqx.field(static=True, default=True)
    include_casimir_polder: bool = eqx.field(static=True, default=True)

    def __check_init__(self):
        check_positive("radius", self.radius)
        check_positive("wavelength", self.wavelength)
        check_nonnegative("temperature", self.temperature)
        check_nonnegative("intensity_a", self.intensity_a)
        if self.intensity_b is not None:
            check_nonnegative("intensity_b", self.intensity_b)
        if self.waist is not None:
            check_positive("waist", self.waist)
        if self.numerical_aperture is not None:
            check_positive("numerical_aperture", self.numerical_aperture)
        if self.alpha_tilde is not None:
            check_real("alpha_tilde", self.alpha_tilde)
        check_finite("jones_a", self.jones_a)
        check_finite("jones_b", self.jones_b)
        check_material("material", self.material, allow_none=True)
        check_choice("profile", self.profile, ("flat", "gaussian"))
        check_int("n_matsubara", self.n_matsubara, minimum=1)
        check_bool("include_trap", self.include_trap)
        check_bool("include_casimir_polder", self.include_casimir_polder)

    def options(self) -> dict:
        """The keyword arguments of the nanosphere functions that this set-up stands for (None: default)."""
        names = ("radius", "alpha_tilde", "intensity_a", "intensity_b", "jones_a", "jones_b", "wavelength",
                 "temperature", "material", "waist", "numerical_aperture", "profile", "n_matsubara",
                 "include_trap", "include_casimir_polder")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}
