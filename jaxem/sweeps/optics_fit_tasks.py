"""Bead-fit task (T. Schoger, Dissertation, Universität Augsburg (2024), Ch. 7, Tables 7.1/7.2): synthetic rotation
angles of a bead-A-like sphere, fitted with the MD theory (radius only, no aberration) and the MDSA+ theory
(radius, coverslip distance L, astigmatism A_ast, phi_ast) side by side.

Config: configs/optical_bead_fit.toml. Writes bead_fit.npz (data, fitted values, errors, correlation matrices, model
angles), bead_fit_table.txt (the two fits as a Markdown table) and bead_fit.png (alpha(ell): data of every round,
their mean and the fitted MD and MDSA+ angles).
"""
from __future__ import annotations

import math

import numpy as np

from jaxem.sweeps.optics_tasks import _beam_params, _plt
from jaxem.sweeps.registry import Param, register_task

__all__ = ["optical_bead_fit"]

UM = 1e-6
# parameters with the same meaning and defaults as in the other optics tasks (one definition: optics_tasks)
_SHARED_PARAMS = ("wavelength", "numerical_aperture", "n_immersion", "n_medium", "n_sphere", "helicity")


def _filling(params, ell):
    """gamma of mode ell: the config value, or (filling = 0) the ring of the LG mode inside the pupil for |ell| > 1,
    gamma = max(1, sqrt(|ell|/2) n_s/NA) (the dissertation's w0(ell) is ambiguous)."""
    if params["filling"] > 0:
        return params["filling"]
    return max(1.0, math.sqrt(abs(ell) / 2.0) * params["n_immersion"] / params["numerical_aperture"])


def _opt(params, key, minimum):
    """A static size from the config: None when the config says 'automatic' (0), else an int >= ``minimum``."""
    from jaxem import _checks

    v = _checks.check_int(key, params[key], minimum=0)
    if v == 0:
        return None
    if v < minimum:
        raise ValueError(f"{key} must be 0 (automatic) or >= {minimum}, got {v}")
    return v


def _pair(params, key):
    v = params[key]
    if len(v) != 2 or not v[1] > v[0]:
        raise ValueError(f"{key} must be [lo, hi] with hi > lo, got {v}")
    return (float(v[0]), float(v[1]))


@register_task("optical_bead_fit", "synthetic rotation angles of a trapped bead fitted with the MD and the MDSA+ "
               "theory side by side: values, autodiff errors, correlation matrix, alpha(ell) plot (Schoger 2024, "
               "Eq. (7.2), Tables 7.1/7.2)",
               params=dict(
                   {k: v for k, v in _beam_params().items() if k in _SHARED_PARAMS},
                   filling=Param(float, 0.0, "filling gamma = f/w0 of every mode; 0: gamma(ell) = max(1, "
                                 "sqrt(|ell|/2) n_s/NA)"),
                   radius=Param(float, 1.503e-6, "true bead radius R of the synthetic data [m] (bead A, Table 7.2)"),
                   interface_distance=Param(float, 5.8e-6, "true coverslip distance L [m]"),
                   astigmatism=Param(float, 0.245, "true astigmatism A_ast [waves]"),
                   astigmatism_angle=Param(float, 0.37, "true astigmatism angle phi_ast [rad]"),
                   ells=Param("ints", [-3, -2, -1, 0, 1, 2], "modes ell measured"),
                   rounds=Param(int, 4, "measurement rounds per mode"),
                   rho_eq=Param(float, 0.03e-6, "mean displacement rho_eq of every mode [m]"),
                   sigma_alpha_deg=Param(float, 0.5, "error of each measured angle [deg] (Gaussian noise added)"),
                   noise_seed=Param(int, 1, "seed of the noise generator"),
                   start_radius=Param(float, 1.50e-6, "start radius of both fits (nominal) [m]"),
                   radius_bounds=Param("floats", [1.42e-6, 1.58e-6], "radius bounds = scan range [m] (nominal "
                                       "+- 2 sigma of the manufacturer)"),
                   start_interface_distance=Param(float, 5.0e-6, "MDSA+ start value of L [m]"),
                   interface_distance_bounds=Param("floats", [3.0e-6, 8.0e-6], "MDSA+ bounds of L [m]"),
                   start_astigmatism=Param(float, 0.2, "MDSA+ start value of A_ast [waves]"),
                   astigmatism_bounds=Param("floats", [0.05, 0.45], "MDSA+ bounds of A_ast [waves]"),
                   start_astigmatism_angle=Param(float, 0.5, "MDSA+ start value of phi_ast [rad]"),
                   astigmatism_angle_bounds=Param("floats", [-0.3, 1.3], "MDSA+ bounds of phi_ast [rad]"),
                   l_max=Param(int, 0, "multipole cut (0: Wiscombe's rule at the largest radius)"),
                   n_quad=Param(int, 0, "beam-shape quadrature nodes (0: the default rule)"),
                   s_max=Param(int, -1, "astigmatism Jacobi-Anger cut (-1: the default rule)"),
                   n_grid=Param(int, 48, "axial scan points of each equilibrium solve"),
               ))
