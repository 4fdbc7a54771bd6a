"""Two trapped silica nanospheres (Jakubec, Solano, Delić & Sinha, Phys. Rev. A 109, 052807 (2024)):
Figs. 3–6 as config-driven tasks.

Energies are written in kelvin (U/k_B). Figs. 4–6 are shown relative to the large-separation plateau (the
constant flat-profile trap potential of each sphere), as in the paper.
"""
from __future__ import annotations

import numpy as np

from jaxem.sweeps.registry import Param, register_task

__all__ = ["nanospheres_fig4", "nanospheres_fig5", "nanospheres_fig6", "nanospheres_casimir_polder",
           "nanospheres_stiffness"]

_POLARISATIONS = {"yy": ((0.0, 1.0), (0.0, 1.0)), "xy": ((1.0, 0.0), (0.0, 1.0)),
                  "xx": ((1.0, 0.0), (1.0, 0.0)), "45": ((1.0, 1.0), (1.0, 1.0))}


def _common(**extra):
    params = {
        "radius": Param(float, 100e-9, "sphere radius [m]"),
        "intensity": Param(float, 1e10, "intensity of each tweezer [W/m^2] (1e10 = 1e-2 W/um^2)"),
        "wavelength": Param(float, 1064e-9, "vacuum drive wavelength [m]"),
        "temperature": Param(float, 300.0, "temperature for the Casimir-Polder term [K] (0 allowed)"),
        "drive_polarizability": Param(str, "malitson", "alpha~ at the drive: fused-silica index n = 1.4496 "
                                      "('malitson'), Re alpha~ of the Drude-Lorentz model (Eq. 35), or 'custom'",
                                      choices=("malitson", "drude-lorentz", "custom")),
        "alpha_tilde": Param(float, 0.2685318, "alpha~ used when drive_polarizability = 'custom'"),
        "with_casimir_polder": Param(bool, True, "include the thermal Casimir-Polder term"),
    }
    params.update(extra)
    return params


def _setup(params):
    """Keyword arguments of jaxem.potentials.nanospheres from the validated config parameters."""
    from jaxem.constants import c
    from jaxem.materials import LorentzOscillators
    from jaxem.polarizabilities import SILICA_INDEX_1064NM, clausius_mossotti

    model = params["drive_polarizability"]
    if model == "malitson":
        alpha_tilde = float(clausius_mossotti(SILICA_INDEX_1064NM**2))
    elif model == "drude-lorentz":
        omega0 = 2 * np.pi * c / params["wavelength"]
        alpha_tilde = float(np.real(clausius_mossotti(LorentzOscillators.silica().epsilon(omega0))))
    else:
        alpha_tilde = params["alpha_tilde"]
    return {"radius": params["radius"], "alpha_tilde": alpha_tilde, "intensity_a": params["intensity"],
            "wavelength": params["wavelength"], "temperature": params["temperature"],
            "include_casimir_polder": params["with_casimir_polder"]}


def _plateau_kelvin(kw):
    from jaxem.constants import eps0, k_B
    from jaxem.potentials.nanospheres import trap_potential

    alpha = 4 * np.pi * eps0 * kw["radius"] ** 3 * kw["alpha_tilde"]
    return float(trap_potential(kw["intensity_a"], alpha)) / k_B


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _well_summary(s, u, minima, lam):
    """Depth of the first well: against the next maximum outwards and against the plateau (u relative to it)."""
    if not np.isfinite(minima[0]):
        return {}
    i0 = int(np.argmin(np.abs(s - minima[0])))
    outer = u[i0:]
    # next local maximum outwards of the well
    k = np.nonzero((outer[1:-1] >= outer[:-2]) & (outer[1:-1] >= outer[2:]))[0]
    barrier = outer[k[0] + 1] if k.size else np.nan
    return {"well_position_over_wavelength": minima[0] / lam, "well_position": minima[0],
            "well_below_plateau_K": -u[i0], "well_depth_vs_outer_barrier_K": barrier - u[i0],
            "outer_barrier_K": barrier}


