"""Mie tasks: the scattering spectrum of a sphere in a host medium (the default config)."""
from __future__ import annotations

import numpy as np

from jaxem.sweeps.registry import Param, register_task

__all__ = ["mie_spectrum"]


@register_task("mie_spectrum", "scattering cross section of a sphere vs vacuum wavelength: full Mie and its "
               "electric (a_1) and magnetic (b_1) dipole parts (Muster & Froufe-Pérez 2025, Fig. 4a)", params={
                   "eps_sphere": Param(float, 12.0, "relative permittivity of the sphere, real part"),
                   "eps_sphere_imag": Param(float, 0.0, "imaginary part of the sphere permittivity (>= 0 absorbs)"),
                   "mu_sphere": Param(float, 1.0, "relative permeability of the sphere"),
                   "radius": Param(float, 230e-9, "sphere radius [m]"),
                   "eps_host": Param(float, 1.77, "permittivity of the (lossless) host medium, e.g. water 1.77"),
                   "wavelength_min": Param(float, 1200e-9, "shortest vacuum wavelength [m]"),
                   "wavelength_max": Param(float, 2200e-9, "longest vacuum wavelength [m]"),
                   "n_wavelengths": Param(int, 501, "number of wavelengths (uniform grid)"),
                   "l_max": Param(int, 0, "highest multipole order; 0 = Wiscombe's rule at the shortest wavelength"),
                   "normalise": Param(bool, False, "plot sigma / (pi R^2) instead of sigma in um^2"),
               })
def mie_spectrum(params: dict, out) -> None:
    """Write spectrum.npz (wavelength [m], sigma_sca, sigma_sca_e, sigma_sca_m, sigma_ext, sigma_abs [m^2],
    efficiencies, a_1, b_1) and spectrum.png."""
    import jax

    from jaxem import _checks
    from jaxem.mie import mie_coefficients, wiscombe_lmax
    from jaxem.mie.real import _efficiencies_from_ab

    radius = _checks.check_positive("radius", params["radius"])
    eps_host = _checks.check_positive("eps_host", params["eps_host"])
    _checks.check_positive("mu_sphere", params["mu_sphere"])
    _checks.check_nonnegative("eps_sphere_imag", params["eps_sphere_imag"])
    lam_min = _checks.check_positive("wavelength_min", params["wavelength_min"])
    lam_max = _checks.check_positive("wavelength_max", params["wavelength_max"])
    if lam_max < lam_min:
        raise ValueError(f"wavelength_max must be >= wavelength_min, got {lam_max} < {lam_min}")
    n_wl = _checks.check_int("n_wavelengths", params["n_wavelengths"], minimum=1)
    l_max = _checks.check_int("l_max", params["l_max"], minimum=0)

    n_host = np.sqrt(eps_host)
    eps_s = params["eps_sphere"] + 1j * params["eps_sphere_imag"]
    mu_s = params["mu_sphere"]
    m = np.sqrt(complex(eps_s * mu_s)) / n_host
    wavelength = np.linspace(lam_min, lam_max, n_wl)
    x = 2 * np.pi * n_host * radius / wavelength
    if l_max == 0:
        l_max = wiscombe_lmax(float(np.max(x)))
    out.log(f"m = {m:.4f}, x = {x.min():.3f} .. {x.max():.3f}, l_max = {l_max}")

    @jax.jit
    def batch(inp):
        a, b = mie_coefficients(inp["x"], m, l_max, mu=mu_s)
        q = _efficiencies_from_ab(inp["x"], a, b)
        q_e = 6.0 / inp["x"] ** 2 * abs(a[:, 0]) ** 2
        q_m = 6.0 / inp["x"] ** 2 * abs(b[:, 0]) ** 2
        return {"q_sca": q.q_sca, "q_ext": q.q_ext, "q_abs": q.q_abs, "q_sca_e": q_e, "q_sca_m": q_m,
                "a1": a[:, 0], "b1": b[:, 0]}

    res = out.sweep("spectrum", batch, {"x": x}, chunk_size=256)
    area = np.pi * radius ** 2
    sigma = {k.replace("q_", "sigma_"): res[k] * area for k in ("q_sca", "q_ext", "q_abs", "q_sca_e", "q_sca_m")}
    i_e = int(np.argmax(res["q_sca_e"]))
    i_m = int(np.argmax(res["q_sca_m"]))
    out.log(f"electric-dipole resonance at {wavelength[i_e] * 1e9:.1f} nm, "
            f"magnetic-dipole resonance at {wavelength[i_m] * 1e9:.1f} nm")
    out.write_arrays("spectrum", wavelength=wavelength, size_parameter=x, l_max=l_max,
                     relative_index=m, **sigma, q_sca=res["q_sca"], q_ext=res["q_ext"],
                     q_sca_e=res["q_sca_e"], q_sca_m=res["q_sca_m"], a1=res["a1"], b1=res["b1"],
                     electric_resonance_wavelength=wavelength[i_e],
                     magnetic_resonance_wavelength=wavelength[i_m])

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if params["normalise"]:
        scale, ylabel = 1.0 / area, r"$\sigma_s / \pi a^2$"
    else:
        scale, ylabel = 1e12, r"scattering cross section $\sigma_s$ [µm$^2$]"
    wl_nm = wavelength * 1e9
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    ax.plot(wl_nm, sigma["sigma_sca"] * scale, "k-", lw=2, label="full Mie")
    ax.plot(wl_nm, sigma["sigma_sca_e"] * scale, "C3-", lw=1.5, label=r"electric dipole ($a_1$)")
    ax.plot(wl_nm, sigma["sigma_sca_m"] * scale, "C0-", lw=1.5, label=r"magnetic dipole ($b_1$)")
    ax.axvline(wl_nm[i_e], color="C3", ls=":", lw=1)
    ax.axvline(wl_nm[i_m], color="C0", ls=":", lw=1)
    ax.set_xlabel("vacuum wavelength [nm]")
    ax.set_ylabel(ylabel)
    ax.set_xlim(wl_nm[0], wl_nm[-1])
    ax.set_ylim(bottom=0)
    eps_txt = f"{params['eps_sphere']:g}" + (f"+{params['eps_sphere_imag']:g}i" if params["eps_sphere_imag"] else "")
    ax.set_title(rf"sphere $\varepsilon$ = {eps_txt}, a = {radius * 1e9:g} nm, host $\varepsilon_h$ = {eps_host:g}",
                 fontsize=10)
    ax.legend(frameon=False)
    ax.text(0.98, 0.6, f"e-dipole peak {wl_nm[i_e]:.0f} nm\nm-dipole peak {wl_nm[i_m]:.0f} nm",
            transform=ax.transAxes, ha="right", va="top", fontsize=9)
    fig.tight_layout()
    out.savefig(fig, "spectrum.png")
