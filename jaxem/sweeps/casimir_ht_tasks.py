"""High-temperature Casimir tasks: sign switching of the force between PEMC spheres (T. Schoger,
Dissertation, Universität Augsburg (2024), Secs. 11.3 and 11.5; analogue of Fig. 11.9 left), and the n = 0
sphere--plate term for several materials (plasma vs Drude prescription; ibid., Sec. 9.1)."""
from __future__ import annotations

import numpy as np

from jaxem.sweeps.registry import Param, register_task

__all__ = ["pemc_sign_switch", "casimir_ht_sphere_plate"]


@register_task("pemc_sign_switch", "high-temperature free energy -F/k_BT and force of two PEMC spheres vs "
               "L/R_eff and duality-angle difference delta, with the zero-force curve (Fig. 11.9 left)", params={
                   "radius1": Param(float, 1e-6, "radius of sphere 1 [m]"),
                   "radius2": Param(float, 1e-6, "radius of sphere 2 [m] (equal spheres by default)"),
                   "x_min": Param(float, 0.5, "smallest L/R_eff"),
                   "x_max": Param(float, 10.0, "largest L/R_eff"),
                   "n_x": Param(int, 16, "number of distances (log grid)"),
                   "delta_min": Param(float, 0.6, "smallest delta = theta1 - theta2 [rad]"),
                   "delta_max": Param(float, 1.0, "largest delta [rad]"),
                   "n_delta": Param(int, 16, "number of angles"),
                   "eta": Param(float, 8.0, "truncation parameter (multipole l_max = eta R/L, plane-wave N, M; 8: ~1e-7 relative)"),
                   "chunk_size": Param(int, 64, "points per resumable chunk", minimum=1),
               })
