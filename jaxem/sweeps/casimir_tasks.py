"""Casimir tasks: force and force gradient of a sphere above a plate vs distance, with the PFA."""
from __future__ import annotations

import math

import numpy as np

from jaxem.sweeps.registry import Param, register_task

__all__ = ["casimir_sphere_plate"]


def sphere_plate_geometry(params: dict):
    """(radius, distance_min, distance_max, n_points) of a sphere--plate config, validated."""
    from jaxem import _checks

    radius = _checks.check_positive("radius", params["radius"])
    l_min = _checks.check_positive("distance_min", params["distance_min"])
    l_max = _checks.check_positive("distance_max", params["distance_max"])
    if l_max < l_min:
        raise ValueError(f"distance_max must be >= distance_min, got {l_max} < {l_min}")
    return radius, l_min, l_max, _checks.check_int("n_points", params["n_points"], minimum=1)


@register_task("casimir_sphere_plate", "Casimir force and force gradient between a sphere and a plate vs "
               "distance at temperature T (plane-wave scattering formula), with the PFA for comparison",
               params={
                   "radius": Param(float, 10e-6, "sphere radius [m]"),
                   "distance_min": Param(float, 0.5e-6, "smallest surface-to-surface distance [m]"),
                   "distance_max": Param(float, 3e-6, "largest surface-to-surface distance [m]"),
                   "n_points": Param(int, 12, "number of distances (logarithmic grid)"),
                   "temperature": Param(float, 300.0, "temperature [K] (0 = zero-temperature integral)"),
                   "sphere_material": Param(str, "gold_drude", "material name of the sphere (jaxem.materials)"),
                   "plate_material": Param(str, "gold_drude", "material name of the plate"),
                   "medium": Param(str, "vacuum", "material between sphere and plate"),
                   "eta": Param(float, 1.0, "truncation accuracy knob (1 ~ 1e-6 relative)"),
                   "method": Param(str, "matsubara", "frequency summation", choices=("matsubara", "psd")),
                   "chunk_size": Param(int, 1, "distances per resumable chunk", minimum=1),
               })
def casimir_sphere_plate(params: dict, out) -> None:
    """Write force.npz (distance [m], force [N], force_gradient [N/m], PFA counterparts) and force.png."""
    import jax

    from jaxem import _checks
    from jaxem.casimir import (PlaneWave, ProximityForce, casimir_energy_and_force, casimir_force,
                               casimir_force_gradient)
    from jaxem.geometry import SpherePlane
    from jaxem.materials import material_from_name

    radius, l_min, l_max, n = sphere_plate_geometry(params)
    T = _checks.check_nonnegative("temperature", params["temperature"])
    sphere = material_from_name(params["sphere_material"])
    plate = material_from_name(params["plate_material"])
    medium = None if params["medium"] == "vacuum" else material_from_name(params["medium"])
    method = params["method"]
    distances = np.geomspace(l_min, l_max, n)
    setup = lambda L: SpherePlane(radius=radius, distance=L, sphere=sphere, plane=plate, medium=medium)  # noqa: E731
    # one static size for the whole sweep (that of the closest point): compiles once; the sizes of the force gradient
    # (finer grids, more frequencies: it meets the energy's rtol), force and gradient from one program
    engine = PlaneWave(frequencies=method, eta=params["eta"]).sized_for(setup(l_min), T, order=2)
    out.log(f"R/L = {radius / l_max:.3g} .. {radius / l_min:.3g}; N, M, l_max = {engine.truncation}, "
            f"{engine.n_frequencies} frequencies ({method})")
    # the PFA sizes its own frequencies (a Padé or low-temperature count of the plane-wave engine is not a
    # Matsubara count)
    pfa = ProximityForce(frequencies="low_temperature" if engine.frequencies == "low_temperature"
                         else "matsubara").sized_for(setup(l_min), T)

    def point(L):
        g = setup(L)
        _, force, gradient = casimir_energy_and_force(g, T, engine=engine, force_gradient=True)
        return {"force": force,
                "force_gradient": gradient,
                "force_pfa": casimir_force(g, T, engine=pfa),
                "force_gradient_pfa": casimir_force_gradient(g, T, engine=pfa)}

    # a traceable chunk function (one point at a time, vmapped): `--devices` shards it over the devices, and every
    # chunk size and device count gives the same results
    batch = jax.jit(lambda inp: jax.vmap(point)(inp["distance"]))
    res = out.sweep("force", batch, {"distance": distances}, chunk_size=params["chunk_size"])
    out.write_arrays("force", distance=distances, **res)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    d_um = distances * 1e6
    axes[0].loglog(d_um, -res["force"], "o-", label="scattering formula")
    axes[0].loglog(d_um, -res["force_pfa"], "--", label="PFA")
    axes[0].set_ylabel("-force [N]")
    axes[1].loglog(d_um, res["force_gradient"], "o-", label="scattering formula")
    axes[1].loglog(d_um, res["force_gradient_pfa"], "--", label="PFA")
    axes[1].set_ylabel("force gradient [N/m]")
    for ax in axes:
        ax.set_xlabel("distance L [um]")
        ax.legend()
    fig.suptitle(f"{params['sphere_material']} sphere (R = {radius * 1e6:g} um) / {params['plate_material']} "
                 f"plate, T = {T:g} K")
    fig.tight_layout()
    out.savefig(fig, "force.png")
    plt.close(fig)