@register_task("nanospheres_fig4", "potential of each of two trapped silica nanospheres vs separation for "
               "dphi = 0, pi (conservative) and pi/2 (non-conservative), yy polarisation (Jakubec et al. 2024, Fig. 4)",
               params=_common(
                   separation_min=Param(float, 0.25e-6, "smallest separation [m]"),
                   separation_max=Param(float, 3.5e-6, "largest separation [m]"),
                   n_points=Param(int, 2001, "separations on the grid"),
                   polarisation=Param(str, "yy", "tweezer polarisations (A, B)", choices=tuple(_POLARISATIONS)),
               ))
def nanospheres_fig4(params: dict, out) -> None:
    """Write fig4.npz (separation [m], U_A, U_B [K] relative to the plateau for dphi = 0, pi, pi/2; minima;
    well depths) and fig4.png."""
    from jaxem import _checks
    from jaxem.constants import k_B
    from jaxem.potentials.nanospheres import potential_minima, potentials_vs_separation

    lo = _checks.check_positive("separation_min", params["separation_min"])
    hi = _checks.check_positive("separation_max", params["separation_max"])
    if hi <= lo:
        raise ValueError("separation_max must be > separation_min")
    n = _checks.check_int("n_points", params["n_points"], minimum=3)
    kw = _setup(params)
    ja, jb = _POLARISATIONS[params["polarisation"]]
    kw.update(jones_a=ja, jones_b=jb)
    lam = params["wavelength"]
    s = np.linspace(lo, hi, n)
    plateau = _plateau_kelvin(kw)
    phases = {"0": 0.0, "pi": np.pi, "pi_2": np.pi / 2}

    def batch(b):
        res = {}
        for name, dphi in phases.items():
            ua, ub = potentials_vs_separation(b["s"], dphi, **kw)
            res[f"U_A_{name}"] = ua / k_B - plateau
            res[f"U_B_{name}"] = ub / k_B - plateau
        return res

    res = out.sweep("fig4", batch, {"s": s}, chunk_size=1024)
    minima = {name: [np.asarray(m) for m in potential_minima(s, dphi, **kw)] for name, dphi in phases.items()}
    summary = _well_summary(s, res["U_A_0"], minima["0"][0], lam)
    out.log(f"plateau (trap, per sphere) {plateau:.2f} K; alpha~ = {kw['alpha_tilde']:.7f}")
    for name in phases:
        m_a, m_b = minima[name]
        out.log(f"dphi = {name}: minima of U_A at s/lambda0 = {np.round(m_a[np.isfinite(m_a)] / lam, 4)}, "
                f"of U_B at {np.round(m_b[np.isfinite(m_b)] / lam, 4)}")
    if summary:
        out.log("dphi = 0 first well at s = {:.4f} lambda0 ({:.1f} nm): {:.2f} K below the plateau, {:.2f} K deep "
                "against the outer barrier (pair potential u = U_A = U_B; U_A + U_B would double these)".format(
                    summary["well_position_over_wavelength"], summary["well_position"] * 1e9,
                    summary["well_below_plateau_K"], summary["well_depth_vs_outer_barrier_K"]))
    out.write_arrays("fig4", separation=s, plateau_K=plateau, alpha_tilde=kw["alpha_tilde"], **res,
                     **{f"minima_A_{k}": v[0] for k, v in minima.items()},
                     **{f"minima_B_{k}": v[1] for k, v in minima.items()}, **summary)

    plt = _plt()
    x = s / lam
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    ax.plot(x, res["U_A_0"], color="C2", lw=1.6, label=r"$\Delta\phi = 0$")
    ax.plot(x, res["U_A_pi"], color="C0", lw=1.6, label=r"$\Delta\phi = \pi$")
    ax.axhline(0, color="k", lw=0.6, ls=":")
    ax.set_ylim(-120, 200)
    ax.set_xlabel(r"separation $x/\lambda_0$")
    ax.set_ylabel(r"$U_A = U_B$ relative to the trap plateau [K]")
    ax.set_title(f"(a) {params['polarisation']}, R = {params['radius'] * 1e9:g} nm, "
                 f"I = {params['intensity'] * 1e-12:g} W/µm², T = {params['temperature']:g} K", fontsize=9)
    ax.legend(frameon=False, loc="lower right")
    if summary:
        inset = ax.inset_axes([0.6, 0.6, 0.37, 0.33])
        sel = (x > 0.6) & (x < 1.6)
        inset.plot(x[sel], res["U_A_0"][sel], color="C2")
        inset.axvline(summary["well_position_over_wavelength"], color="k", lw=0.5, ls=":")
        inset.set_title(f"well {summary['well_depth_vs_outer_barrier_K']:.0f} K deep", fontsize=8)
        inset.tick_params(labelsize=7)
    ax = axes[1]
    ax.plot(x, res["U_A_pi_2"], color="C3", lw=1.6, label=r"sphere A ($\Delta\phi = \pi/2$)")
    ax.plot(x, res["U_B_pi_2"], color="C1", lw=1.6, ls="--", label=r"sphere B (sees $-\pi/2$)")
    ax.axhline(0, color="k", lw=0.6, ls=":")
    ax.set_ylim(-120, 200)
    ax.set_xlabel(r"separation $x/\lambda_0$")
    ax.set_ylabel("potential relative to the trap plateau [K]")
    ax.set_title(r"(b) $\Delta\phi = \pi/2$: minima of A sit at maxima of B (non-conservative)", fontsize=9)
    ax.legend(frameon=False, loc="upper right")
    fig.tight_layout()
    out.savefig(fig, "fig4.png")