def optical_bead_fit(params: dict, out) -> None:
    """Write bead_fit.npz, bead_fit_table.txt and bead_fit.png: MD and MDSA+ fits of synthetic angles side by side.

    Arguments:
        params: validated config parameters (units as in the Param help, SI).
        out: :class:`jaxem.sweeps.Output`.
    Returns:
        None. bead_fit.npz: ell, alpha, alpha_err, rho_eq, filling (data), true_values (R, L, A_ast, phi_ast),
        md_names/values/errors, md_alpha (per entry), mdsa_plus_names/values/errors/covariance/correlation,
        mdsa_plus_alpha, chi2 (Eq. (7.2)) and reduced chi^2 of both; run.json records the same values.
    Source:
        T. Schoger, Dissertation, Universität Augsburg (2024), Eq. (7.2), Sec. 7.2, Tables 7.1/7.2 and Fig. 7.4;
        :func:`jaxem.optics.fits.fit_bead`.
    """
    from jaxem import _checks
    from jaxem.optics import FocusedBeam
    from jaxem.optics.fits import fit_bead, fit_table, model_rotation_angles

    for key in ("wavelength", "numerical_aperture", "n_immersion", "n_medium", "n_sphere", "radius",
                "rho_eq", "sigma_alpha_deg", "start_radius"):
        _checks.check_positive(key, params[key])
    _checks.check_nonnegative("filling", params["filling"])
    _checks.check_nonnegative("interface_distance", params["interface_distance"])
    ells = list(params["ells"])
    if not ells or len(set(ells)) != len(ells):
        raise ValueError(f"ells must be a non-empty list without repeats, got {ells}")
    rounds = _checks.check_int("rounds", params["rounds"], minimum=1)
    sizes = dict(l_max=_opt(params, "l_max", 1), n_quad=_opt(params, "n_quad", 2), n_grid=params["n_grid"])
    s_max = None if params["s_max"] < 0 else params["s_max"]
    bounds = {name: _pair(params, f"{name}_bounds")
              for name in ("radius", "interface_distance", "astigmatism", "astigmatism_angle")}

    ell = np.repeat(np.asarray(ells, dtype=np.int64), rounds)
    n = ell.size
    design = dict(ell=ell, rho_eq=np.full(n, params["rho_eq"]),
                  filling=np.array([_filling(params, e) for e in ell]))
    beam = FocusedBeam(params["wavelength"], params["numerical_aperture"], params["n_immersion"],
                       params["n_medium"], 1.0, helicity=params["helicity"])      # ValueError naming a bad one
    n_sphere = params["n_sphere"]
    truth = {k: params[k] for k in ("radius", "interface_distance", "astigmatism", "astigmatism_angle")}
    out.log(f"synthetic data: {len(ells)} modes x {rounds} rounds, truth R = {truth['radius'] / UM:.4f} um, "
            f"L = {truth['interface_distance'] / UM:.3f} um, A_ast = {truth['astigmatism']:.4f}, "
            f"phi_ast = {truth['astigmatism_angle']:.4f} rad, sigma_alpha = {params['sigma_alpha_deg']} deg")
    exact = np.asarray(model_rotation_angles(truth, design, beam, n_sphere, s_max=s_max, **sizes))
    if not np.all(np.isfinite(exact)):
        bad = sorted(set(ell[~np.isfinite(exact)].tolist()))
        raise ValueError(f"no axial trap for ell = {bad} at the true parameters; remove them from ells")
    sigma = math.radians(params["sigma_alpha_deg"])
    rng = np.random.default_rng(params["noise_seed"])
    data = dict(design, alpha=exact + sigma * rng.standard_normal(n), alpha_err=np.full(n, sigma))

    md = fit_bead(data, beam, n_sphere, free=("radius",), start={"radius": params["start_radius"]},
                  bounds={"radius": bounds["radius"]}, **sizes)
    free = ("radius", "interface_distance", "astigmatism", "astigmatism_angle")
    start = {"radius": params["start_radius"], "interface_distance": params["start_interface_distance"],
             "astigmatism": params["start_astigmatism"], "astigmatism_angle": params["start_astigmatism_angle"]}
    plus = fit_bead(data, beam, n_sphere, free=free, start=start, bounds=bounds, s_max=s_max, **sizes)
    table = fit_table({"MD": md, "MDSA+": plus})
    for line in table.splitlines():
        out.log(line)
    names = list(plus.names)
    out.log("MDSA+ correlation matrix (" + ", ".join(names) + "):")
    for name, row in zip(names, plus.correlation):
        out.log(f"  {name:>18s} " + " ".join(f"{v:+.3f}" for v in row))
    for label, fit in (("MD", md), ("MDSA+", plus)):
        if len(fit.alternatives) > 1:
            out.log(f"{label}: other local minima of the radius scan within delta chi^2 = 1: " + ", ".join(
                f"{a['radius'] / UM:.4f} um (delta chi^2 {a['delta_chi2']:.2f})" for a in fit.alternatives[1:]))
    out.write_text("bead_fit_table.txt", table + "\n")
    out.write_arrays("bead_fit", ell=ell, alpha=data["alpha"], alpha_err=data["alpha_err"], rho_eq=data["rho_eq"],
                     filling=data["filling"], alpha_exact=exact,
                     true_values=np.array([truth[k] for k in free]),
                     md_names=np.array(md.names), md_values=np.array([md.values[k] for k in md.names]),
                     md_errors=np.array([md.errors[k] for k in md.names]), md_alpha=md.alpha_fit,
                     md_chi2=md.chi2, md_reduced_chi2=md.reduced_chi2,
                     mdsa_plus_names=np.array(names), mdsa_plus_values=np.array([plus.values[k] for k in names]),
                     mdsa_plus_errors=np.array([plus.errors[k] for k in names]),
                     mdsa_plus_covariance=plus.covariance, mdsa_plus_correlation=plus.correlation,
                     mdsa_plus_alpha=plus.alpha_fit, mdsa_plus_chi2=plus.chi2,
                     mdsa_plus_reduced_chi2=plus.reduced_chi2)
    _plot(out, params, ell, data, md, plus)
    out.finish(md={"values": md.values, "errors": md.errors, "chi2": md.chi2, "reduced_chi2": md.reduced_chi2},
               mdsa_plus={"values": plus.values, "errors": plus.errors, "chi2": plus.chi2,
                          "reduced_chi2": plus.reduced_chi2, "correlation": plus.correlation.tolist()})


