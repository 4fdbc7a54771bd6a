"""Materials tasks: sphere reflection coefficients at imaginary frequency (Casimir input)."""
from __future__ import annotations

import numpy as np

from jaxem.sweeps.registry import Param, register_task

__all__ = ["reflection_imag"]

_MATERIALS = ("dielectric", "drude", "plasma", "gold", "gold_plasma", "silica", "perfect_conductor",
              "pemc", "bi_isotropic")


def _material(params):
    from jaxem.constants import ev_to_rad_per_s
    from jaxem.materials import material_from_name

    name = params["material"]
    if name == "dielectric":
        return material_from_name(name, eps=params["eps"], mu=params["mu"])
    if name == "drude":
        return material_from_name(name, omega_p=ev_to_rad_per_s(params["omega_p_ev"]),
                                  gamma=ev_to_rad_per_s(params["gamma_ev"]))
    if name == "plasma":
        return material_from_name(name, omega_p=ev_to_rad_per_s(params["omega_p_ev"]))
    if name == "pemc":
        return material_from_name(name, theta=params["theta"])
    if name == "bi_isotropic":
        return material_from_name(name, eps=params["eps"], mu=params["mu"], chi=params["chi"],
                                  kappa=params["kappa"])
    return material_from_name(name)


@register_task("reflection_imag", "reflection coefficients r_l (E/M 2x2, log form) of a sphere at imaginary "
               "frequencies xi: the Casimir input (Schoger, Dissertation (Augsburg 2024), Sec. 4.1)", params={
                   "material": Param(str, "gold", "sphere material", choices=_MATERIALS),
                   "eps": Param(float, 2.25, "relative permittivity (dielectric, bi_isotropic)"),
                   "mu": Param(float, 1.0, "relative permeability (dielectric, bi_isotropic)"),
                   "chi": Param(float, 0.0, "Tellegen parameter (bi_isotropic)"),
                   "kappa": Param(float, 0.0, "chirality parameter (bi_isotropic)"),
                   "omega_p_ev": Param(float, 9.0, "plasma frequency [eV] (drude, plasma)"),
                   "gamma_ev": Param(float, 0.035, "relaxation rate [eV] (drude)"),
                   "theta": Param(float, 0.7853981633974483, "duality angle [rad] (pemc)"),
                   "eps_host": Param(float, 1.0, "permittivity of the host medium (1 = vacuum)"),
                   "radius": Param(float, 1e-6, "sphere radius [m]"),
                   "temperature": Param(float, 300.0, "temperature [K]; xi = Matsubara frequencies"),
                   "n_matsubara": Param(int, 64, "number of Matsubara frequencies n = 1..n_matsubara"),
                   "l_max": Param(int, 60, "highest multipole order"),
               })
def reflection_imag(params: dict, out) -> None:
    """Write reflection.npz (xi [rad/s], x, log_abs, phase (n, l_max, 2, 2)) and reflection.png."""
    import jax
    import jax.numpy as jnp

    from jaxem import _checks
    from jaxem.constants import matsubara_frequency
    from jaxem.materials import Dielectric
    from jaxem.mie.imaginary import reflection_matrix_imag, size_parameter_imag

    radius = _checks.check_positive("radius", params["radius"])
    temperature = _checks.check_positive("temperature", params["temperature"])
    n_xi = _checks.check_int("n_matsubara", params["n_matsubara"], minimum=1)
    l_max = _checks.check_int("l_max", params["l_max"], minimum=1)
    eps_host = _checks.check_positive("eps_host", params["eps_host"])
    material = _material(params)
    medium = None if eps_host == 1.0 else Dielectric(eps_host)
    xi = np.asarray(matsubara_frequency(np.arange(1, n_xi + 1), temperature), dtype=np.float64)
    x = np.asarray(size_parameter_imag(xi, radius, medium))
    out.log(f"{type(material).__name__}: x = {x.min():.3g} .. {x.max():.3g}, l_max = {l_max}")

    @jax.jit
    def batch(inp):
        la, ph = reflection_matrix_imag(inp["xi"], radius, material, l_max, medium=medium)
        return {"log_abs": la, "phase_re": jnp.real(ph), "phase_im": jnp.imag(ph)}

    res = out.sweep("reflection", batch, {"xi": xi}, chunk_size=16)
    phase = res["phase_re"] + 1j * res["phase_im"]
    out.write_arrays("reflection", xi=xi, x=x, l=np.arange(1, l_max + 1), log_abs=res["log_abs"], phase=phase)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    l = np.arange(1, l_max + 1)
    for ax, (i, j), label in zip(axes, [(0, 0), (1, 1)], ["$r^{EE}_l$", "$r^{MM}_l$"]):
        for k in sorted({0, n_xi // 4, n_xi // 2, n_xi - 1}):
            ax.plot(l, res["log_abs"][k, :, i, j] / np.log(10), label=f"x = {x[k]:.3g}")
        ax.set_xlabel("multipole order l")
        ax.set_title(label)
    axes[0].set_ylabel(r"$\log_{10}|r_l|$")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    out.savefig(fig, "reflection.png")