@register_task("nanospheres_fig5", "optical-binding (+ Casimir-Polder) potential of sphere A in the z = 0 plane "
               "for yy, xy, xx and 45-degree tweezer polarisations (Jakubec et al. 2024, Fig. 5)",
               params=_common(
                   extent=Param(float, 3e-6, "half width of the square map [m]"),
                   n_grid=Param(int, 201, "points per side of the map"),
                   polarisations=Param("strings", ["yy", "xy", "xx", "45"], "polarisation pairs (A, B)",
                                       choices=tuple(_POLARISATIONS)),
                   dphi=Param(float, 0.0, "relative phase of tweezer B [rad]"),
                   clip=Param(float, 150.0, "colour scale limit [K]"),
               ))
def nanospheres_fig5(params: dict, out) -> None:
    """Write fig5.npz (x, y [m], U_A [K] relative to the plateau per polarisation; NaN inside contact r < 2R)
    and fig5.png."""
    from jaxem import _checks
    from jaxem.constants import k_B
    from jaxem.potentials.nanospheres import nanosphere_potentials

    extent = _checks.check_positive("extent", params["extent"])
    n = _checks.check_int("n_grid", params["n_grid"], minimum=3)
    _checks.check_finite("dphi", params["dphi"])
    kw = _setup(params)
    plateau = _plateau_kelvin(kw)
    grid = np.linspace(-extent, extent, n)
    X, Y = np.meshgrid(grid, grid, indexing="xy")
    pos = np.stack([X.ravel(), Y.ravel(), np.zeros(X.size)], axis=-1)
    inside = np.linalg.norm(pos, axis=-1) < 2 * params["radius"]  # spheres would overlap
    pos[inside] = [1.0, 0.0, 0.0]  # placeholder far away; masked below
    maps = {}
    for pol in params["polarisations"]:
        ja, jb = _POLARISATIONS[pol]

        def batch(b, ja=ja, jb=jb):
            ua, _ = nanosphere_potentials(np.zeros(3), b["r_b"], params["dphi"], jones_a=ja, jones_b=jb, **kw)
            return {"U_A": ua / k_B - plateau}

        u = out.sweep(f"fig5_{pol}", batch, {"r_b": pos}, chunk_size=4096)["U_A"]
        u[inside] = np.nan
        maps[pol] = u.reshape(X.shape)
        lam = params["wavelength"]
        probe = [maps[pol][n // 2, int(np.argmin(np.abs(grid - lam)))],
                 maps[pol][int(np.argmin(np.abs(grid - lam))), n // 2]]
        out.log(f"{pol}: U_A at (lambda0, 0) = {probe[0]:.2f} K, at (0, lambda0) = {probe[1]:.2f} K (grid-nearest)")
    out.write_arrays("fig5", x=grid, y=grid, plateau_K=plateau, **{f"U_A_{p}": m for p, m in maps.items()})

    plt = _plt()
    k = len(maps)
    fig, axes = plt.subplots(1, k, figsize=(3.6 * k + 0.8, 3.6), squeeze=False)
    lim = params["clip"]
    um = grid * 1e6
    for ax, (pol, m) in zip(axes[0], maps.items()):
        im = ax.imshow(np.clip(m, -lim, lim), origin="lower", extent=[um[0], um[-1], um[0], um[-1]],
                       cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.plot([0], [0], "ko", ms=3)
        ax.set_title(f"{pol}" + (" (A: x, B: y)" if pol == "xy" else ""), fontsize=10)
        ax.set_xlabel("x [µm]")
    axes[0][0].set_ylabel("y [µm]")
    fig.colorbar(im, ax=axes[0].tolist(), label="U_A relative to plateau [K]", shrink=0.85)
    fig.suptitle(rf"sphere B at (x, y, 0), sphere A at the origin, $\Delta\phi$ = {params['dphi']:g}", fontsize=10)
    out.savefig(fig, "fig5.png")


@register_task("nanospheres_fig6", "potentials of both spheres and their minima versus the relative phase dphi; "
               "bound states only at dphi = 0, pi (Jakubec et al. 2024, Fig. 6)",
               params=_common(
                   separation_min=Param(float, 0.25e-6, "smallest separation [m]"),
                   separation_max=Param(float, 3.5e-6, "largest separation [m]"),
                   n_points=Param(int, 801, "separations on the grid"),
                   n_phases=Param(int, 17, "phases dphi in [0, 2 pi] (minima scan)"),
                   n_phases_map=Param(int, 181, "phases in [0, 2 pi] for the potential maps"),
                   polarisation=Param(str, "yy", "tweezer polarisations (A, B)", choices=tuple(_POLARISATIONS)),
               ))
def nanospheres_fig6(params: dict, out) -> None:
    """Write fig6.npz (maps U_A, U_B [K] over (dphi, s), minima of each sphere per phase, bound states) and
    fig6.png."""
    from jaxem import _checks
    from jaxem.constants import k_B
    from jaxem.potentials.nanospheres import bound_states, potential_minima, potentials_vs_separation

    lo = _checks.check_positive("separation_min", params["separation_min"])
    hi = _checks.check_positive("separation_max", params["separation_max"])
    if hi <= lo:
        raise ValueError("separation_max must be > separation_min")
    n = _checks.check_int("n_points", params["n_points"], minimum=3)
    n_phi = _checks.check_int("n_phases", params["n_phases"], minimum=2)
    n_map = _checks.check_int("n_phases_map", params["n_phases_map"], minimum=2)
    kw = _setup(params)
    ja, jb = _POLARISATIONS[params["polarisation"]]
    kw.update(jones_a=ja, jones_b=jb)
    lam = params["wavelength"]
    plateau = _plateau_kelvin(kw)
    s = np.linspace(lo, hi, n)

    phi_map = np.linspace(0, 2 * np.pi, n_map)
    S, P = np.meshgrid(s, phi_map)

    def batch(b):
        ua, ub = potentials_vs_separation(b["s"], b["dphi"], **kw)
        return {"U_A": ua / k_B - plateau, "U_B": ub / k_B - plateau}

    maps = out.sweep("fig6_maps", batch, {"s": S.ravel(), "dphi": P.ravel()}, chunk_size=8192)
    U_A, U_B = maps["U_A"].reshape(S.shape), maps["U_B"].reshape(S.shape)

    phases = np.linspace(0, 2 * np.pi, n_phi)
    max_minima = 8
    min_a = np.full((n_phi, max_minima), np.nan)
    min_b = np.full((n_phi, max_minima), np.nan)
    bound = np.full((n_phi, max_minima), np.nan)
    for i, dphi in enumerate(phases):
        m_a, m_b = potential_minima(s, dphi, max_minima=max_minima, **kw)
        min_a[i], min_b[i] = np.asarray(m_a), np.asarray(m_b)
        bound[i] = np.asarray(bound_states(s, dphi, max_minima=max_minima, **kw))
        found = bound[i][np.isfinite(bound[i])]
        out.log(f"dphi = {dphi / np.pi:.4f} pi: minima A {np.round(min_a[i][np.isfinite(min_a[i])] / lam, 3)}, "
                f"B {np.round(min_b[i][np.isfinite(min_b[i])] / lam, 3)}; bound states at s/lambda0 = "
                f"{np.round(found / lam, 4) if found.size else 'none'}")
    with_bound = phases[np.any(np.isfinite(bound), axis=1)]
    out.log(f"bound states exist at dphi/pi = {np.round(with_bound / np.pi, 4)}")
    out.write_arrays("fig6", separation=s, dphi_map=phi_map, U_A=U_A, U_B=U_B, dphi=phases, minima_A=min_a,
                     minima_B=min_b, bound_states=bound, plateau_K=plateau)

    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    lim = 150
    for ax, U, name in ((axes[0], U_A, "A"), (axes[1], U_B, "B")):
        im = ax.imshow(np.clip(U, -lim, lim), origin="lower", aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim,
                       extent=[s[0] / lam, s[-1] / lam, 0, 2])
        ax.set_xlabel(r"separation $x/\lambda_0$")
        ax.set_ylabel(r"$\Delta\phi/\pi$")
        ax.set_title(f"({'a' if name == 'A' else 'b'}) U_{name} relative to plateau [K]", fontsize=10)
        fig.colorbar(im, ax=ax)
    ax = axes[2]
    for i, dphi in enumerate(phases):
        ax.plot(min_a[i] / lam, np.full(max_minima, dphi / np.pi), "o", mfc="none", color="C3", ms=6,
                label="minima of U_A" if i == 0 else None)
        ax.plot(min_b[i] / lam, np.full(max_minima, dphi / np.pi), "x", color="C0", ms=6,
                label="minima of U_B" if i == 0 else None)
        ax.plot(bound[i] / lam, np.full(max_minima, dphi / np.pi), "*", color="k", ms=11,
                label="bound state (both minimal)" if i == 0 else None)
    ax.set_xlim(s[0] / lam, s[-1] / lam)
    ax.set_xlabel(r"separation $x/\lambda_0$")
    ax.set_ylabel(r"$\Delta\phi/\pi$")
    ax.set_title("(c) equilibria: bound only at 0 and pi", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)
    fig.tight_layout()
    out.savefig(fig, "fig6.png")


def mark_overlap(ax, r_min, radius, scale=1.0):
    """Shade the distances r < 2R on a plot against the centre-to-centre distance r: two spheres of radius R
    overlap there, and a potential drawn there is unphysical (the dipole formulas extend into it smoothly).

    Arguments:
        ax: the matplotlib axes (x axis: r times ``scale``).
        r_min: the smallest distance on the plot [m].
        radius: the sphere radius R [m].
        scale: the factor from metres to the axis unit (1e6 for µm).
    Returns:
        the shaded patch, or None when r_min >= 2R (nothing to shade).

    Source: none (geometry: the centres of touching spheres are 2R apart).
    """
    contact = 2.0 * radius
    if r_min >= contact:
        return None
    ax.axvline(contact * scale, color="0.35", lw=0.8)
    return ax.axvspan(r_min * scale, contact * scale, color="0.85", lw=0, zorder=0,
                      label="r < 2R: spheres overlap (unphysical)")


@register_task("nanospheres_casimir_polder", "thermal Casimir-Polder potential between two silica nanospheres "
               "vs distance, Matsubara sum, with the corrected near/retarded/far laws (Jakubec et al. 2024, Fig. 3)", params={
                   "radius": Param(float, 100e-9, "sphere radius [m]"),
                   "temperatures": Param("floats", [300.0, 77.0, 0.0], "temperatures [K] (0 = T = 0 integral)"),
                   "r_min": Param(float, 1e-9, "smallest distance [m]"),
                   "r_max": Param(float, 1e-4, "largest distance [m]"),
                   "n_points": Param(int, 301, "log-spaced distances"),
                   "n_matsubara": Param(int, 64, "Matsubara terms summed exactly (Euler-Maclaurin tail beyond)"),
               })
def nanospheres_casimir_polder(params: dict, out) -> None:
    """Write casimir_polder.npz (r [m], U [K] per temperature, laws, local exponent) and casimir_polder.png."""
    import jax

    from jaxem import _checks
    from jaxem.constants import k_B, thermal_wavelength
    from jaxem.materials import LorentzOscillators
    from jaxem.potentials.casimir_polder import (casimir_polder_far_field_law, casimir_polder_near_field_law,
                                                 casimir_polder_potential,
                                                 casimir_polder_potential_zero_temperature,
                                                 casimir_polder_retarded_law)

    R = _checks.check_positive("radius", params["radius"])
    r_min = _checks.check_positive("r_min", params["r_min"])
    r_max = _checks.check_positive("r_max", params["r_max"])
    if r_max <= r_min:
        raise ValueError("r_max must be > r_min")
    n = _checks.check_int("n_points", params["n_points"], minimum=2)
    n_mats = _checks.check_int("n_matsubara", params["n_matsubara"], minimum=1)
    temps = params["temperatures"]
    for T in temps:
        _checks.check_nonnegative("temperatures", T)
    silica = LorentzOscillators.silica()
    r = np.geomspace(r_min, r_max, n)
    arrays = {"r": r}
    for T in temps:
        if T == 0:
            U = lambda x: casimir_polder_potential_zero_temperature(x, R, silica)  # noqa: E731
        else:
            U = lambda x, T=T: casimir_polder_potential(x, T, R, silica, n_matsubara=n_mats)  # noqa: E731
        slope = jax.vmap(jax.grad(lambda lr, U=U: jax.numpy.log(-U(jax.numpy.exp(lr)))))
        res = out.sweep(f"cp_T{T:g}", lambda b, U=U, slope=slope: {"U": U(b["r"]) / k_B,
                                                                   "exponent": slope(jax.numpy.log(b["r"]))},
                        {"r": r}, chunk_size=512)
        arrays[f"U_T{T:g}"] = res["U"]
        arrays[f"exponent_T{T:g}"] = res["exponent"]
        out.log(f"T = {T:g} K: U(200 nm) = {float(U(200e-9)) / k_B:.6g} K, U(1 um) = {float(U(1e-6)) / k_B:.6g} K")
    T_ref = next((T for T in temps if T > 0), 300.0)
    arrays["near_law"] = np.asarray(casimir_polder_near_field_law(r, T_ref, R, silica)) / k_B
    arrays["retarded_law"] = np.asarray(casimir_polder_retarded_law(r, R, silica)) / k_B
    arrays["far_law"] = np.asarray(casimir_polder_far_field_law(r, T_ref, R, silica)) / k_B
    out.write_arrays("casimir_polder", **arrays, law_temperature=T_ref)

    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    for i, T in enumerate(temps):
        label = f"Matsubara, T = {T:g} K" if T > 0 else "T = 0 (imaginary-frequency integral)"
        ax.loglog(r * 1e6, -arrays[f"U_T{T:g}"], color=f"C{i}", lw=1.8, label=label)
    ax.loglog(r * 1e6, -arrays["near_law"], "k:", lw=1, label=f"near field (36'), {T_ref:g} K")
    ax.loglog(r * 1e6, -arrays["retarded_law"], "k--", lw=1, label="retarded (37), T = 0")
    ax.loglog(r * 1e6, -arrays["far_law"], "k-.", lw=1, label=f"thermal (38'), {T_ref:g} K")
    ax.axvline(thermal_wavelength(T_ref) * 1e6, color="grey", lw=0.6)
    mark_overlap(ax, r[0], R, scale=1e6)
    ax.set_ylim(np.nanmin(-arrays[f"U_T{temps[0]:g}"]) / 10, np.nanmax(-arrays[f"U_T{temps[0]:g}"]) * 10)
    ax.set_xlabel("distance r [µm]")
    ax.set_ylabel(r"$-U_{CP}/k_B$ [K]")
    ax.set_title(f"two silica spheres, R = {R * 1e9:g} nm (Drude–Lorentz, Eq. 35)", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    ax = axes[1]
    for i, T in enumerate(temps):
        ax.semilogx(r * 1e6, arrays[f"exponent_T{T:g}"], color=f"C{i}", label=f"T = {T:g} K")
    ax.axhline(-6, color="k", lw=0.5)
    ax.axhline(-7, color="k", lw=0.5)
    mark_overlap(ax, r[0], R, scale=1e6)
    ax.set_xlabel("distance r [µm]")
    ax.set_ylabel(r"local exponent $d\ln|U|/d\ln r$")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    out.savefig(fig, "casimir_polder.png")


@register_task("nanospheres_stiffness", "trap frequencies of sphere A along x, y, z vs separation for focused "
               "(Gaussian) tweezers, dphi = 0 and pi: the shift by optical binding and Casimir-Polder",
               params=_common(
                   separation_min=Param(float, 1.0e-6, "smallest separation [m] (keep > 2 w0: each sphere "
                                        "is lit by its own tweezer only)"),
                   separation_max=Param(float, 4.0e-6, "largest separation [m]"),
                   n_points=Param(int, 281, "separations on the grid"),
                   numerical_aperture=Param(float, 0.8, "numerical aperture of each tweezer (w0 = lambda/(pi NA))"),
                   density=Param(float, 2200.0, "mass density of the spheres [kg/m^3] (fused silica)"),
                   polarisation=Param(str, "yy", "tweezer polarisations (A, B)", choices=tuple(_POLARISATIONS)),
               ))
def nanospheres_stiffness(params: dict, out) -> None:
    """Write stiffness.npz (separation [m]; K_A diagonal [N/m] and trap frequencies Omega/2pi [Hz] along x, y, z
    for dphi = 0, pi; the single-tweezer values) and stiffness.png.

    Each sphere sits at the focus of its own paraxial Gaussian tweezer (foci held fixed); K_A is the autodiff
    Hessian of U_A (trap + optical binding + Casimir-Polder) with respect to r_A, Omega = sqrt(K/m).
    """
    import jax.numpy as jnp

    from jaxem import _checks
    from jaxem.potentials.nanospheres import (nanosphere_stiffness, rayleigh_range,
                                              waist_from_numerical_aperture)

    lo = _checks.check_positive("separation_min", params["separation_min"])
    hi = _checks.check_positive("separation_max", params["separation_max"])
    if hi <= lo:
        raise ValueError("separation_max must be > separation_min")
    n = _checks.check_int("n_points", params["n_points"], minimum=2)
    na = _checks.check_positive("numerical_aperture", params["numerical_aperture"])
    rho = _checks.check_positive("density", params["density"])
    kw = _setup(params)
    ja, jb = _POLARISATIONS[params["polarisation"]]
    kw.update(jones_a=ja, jones_b=jb, profile="gaussian", numerical_aperture=na)
    lam = params["wavelength"]
    mass = rho * 4.0 / 3.0 * np.pi * kw["radius"] ** 3
    s = np.linspace(lo, hi, n)

    def freq(k):
        return np.sqrt(np.maximum(k, 0.0) / mass) / (2 * np.pi)

    def batch(b):
        sep = jnp.asarray(b["s"])
        zeros = jnp.zeros_like(sep)
        r_a = jnp.stack([zeros, zeros, zeros], -1)
        r_b = jnp.stack([sep, zeros, zeros], -1)
        res = {}
        for name, dphi in (("0", 0.0), ("pi", np.pi)):
            k_a, _ = nanosphere_stiffness(r_a, r_b, dphi, **kw)
            diag = jnp.diagonal(k_a, axis1=-2, axis2=-1)
            for j, ax in enumerate("xyz"):
                res[f"k_{ax}_{name}"] = diag[:, j]
        return res

    res = out.sweep("stiffness", batch, {"s": s}, chunk_size=256)
    # single tweezer (no partner): the trap alone, k = (4, 4, 2 w0^2/z_R^2) |U0|/w0^2
    far = nanosphere_stiffness(np.zeros(3), np.array([1.0, 0.0, 0.0]), 0.0,
                               **dict(kw, include_casimir_polder=False))[0]
    k_single = np.diagonal(np.asarray(far))
    w0 = float(waist_from_numerical_aperture(na, lam))
    z_r = float(rayleigh_range(w0, lam))
    f_single = freq(k_single)
    out.log(f"w0 = {w0 * 1e9:.1f} nm, z_R = {z_r * 1e9:.1f} nm, m = {mass:.3e} kg; single-tweezer trap frequencies "
            f"{f_single[0] / 1e3:.1f}, {f_single[1] / 1e3:.1f}, {f_single[2] / 1e3:.1f} kHz (x, y, z)")
    freqs = {k.replace("k_", "f_"): freq(v) for k, v in res.items()}
    for name in ("0", "pi"):
        rel = [freqs[f"f_{ax}_{name}"] / f_single[j] - 1 for j, ax in enumerate("xyz")]
        out.log(f"dphi = {name}: relative frequency shifts at s = {s[0] * 1e6:.2f} um: "
                f"{rel[0][0]:+.2e}, {rel[1][0]:+.2e}, {rel[2][0]:+.2e} (x, y, z); max |shift| over the grid "
                f"{max(np.max(np.abs(r)) for r in rel):.2e}")
    out.write_arrays("stiffness", separation=s, waist=w0, rayleigh_range=z_r, mass=mass, k_single=k_single,
                     f_single=f_single, **res, **freqs)

    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharex=True)
    for j, ax_name in enumerate("xyz"):
        ax = axes[j]
        for name, color, label in (("0", "C2", r"$\Delta\phi = 0$"), ("pi", "C0", r"$\Delta\phi = \pi$")):
            ax.plot(s / lam, freqs[f"f_{ax_name}_{name}"] / f_single[j] - 1, color=color, lw=1.4, label=label)
        ax.axhline(0, color="k", lw=0.6, ls=":")
        ax.set_xlabel(r"separation $s/\lambda_0$")
        ax.set_title(f"{ax_name}: single tweezer {f_single[j] / 1e3:.1f} kHz", fontsize=9)
    axes[0].set_ylabel(r"$\Omega_A/\Omega_\mathrm{single} - 1$")
    axes[0].legend(frameon=False)
    fig.suptitle(f"sphere A, R = {kw['radius'] * 1e9:g} nm, NA = {na:g}, I = {params['intensity'] * 1e-12:g} W/um^2, "
                 f"{params['polarisation']} (binding along x)", fontsize=10)
    fig.tight_layout()
    out.savefig(fig, "stiffness.png")
