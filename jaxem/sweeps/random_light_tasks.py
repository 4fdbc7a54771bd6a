"""Tasks reproducing Muster & Froufe-Pérez, arXiv:2510.03503 (2025) (random-light pair potentials,
spectral design): Figs. 1-4.

Configs: configs/random_light_fig1.toml, _fig2a, _fig2b, _fig3, _fig4.
"""
from __future__ import annotations

import numpy as np

from .registry import Param, register_task

TWO_PI = 2.0 * np.pi


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@register_task("random_light_cross_sections", "Fig. 1 of Muster & Froufe-Pérez (2025): sigma_e, sigma_m, sigma_tot of Lorentzian e+m dipoles", params={
    "Q": Param("floats", [2.0, 2.0, 10.0, 10.0], "quality factors Q = Q_e = Q_m of the panels"),
    "delta": Param("floats", [0.0, 0.5, 0.0, 0.2], "detunings Delta = omega0_m/omega0_e - 1 of the panels"),
    "lambda_min": Param(float, 0.4, "smallest reduced wavelength lambda/lambda0"),
    "lambda_max": Param(float, 2.0, "largest reduced wavelength lambda/lambda0"),
    "n_points": Param(int, 600, "wavelength grid size"),
})
def random_light_cross_sections(params: dict, out) -> None:
    import jax.numpy as jnp

    from ..polarizabilities import reduced_lorentz_polarizabilities
    from ..potentials.random_light import scattering_cross_sections

    qs, ds = params["Q"], params["delta"]
    if len(qs) != len(ds) or not qs:
        raise ValueError("Q and delta must be non-empty lists of equal length")
    lam = np.linspace(params["lambda_min"], params["lambda_max"], params["n_points"])
    w = jnp.asarray(1.0 / lam)
    plt = _plt()
    fig, axes = plt.subplots(1, len(qs), figsize=(3.2 * len(qs), 3), sharey=True, squeeze=False)
    arrays = {"lambda_t": lam}
    for i, (q, d) in enumerate(zip(qs, ds)):
        ae, am = reduced_lorentz_polarizabilities(w, q, q, d)
        se, sm = (np.asarray(s) for s in scattering_cross_sections(TWO_PI * w, ae, am))
        arrays[f"sigma_e_{i}"], arrays[f"sigma_m_{i}"] = se, sm
        ax = axes[0, i]
        ax.plot(lam, se, label=r"$\sigma^{(e)}$")
        ax.plot(lam, sm, "--", label=r"$\sigma^{(m)}$")
        ax.plot(lam, se + sm, "k", label=r"$\sigma^{(tot)}$")
        ax.set_title(f"Q = {q:g}, $\\Delta$ = {d:g}", fontsize=9)
        ax.set_xlabel(r"$\lambda/\lambda_0$")
    axes[0, 0].set_ylabel(r"$\sigma_s/\lambda_0^2$")
    axes[0, 0].legend(fontsize=8)
    out.write_arrays("cross_sections", **arrays)
    out.savefig(fig, "fig1_cross_sections.png")