def _plot(out, params, ell, data, md, plus):
    plt = _plt()
    modes = np.unique(ell)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    jitter = np.zeros(ell.size)
    for e in modes:
        idx = np.nonzero(ell == e)[0]
        jitter[idx] = 0.06 * (np.arange(idx.size) - 0.5 * (idx.size - 1))
    ax.errorbar(ell + jitter, np.degrees(data["alpha"]), yerr=np.degrees(data["alpha_err"]), fmt=".", color="0.6",
                ms=4, lw=0.8, label="data (each round)")
    mean = np.array([np.mean(data["alpha"][ell == e]) for e in modes])
    ax.plot(modes, np.degrees(mean), "ko", mfc="w", label="data (mean)")
    for fit, style, label in ((md, "s--", "MD"), (plus, "^-", "MDSA+")):
        first = np.array([np.nonzero(ell == e)[0][0] for e in modes])
        ax.plot(modes, np.degrees(fit.alpha_fit[first]), style,
                label=f"{label}: R = {fit.values['radius'] / UM:.4f} µm, χ² = {fit.chi2:.2f}")
    ax.set_xlabel("ℓ")
    ax.set_ylabel("α [deg]")
    ax.set_title(f"rotation angles of a synthetic bead (σ = {params['helicity']:+d}), MD vs MDSA+ fit", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.savefig(fig, "bead_fit.png")
