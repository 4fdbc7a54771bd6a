"""The two-body set-ups of Casimir physics: a sphere facing a plane, two spheres.

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

from jaxem._checks import check_positive, is_concrete
from jaxem.materials import Material

__all__ = ["Geometry", "SpherePlane", "SphereSphere", "is_plane"]


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


def _check_material(name, value, *, allow_none=False):
    if value is None and allow_none:
        return
    if not isinstance(value, Material):
        raise ValueError(f"{name} must be a jaxem material (jaxem.materials), got {value!r}")


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
        _check_material("sphere", self.sphere)
        _check_material("plane", self.plane)
        _check_material("medium", self.medium, allow_none=True)

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
        _check_material("sphere1", self.sphere1)
        _check_material("sphere2", self.sphere2)
        _check_material("medium", self.medium, allow_none=True)

    def bodies(self):
        return self.distance, self.radius1, self.radius2, self.sphere1, self.sphere2, self.medium