@register_task("random_light_loss_map", "Fig. 2 of Muster & Froufe-Pérez (2025): optimal normalised loss L~ over (Q, Delta Q)", params={
    "Q_min": Param(float, 1.0, "smallest quality factor"),
    "Q_max": Param(float, 1000.0, "largest quality factor"),
    "n_Q": Param(int, 40, "number of Q values"),
    "log_Q": Param(bool, True, "log-spaced Q (Fig. 2a) or linear (Fig. 2b)"),
    "delta_Q_min": Param(float, 0.0, "smallest Delta*Q"),
    "delta_Q_max": Param(float, 5.0, "largest Delta*Q"),
    "n_delta_Q": Param(int, 40, "number of Delta*Q values"),
    "n_lines": Param(int, 200, "spectral lines N_l"),
    "n_distances": Param(int, 1000, "distances N_d in r~ = [0.5, 3]"),
    "chunk_size": Param(int, 64, "points per jitted chunk (resumable)", minimum=1),
})
def random_light_loss_map(params: dict, out) -> None:
    import jax.numpy as jnp

    from .._checks import check_int, check_positive
    from ..potentials.spectrum import optimal_spectrum_map

    check_positive("Q_min", params["Q_min"])
    if params["Q_max"] < params["Q_min"] or params["delta_Q_max"] < params["delta_Q_min"] or params["delta_Q_min"] < 0:
        raise ValueError("need Q_min <= Q_max and 0 <= delta_Q_min <= delta_Q_max")
    for key in ("n_Q", "n_delta_Q", "n_lines", "n_distances"):
        check_int(key, params[key], minimum=1)
    if params["log_Q"]:
        qs = np.geomspace(params["Q_min"], params["Q_max"], params["n_Q"])
    else:
        qs = np.linspace(params["Q_min"], params["Q_max"], params["n_Q"])
    dqs = np.linspace(params["delta_Q_min"], params["delta_Q_max"], params["n_delta_Q"])
    qq, dd = np.meshgrid(qs, dqs, indexing="ij")
    nl, nd = params["n_lines"], params["n_distances"]

    def fn(batch):
        res = optimal_spectrum_map(jnp.asarray(batch["Q"]), jnp.asarray(batch["delta_Q"]), nl, nd)
        return {"loss": res["loss"], "normalized_loss": res["normalized_loss"]}

    res = out.sweep("loss_map", fn, {"Q": qq.ravel(), "delta_Q": dd.ravel()}, chunk_size=params["chunk_size"])
    lt = res["normalized_loss"].reshape(qq.shape)
    loss = res["loss"].reshape(qq.shape)
    out.write_arrays("loss_map", Q=qs, delta_Q=dqs, normalized_loss=lt, loss=loss)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    pc = ax.pcolormesh(qs, dqs, np.log10(np.maximum(lt, 1e-8)).T, shading="auto", cmap="viridis")
    if params["log_Q"]:
        ax.set_xscale("log")
    ax.set_xlabel("Q")
    ax.set_ylabel(r"$\Delta Q$")
    fig.colorbar(pc, label=r"$\log_{10}\tilde L$ (exact convex optimum)")
    i, j = np.unravel_index(np.argmin(lt), lt.shape)
    ax.set_title(f"min L~ = {lt[i, j]:.2e} at Q={qs[i]:.3g}, ΔQ={dqs[j]:.3g}", fontsize=9)
    out.savefig(fig, "fig2_loss_map.png")
    out.log(f"L~ range {lt.min():.3e} .. {lt.max():.3e}")


@register_task("random_light_cases", "Fig. 3 of Muster & Froufe-Pérez (2025): optimised V_tot(r~) and line spectra at chosen (Q, Delta Q)", params={
    "Q": Param("floats", [2.54, 8.78], "quality factors of the cases"),
    "delta_Q": Param("floats", [2.26, 1.21], "Delta*Q of the cases"),
    "n_lines": Param(int, 200, "spectral lines N_l"),
    "n_distances": Param(int, 1000, "distances N_d in r~ = [0.5, 3]"),
    "paper_mode_starts": Param(int, 0, "SLSQP (the paper's protocol, FD gradient) random starts per case; 0 = skip (slow: ~1 min each)"),
})
def random_light_cases(params: dict, out) -> None:
    import jax.numpy as jnp

    from ..potentials.random_light import paper_pair_potential_matrix
    from ..potentials.spectrum import normalized_pair_loss, optimize_line_spectrum, optimize_line_spectrum_slsqp, pair_loss

    qs, dqs = params["Q"], params["delta_Q"]
    if len(qs) != len(dqs) or not qs:
        raise ValueError("Q and delta_Q must be non-empty lists of equal length")
    from .._checks import check_nonnegative, check_positive

    check_positive("Q", np.asarray(qs))
    check_nonnegative("delta_Q", np.asarray(dqs))
    r = np.linspace(0.5, 3.0, params["n_distances"])
    plt = _plt()
    n = len(qs)
    fig, axes = plt.subplots(2, n, figsize=(4 * n, 6), squeeze=False)
    summary = {}
    for i, (q, dq) in enumerate(zip(qs, dqs)):
        V, w = paper_pair_potential_matrix(q, dq, params["n_lines"], params["n_distances"])
        V, w = np.asarray(V), np.asarray(w)
        C = np.asarray(optimize_line_spectrum(V))
        lt = float(normalized_pair_loss(jnp.asarray(C), V))
        loss = float(pair_loss(jnp.asarray(C), V))
        m = int(np.argmax(C))
        arrays = {"r_t": r, "lambda_t": 1 / w, "weights": C, "V_tot": V @ C, "CmVm": C[m] * V[:, m]}
        line = f"case {i}: Q={q}, dQ={dq}: exact L={loss:.5e}, L~={lt:.5f}"
        summary[f"case{i}"] = {"Q": q, "delta_Q": dq, "loss": loss, "normalized_loss": lt}
        if params["paper_mode_starts"] > 0:
            c_p, info = optimize_line_spectrum_slsqp(V, n_starts=params["paper_mode_starts"])
            arrays["weights_slsqp"] = c_p
            arrays["V_tot_slsqp"] = V @ c_p
            summary[f"case{i}"]["normalized_loss_slsqp"] = info["normalized_loss"]
            line += f"; paper-mode SLSQP L~={info['normalized_loss']:.5f} ({info['seconds_per_start']:.1f} s/start)"
        out.log(line)
        out.write_arrays(f"case{i}", **arrays)
        ax = axes[0, i]
        ax.plot(r, V @ C, "k", label=r"$V_{tot}$ (optimised)")
        ax.plot(r, C[m] * V[:, m], "r--", label=r"$C_m V_m$")
        if "V_tot_slsqp" in arrays:
            ax.plot(r, arrays["V_tot_slsqp"], "b:", label="SLSQP (paper mode)")
        ax.set_xlabel(r"$r/\lambda_0$")
        ax.set_ylabel(r"$V/\lambda_0^3$")
        ax.set_title(f"Q={q:g}, ΔQ={dq:g}: L~={lt:.2e}", fontsize=9)
        ax.legend(fontsize=7)
        ax = axes[1, i]
        ax.stem(1 / w, C, markerfmt=" ", basefmt=" ")
        ax.plot(1 / w[m], C[m], "rs")
        ax.set_xlabel(r"$\lambda/\lambda_0$")
        ax.set_ylabel(r"$C_i$")
    fig.tight_layout()
    out.savefig(fig, "fig3_cases.png")
    out.finish(**summary)