def pemc_sign_switch(params: dict, out) -> None:
    """Write pemc_sign_switch.npz (x = L/R_eff, delta [rad], minus_F_over_kT, force_over_kT [1/m],
    zero-force curve delta_0(x)) and pemc_sign_switch.png."""
    import jax
    import jax.numpy as jnp

    from jaxem import _checks
    from jaxem.casimir import Multipole, ZeroFrequency, casimir_force, casimir_zero_frequency_term
    from jaxem.constants import k_B
    from jaxem.geometry import SphereSphere
    from jaxem.materials import PEMC

    R1 = _checks.check_positive("radius1", params["radius1"])
    R2 = _checks.check_positive("radius2", params["radius2"])
    x_min = _checks.check_positive("x_min", params["x_min"])
    x_max = _checks.check_positive("x_max", params["x_max"])
    if x_max < x_min:
        raise ValueError(f"x_max must be >= x_min, got {x_max} < {x_min}")
    d_min = _checks.check_finite("delta_min", params["delta_min"])
    d_max = _checks.check_finite("delta_max", params["delta_max"])
    n_x = _checks.check_int("n_x", params["n_x"], minimum=1)
    n_d = _checks.check_int("n_delta", params["n_delta"], minimum=1)
    eta = _checks.check_positive("eta", params["eta"])
    r_eff = R1 * R2 / (R1 + R2)
    x = np.geomspace(x_min, x_max, n_x)
    delta = np.linspace(d_min, d_max, n_d)
    XX, DD = np.meshgrid(x, delta, indexing="ij")
    L_min = x_min * r_eff
    setup = lambda L, d: SphereSphere(radius1=R1, radius2=R2, distance=L, sphere1=PEMC(d),  # noqa: E731
                                      sphere2=PEMC(0.0))
    # sizes of the closest point; at short distances the plane-wave route (sizes ~ sqrt(R/L), not R/L)
    engine = ZeroFrequency(eta=eta).sized_for(setup(L_min, 0.0))
    if isinstance(engine, Multipole):
        out.log(f"{XX.size} points, multipole route, l_max = {engine.l_max}, m_max = {engine.m_max}")
    else:
        out.log(f"{XX.size} points, plane-wave route, N = {engine.n_k} k-nodes, M = {engine.n_phi} azimuths")

    def point(L, d):
        g = setup(L, d)
        F = casimir_zero_frequency_term(g, engine=engine)
        f = casimir_force(g, 1.0, engine=engine) / k_B           # force / k_B T [1/m]
        return -F, f

    batch = jax.jit(jax.vmap(point))

    def fn(inp):           # traceable: `--devices` shards it
        mF, f = batch(jnp.asarray(inp["L"]), jnp.asarray(inp["delta"]))
        return {"minus_F_over_kT": mF, "force_over_kT": f}

    res = out.sweep("grid", fn, {"L": (XX * r_eff).ravel(), "delta": DD.ravel()},
                    chunk_size=params["chunk_size"])
    mF = res["minus_F_over_kT"].reshape(XX.shape)
    force = res["force_over_kT"].reshape(XX.shape)
    # zero-force angle per distance by linear interpolation of the sign change along delta
    delta0 = np.full(n_x, np.nan)
    for i in range(n_x):
        s = np.sign(force[i])
        idx = np.nonzero(s[:-1] * s[1:] < 0)[0]
        if idx.size:
            j = idx[0]
            delta0[i] = delta[j] - force[i, j] * (delta[j + 1] - delta[j]) / (force[i, j + 1] - force[i, j])
    out.write_arrays("pemc_sign_switch", x=x, delta=delta, minus_F_over_kT=mF, force_over_kT=force,
                     force_scaled=force * r_eff, zero_force_delta=delta0)

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    scaled = force * r_eff
    lim = np.max(np.abs(scaled))
    im = ax[0].pcolormesh(x, delta / (np.pi / 4), scaled.T, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto")
    ax[0].plot(x, delta0 / (np.pi / 4), "k-", lw=2, label="zero force")
    ax[0].set_xscale("log")
    ax[0].set_xlabel("L / R_eff")
    ax[0].set_ylabel("delta / (pi/4)")
    ax[0].set_title("force R_eff / k_B T (red: repulsive)")
    ax[0].legend()
    fig.colorbar(im, ax=ax[0])
    for j in np.linspace(0, n_d - 1, min(n_d, 5)).astype(int):
        ax[1].plot(x, mF[:, j], label=f"delta = {delta[j] / (np.pi / 4):.3f} pi/4")
    ax[1].set_xscale("log")
    ax[1].set_xlabel("L / R_eff")
    ax[1].set_ylabel("-F / k_B T")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    out.savefig(fig, "pemc_sign_switch.png")
    out.log(f"zero-force delta/(pi/4) from {np.nanmin(delta0) / (np.pi / 4):.4f} to {np.nanmax(delta0) / (np.pi / 4):.4f}")


@register_task("casimir_ht_sphere_plate", "high-temperature (n = 0 Matsubara) free energy F/k_BT and force of a "
               "sphere above a plate vs distance, for several materials (e.g. the plasma and Drude "
               "prescriptions), against the TM-only PFA -zeta(3) R/(8L)", params={
                   "radius": Param(float, 150e-6, "sphere radius [m]"),
                   "distance_min": Param(float, 0.2e-6, "smallest surface-to-surface distance [m]"),
                   "distance_max": Param(float, 2e-6, "largest distance [m]"),
                   "n_points": Param(int, 40, "number of distances (logarithmic grid)"),
                   "materials": Param("strings", ["gold_drude", "gold_plasma", "pec"],
                                      "material names (jaxem.materials) of sphere and plate, one curve each"),
                   "eta": Param(float, 10.0, "plane-wave truncation parameter (10: ~1e-8 relative)"),
                   "chunk_size": Param(int, 20, "distances per resumable chunk", minimum=1),
               })
def casimir_ht_sphere_plate(params: dict, out) -> None:
    """Write casimir_ht.npz (distance [m]; per material F_over_kT, force_over_kT [1/m], ratio F/F_PFA^TM)
    and casimir_ht.png.  Free energy and force of a point come from one forward-mode pass (``jax.jvp``) of the
    zero-frequency term on the plane-wave route with the sizes of the smallest distance; a chunk is a jitted
    vmap of it over its distances and materials (one compilation; traceable, so ``--devices`` shards it)."""
    import jax
    import jax.numpy as jnp
    from scipy.special import zeta

    from jaxem import _checks
    from jaxem.casimir import StaticPlaneWave, casimir_zero_frequency_term
    from jaxem.geometry import SpherePlane
    from jaxem.materials import material_from_name
    from jaxem.sweeps.casimir_tasks import sphere_plate_geometry

    R, l_min, l_max, n = sphere_plate_geometry(params)
    eta = _checks.check_positive("eta", params["eta"])
    names = list(params["materials"])
    if not names:
        raise ValueError("materials must name at least one material")
    mats = {name: material_from_name(name) for name in names}
    distances = np.geomspace(l_min, l_max, n)
    setup = lambda L, m: SpherePlane(radius=R, distance=L, sphere=m, plane=m)  # noqa: E731
    engine = StaticPlaneWave(eta=eta)
    sized = engine.sized_for(setup(l_min, next(iter(mats.values()))))
    out.log(f"R/L = {R / l_max:.3g} .. {R / l_min:.3g}; plane-wave route, N = {sized.n_k}, M = {sized.n_phi} "
            "(forces)")
    def point(L):
        # F_0/k_B T and force / k_B T = -d(F_0/k_B T)/dL in one forward-mode pass (the face's force at T = 1 K
        # divided by k_B is the same derivative)
        res = {}
        for name, m in mats.items():
            F, dF = jax.jvp(lambda d, m=m: casimir_zero_frequency_term(setup(d, m), engine=sized), (L,),
                            (jnp.ones_like(L),))
            res[f"F_over_kT_{name}"], res[f"force_over_kT_{name}"] = F, -dF
        return res

    fn = jax.jit(lambda inp: jax.vmap(point)(inp["distance"]))
    res = out.sweep("casimir_ht", fn, {"distance": distances}, chunk_size=params["chunk_size"])
    pfa_tm = -zeta(3) * R / (8 * distances)
    arrays = {"distance": distances, "F_pfa_tm_over_kT": pfa_tm}
    for name in names:
        arrays[f"F_over_kT_{name}"] = res[f"F_over_kT_{name}"]
        arrays[f"force_over_kT_{name}"] = res[f"force_over_kT_{name}"]
        arrays[f"ratio_{name}"] = res[f"F_over_kT_{name}"] / pfa_tm
    out.write_arrays("casimir_ht", **arrays)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    d_um = distances * 1e6
    for name in names:
        ax[0].semilogx(d_um, arrays[f"ratio_{name}"], "o-", ms=3, label=name)
        ax[1].loglog(d_um, -arrays[f"force_over_kT_{name}"], "o-", ms=3, label=name)
    ax[0].set_xlabel("distance L [µm]")
    ax[0].set_ylabel("F / F_PFA^TM  (F_PFA^TM = -zeta(3) k_B T R/(8L))")
    ax[0].set_title(f"n = 0 term, sphere R = {R * 1e6:.3g} µm above a plate")
    ax[1].set_xlabel("distance L [µm]")
    ax[1].set_ylabel("-force / k_B T [1/m]")
    from matplotlib.ticker import NullFormatter

    for a in ax:
        a.legend(fontsize=8)
        a.xaxis.set_minor_formatter(NullFormatter())     # no overlapping minor labels on short log axes
    fig.tight_layout()
    out.savefig(fig, "casimir_ht.png")
    for name in names:
        out.log(f"{name}: F/F_PFA^TM from {arrays[f'ratio_{name}'][0]:.4f} (L = {l_min:.3g} m) to "
                f"{arrays[f'ratio_{name}'][-1]:.4f} (L = {l_max:.3g} m)")