@register_task("random_light_mie_fit", "Fig. 4 of Muster & Froufe-Pérez (2025): Lorentz fit of a Mie sphere and its minimised U(D) in k_BT", params={
    "radius": Param(float, 230e-9, "sphere radius [m]"),
    "eps_particle": Param(float, 12.0, "sphere permittivity"),
    "eps_host": Param(float, 1.77, "host permittivity (water)"),
    "fit_lambda_min": Param(float, 1200e-9, "fit window, vacuum wavelength [m]"),
    "fit_lambda_max": Param(float, 2200e-9, "fit window, vacuum wavelength [m]"),
    "line_lambda_min": Param(float, 1300e-9, "shortest line, vacuum wavelength [m] (dipoles suffice above ~1300 nm)"),
    "line_lambda_max": Param(float, 2200e-9, "longest line, vacuum wavelength [m]"),
    "n_lines": Param(int, 200, "spectral lines"),
    "D_min": Param(float, 100e-9, "smallest surface-to-surface distance [m]"),
    "D_max": Param(float, 3000e-9, "largest surface-to-surface distance [m]"),
    "n_distances": Param(int, 1000, "distance samples"),
    "energy_density": Param(float, 10.0, "total electric energy density U_E of the random field [J/m^3]"),
    "temperature": Param(float, 300.0, "temperature [K] for the k_B T unit"),
    "polarizability": Param(str, "mie", "polarizabilities used in the optimisation", choices=("mie", "lorentz")),
})
def random_light_mie_fit(params: dict, out) -> None:
    import jax.numpy as jnp

    from .._checks import check_positive
    from ..constants import k_B
    from ..mie import dipole_polarizabilities
    from ..polarizabilities import lorentz_polarizability
    from ..potentials.random_light import fit_lorentz_to_mie, random_light_potential
    from ..potentials.spectrum import normalized_pair_loss, optimize_line_spectrum

    for key in ("radius", "eps_host", "energy_density", "temperature", "D_min", "D_max"):
        check_positive(key, params[key])
    if params["D_max"] <= params["D_min"]:
        raise ValueError("D_max must exceed D_min (sorted distance window)")
    a, eps_h = params["radius"], params["eps_host"]
    n_h = np.sqrt(eps_h)
    lam_fit = np.linspace(params["fit_lambda_min"], params["fit_lambda_max"], 1001)
    fit = fit_lorentz_to_mie(a, params["eps_particle"], eps_h, lam_fit)
    out.log(f"Lorentz fit: Q_e={fit['Q_e']:.4f}, Q_m={fit['Q_m']:.4f}, Delta={fit['Delta']:.4f}, "
            f"lambda0_e={fit['lambda0_e'] * 1e9:.1f} nm (paper: 2.2133, 5.7585, 0.2302, 1384 nm)")
    # lines and distances
    lam = np.linspace(params["line_lambda_min"], params["line_lambda_max"], params["n_lines"])
    k = n_h * TWO_PI / lam
    D = np.linspace(params["D_min"], params["D_max"], params["n_distances"])
    r = D + 2 * a
    if params["polarizability"] == "mie":
        ae, am = dipole_polarizabilities(k, a, np.sqrt(params["eps_particle"] / eps_h))
    else:
        omega = TWO_PI * 299792458.0 / lam
        om_e = TWO_PI * 299792458.0 / fit["lambda0_e"]
        ae = lorentz_polarizability(omega, om_e, fit["Q_e"], k)
        am = lorentz_polarizability(omega, om_e / (1 + fit["Delta"]), fit["Q_m"], k)
    V = np.asarray(random_light_potential(r[:, None], k[None, :], ae[None, :], am[None, :]))  # m^3
    C = np.asarray(optimize_line_spectrum(V))
    lt = float(normalized_pair_loss(jnp.asarray(C), V))
    kT = k_B * params["temperature"]
    U = params["energy_density"] * (V @ C) / kT
    m = int(np.argmax(C))
    U_m = params["energy_density"] * C[m] * V[:, m] / kT
    out.log(f"optimised with {params['polarizability']} alpha: L~ = {lt:.4f}, max|U| = {np.abs(U).max():.3e} k_BT, "
            f"max|C_m U_m| = {np.abs(U_m).max():.3e} k_BT at U_E = {params['energy_density']} J/m^3")
    out.write_arrays("mie_fit", wavelength=lam_fit, sigma_e_mie=fit["sigma_e_mie"], sigma_m_mie=fit["sigma_m_mie"],
                     sigma_e_lorentz=fit["sigma_e_lorentz"], sigma_m_lorentz=fit["sigma_m_lorentz"],
                     fitted=np.array([fit["Q_e"], fit["Q_m"], fit["Delta"], fit["lambda0_e"]]),
                     paper=np.array([2.2133, 5.7585, 0.2302, 1384e-9]))
    out.write_arrays("potential", D=D, U_kT=U, CmUm_kT=U_m, line_wavelength=lam, weights=C, normalized_loss=lt)
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    ax = axes[0]
    x = lam_fit * 1e9
    for key, col, lab in (("e", "C0", "e"), ("m", "C1", "m")):
        ax.plot(x, fit[f"sigma_{key}_mie"], col, label=f"Mie {lab}")
        ax.plot(x, fit[f"sigma_{key}_lorentz"], col + ":", label=f"Lorentz {lab}")
    ax.plot(x, fit["sigma_e_mie"] + fit["sigma_m_mie"], "k", label="Mie tot")
    ax.plot(x, fit["sigma_e_lorentz"] + fit["sigma_m_lorentz"], "k:", label="Lorentz tot")
    ax.set_xlabel("vacuum wavelength [nm]")
    ax.set_ylabel(r"$\sigma_s$ [$\mu$m$^2$]")
    ax.set_title(f"Q_e={fit['Q_e']:.3f} Q_m={fit['Q_m']:.3f} Δ={fit['Delta']:.4f}", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1]
    ax.plot(D * 1e9, U, "k", label="U(D) optimised")
    ax.plot(D * 1e9, U_m, "r--", label=r"$C_m U_m$")
    ax.set_xlabel("D [nm]")
    ax.set_ylabel(r"U [$k_BT$]")
    ax.set_title(f"T={params['temperature']:g} K, U_E={params['energy_density']:g} J/m³, L~={lt:.3f}", fontsize=9)
    ax.legend(fontsize=8)
    ax = axes[2]
    ax.stem(lam * 1e9, C, markerfmt=" ", basefmt=" ")
    ax.plot(lam[m] * 1e9, C[m], "rs")
    ax.set_xlabel("vacuum wavelength [nm]")
    ax.set_ylabel(r"$C_i$")
    fig.tight_layout()
    out.savefig(fig, "fig4_mie.png")
    out.finish(Q_e=fit["Q_e"], Q_m=fit["Q_m"], Delta=fit["Delta"], lambda0_e_nm=fit["lambda0_e"] * 1e9,
               fit_rms_um2=fit["rms"], normalized_loss=lt, max_abs_U_kT=float(np.abs(U).max()),
               max_abs_CmUm_kT=float(np.abs(U_m).max()))
