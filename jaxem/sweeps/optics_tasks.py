"""Optical-tweezers tasks (T. Schoger, Dissertation, Universität Augsburg (2024), Ch. 6): force maps in the
(rho, z) plane with the zero-force curves and the radial equilibria (Fig. 6.2), the ring radius rho_eq(ell)
(Fig. 6.2, bottom) and the rotation angle alpha(R) (Fig. 6.4).

Configs: configs/optical_fig6_2.toml, configs/optical_rotation_angle.toml.

Every force evaluation goes through :meth:`jaxem.sweeps.Output.sweep` (resumable chunks): a rerun with the
same parameters loads the finished chunks, including those of the equilibrium refinement, and compiles
nothing. The beam's filling gamma = f/w0 is a parameter (the dissertation does not state w0(ell)
unambiguously); the same gamma is used for every ell of a run.
"""
from __future__ import annotations

import math

import numpy as np

from jaxem.sweeps.registry import Param, register_task

__all__ = ["optical_fig6_2", "optical_rotation_angle"]

UM = 1e-6
_MAX_RINGS = 4          # off-axis equilibria kept per (ell, R) in the rho_eq(ell) arrays


def _beam_params(**overrides):
    """Beam and sphere parameters shared by the optics tasks (defaults: the dissertation's experiment)."""
    params = {
        "wavelength": Param(float, 1.064e-6, "vacuum wavelength lambda0 [m]"),
        "numerical_aperture": Param(float, 1.4, "numerical aperture NA of the objective"),
        "n_immersion": Param(float, 1.518, "refractive index n_s of the immersion oil / coverslip"),
        "n_medium": Param(float, 1.3246, "refractive index n_w of the sample medium (water)"),
        "n_sphere": Param(float, 1.5694, "real part of the sphere's refractive index (polystyrene)"),
        "n_sphere_imag": Param(float, 0.0, "imaginary part of the sphere's refractive index (>= 0)"),
        "filling": Param(float, 2.8, "filling gamma = f/w0 of the objective (same for every ell)"),
        "helicity": Param(int, 1, "helicity sigma of the circular polarisation", choices=(1, -1)),
        "interface": Param(bool, True, "coverslip refraction and transmission on (False: n_s = n_w)"),
        "interface_distance": Param(float, 0.0, "coverslip to paraxial focus L [m] (0: no spherical "
                                    "aberration phase; the dissertation's MD theory)"),
        "astigmatism": Param(float, 0.0, "astigmatism amplitude A_ast [waves] (MDSA+)"),
        "astigmatism_angle": Param(float, 0.0, "astigmatism orientation phi_ast [rad]"),
        "l_max": Param(int, 0, "multipole cut (0 = Wiscombe's rule at the largest radius)"),
        "chunk_size": Param(int, 256, "force evaluations per resumable, jitted chunk"),
    }
    params.update(overrides)
    return params


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _beam(params, ell):
    """FocusedBeam of the config for topological charge ``ell`` (ValueError naming a bad parameter)."""
    from jaxem.optics import FocusedBeam

    return FocusedBeam(params["wavelength"], params["numerical_aperture"], params["n_immersion"],
                       params["n_medium"], params["filling"], ell=ell, helicity=params["helicity"],
                       interface_distance=params["interface_distance"], astigmatism=params["astigmatism"],
                       astigmatism_angle=params["astigmatism_angle"], interface=params["interface"])


def _sphere_index(params):
    from jaxem import _checks

    _checks.check_positive("n_sphere", params["n_sphere"])
    _checks.check_nonnegative("n_sphere_imag", params["n_sphere_imag"])
    return complex(params["n_sphere"], params["n_sphere_imag"])


def _l_max(params, beam, radius_max):
    from jaxem import _checks
    from jaxem.optics.forces import default_lmax

    l_max = _checks.check_int("l_max", params["l_max"], minimum=0)
    return default_lmax(beam, radius_max) if l_max == 0 else l_max


def _ells(params, key="ells"):
    ells = params[key]
    if not ells:
        raise ValueError(f"{key} must be a non-empty list of integers")
    if len(set(ells)) != len(ells):
        raise ValueError(f"{key} must not repeat a value, got {ells}")
    return list(ells)


def _range(params, lo_key, hi_key, n_key, minimum=2, positive=False):
    """linspace(lo, hi, n) from three config keys, checked (ValueError naming the key)."""
    from jaxem import _checks

    lo, hi = params[lo_key], params[hi_key]
    if positive:
        _checks.check_positive(lo_key, lo)
    n = _checks.check_int(n_key, params[n_key], minimum=minimum)
    if not hi > lo:
        raise ValueError(f"{hi_key} must be > {lo_key}, got {hi} <= {lo}")
    return np.linspace(lo, hi, n)


# ---------------------------------------------------------------------------------------------
# efficiencies on a batch of (radius, rho, z) points

class _Efficiency:
    """Jitted, vmapped Q_rho, Q_phi, Q_z over batches of (radius, rho, z) for one beam (one compilation per
    beam structure, l_max, quadrature and batch size; shared by the map, the rho_eq scan and the refinement).
    """

    def __init__(self, beam, n_sphere, phi, l_max, n_quad, s_max):
        import jax
        import jax.numpy as jnp

        from jaxem.optics.forces import optical_force_efficiency

        def one(radius, rho, z):
            pos = jnp.stack([rho * math.cos(phi), rho * math.sin(phi), z])
            q = optical_force_efficiency(beam, radius, n_sphere, pos, l_max=l_max, n_quad=n_quad, s_max=s_max)
            return q.rho, q.phi, q.z

        self._fn = jax.jit(jax.vmap(one))

    def __call__(self, batch):
        q_rho, q_phi, q_z = self._fn(batch["radius"], batch["rho"], batch["z"])
        return {"Q_rho": np.asarray(q_rho), "Q_phi": np.asarray(q_phi), "Q_z": np.asarray(q_z)}


def _quadrature(beam, l_max, rho_max, z_abs_max, s_max=None):
    from jaxem.optics import quadrature_order
    from jaxem.optics.beams import _FORCE_S_TOL, _astig_order

    return quadrature_order(beam, l_max + 1, z=z_abs_max, rho=rho_max), _astig_order(beam, s_max, _FORCE_S_TOL)


# ---------------------------------------------------------------------------------------------
# equilibria from a (rho, z) grid: zero-force curves and their intersections

def _axial_branch(rho, z, q_rho, q_z, z_ref):
    """z_eq(rho_i) (stable zero of Q_z, followed by continuation from z_ref) and Q_rho along it.

    Returns (z_eq, h) of shape (n_rho,), NaN where the column has no + -> - sign change of Q_z.
    """
    n_rho = len(rho)
    z_eq = np.full(n_rho, np.nan)
    h = np.full(n_rho, np.nan)
    prev = z_ref
    for i in range(n_rho):
        qz = q_z[i]
        idx = np.nonzero((qz[:-1] > 0) & (qz[1:] <= 0))[0]
        if idx.size == 0:
            continue
        t = qz[idx] / (qz[idx] - qz[idx + 1])
        zc = z[idx] + t * (z[idx + 1] - z[idx])
        k = int(np.argmin(np.abs(zc - prev)))
        z_eq[i] = prev = zc[k]
        j = idx[k]
        h[i] = q_rho[i, j] + t[k] * (q_rho[i, j + 1] - q_rho[i, j])
    return z_eq, h


def _grid_equilibria(rho, z, q_rho, q_z, z_ref=0.0):
    """Equilibria (Q_rho = Q_z = 0, axially stable) on a (rho, z) grid by linear interpolation.

    Arguments:
        rho (n_rho,), z (n_z,) [m]: grid axes; q_rho, q_z (n_rho, n_z): efficiencies.
        z_ref [m]: the axial branch followed is the one nearest z_ref at the first column.
    Returns:
        list of (rho_eq, z_eq, radially_stable, on_axis). When rho[0] = 0 the axis (where Q_rho = 0 by
        symmetry) is an equilibrium if Q_z has a stable zero there; it is radially stable when Q_rho < 0 at the
        next column. Off axis: sign changes of Q_rho along the Q_z = 0 curve (stable: + -> -).
    """
    z_eq, h = _axial_branch(rho, z, q_rho, q_z, z_ref)
    dz = z[1] - z[0]
    out = []
    start = 0
    if rho[0] == 0.0:
        start = 1
        if np.isfinite(z_eq[0]):
            out.append((0.0, z_eq[0], bool(len(rho) > 1 and h[1] < 0), True))
    for i in range(start, len(rho) - 1):
        h0, h1 = h[i], h[i + 1]
        if not (np.isfinite(h0) and np.isfinite(h1)) or abs(z_eq[i + 1] - z_eq[i]) > 3 * dz:
            continue
        if (h0 > 0) == (h1 > 0):
            continue
        t = h0 / (h0 - h1)
        out.append((rho[i] + t * (rho[i + 1] - rho[i]), z_eq[i] + t * (z_eq[i + 1] - z_eq[i]),
                    bool(h0 > 0), False))
    return out


def _subgrid(eq, d_rho, d_z, n):
    """(rho, z) axes of the refinement box around one equilibrium (the axis keeps rho = 0 as first column)."""
    rho_e, z_e, _, on_axis = eq
    if on_axis:
        rho = np.linspace(0.0, d_rho, n)
    else:
        lo = max(rho_e - d_rho, 0.25 * d_rho)
        rho = np.linspace(lo, lo + 2 * d_rho, n)
    return rho, np.linspace(z_e - d_z, z_e + d_z, n)


def _refine(out, name, evaluate, chunk_size, candidates, radii, d_rho, d_z, levels, n):
    """Refine equilibria by re-gridding a box of +-(one cell) around each, ``levels`` times.

    Each level is one resumable sweep (``<name>_refine<k>``) over all candidates: n x n points per candidate,
    so the boxes shrink by (n - 1)/2 per level.
    candidates: list of equilibria (see :func:`_grid_equilibria`); radii: sphere radius [m] of each.
    Returns the refined list (an equilibrium whose box shows no matching crossing keeps its estimate).
    """
    cands = list(candidates)
    for level in range(levels):
        if not cands:
            break
        boxes = [_subgrid(eq, d_rho, d_z, n) for eq in cands]
        rr, zz, ra = [], [], []
        for (rho, z), radius in zip(boxes, radii):
            g_rho, g_z = np.meshgrid(rho, z, indexing="ij")
            rr.append(g_rho.ravel())
            zz.append(g_z.ravel())
            ra.append(np.full(g_rho.size, radius))
        res = out.sweep(f"{name}_refine{level + 1}", evaluate,
                        {"radius": np.concatenate(ra), "rho": np.concatenate(rr), "z": np.concatenate(zz)},
                        chunk_size=chunk_size)
        new = []
        for k, ((rho, z), eq) in enumerate(zip(boxes, cands)):
            sl = slice(k * n * n, (k + 1) * n * n)
            q_rho = res["Q_rho"][sl].reshape(n, n)
            q_z = res["Q_z"][sl].reshape(n, n)
            found = [e for e in _grid_equilibria(rho, z, q_rho, q_z, z_ref=eq[1])
                     if e[3] == eq[3] and e[2] == eq[2]]
            if found:
                best = min(found, key=lambda e: (e[0] - eq[0]) ** 2 / d_rho ** 2 + (e[1] - eq[1]) ** 2 / d_z ** 2)
                new.append(best)
            else:
                new.append(eq)
        cands = new
        d_rho, d_z = 2 * d_rho / (n - 1), 2 * d_z / (n - 1)
    return cands


# ---------------------------------------------------------------------------------------------
# Fig. 6.2: force maps and ring radii

@register_task("optical_fig6_2", "force efficiencies Q_rho, Q_z in the (rho, z) plane with the zero-force "
               "curves and the equilibria (Schoger 2024, Fig. 6.2 top), and the equilibrium ring radius "
               "rho_eq(ell) for several sphere radii (Fig. 6.2 bottom)",
               params=_beam_params(
                   radius=Param(float, 1.5e-6, "sphere radius R of the force map [m]"),
                   ell=Param(int, 8, "topological charge ell of the force map"),
                   rho_max=Param(float, 2.0e-6, "largest distance from the axis of the map [m]"),
                   n_rho=Param(int, 41, "map points in rho (from 0)"),
                   z_min=Param(float, -1.0e-6, "lowest height above the paraxial focus of the map [m]"),
                   z_max=Param(float, 2.0e-6, "highest height of the map [m]"),
                   n_z=Param(int, 31, "map points in z"),
                   phi=Param(float, 0.0, "azimuth phi_R of the map plane [rad] (matters with astigmatism)"),
                   radii=Param("floats", [0.5e-6, 1.0e-6, 1.5e-6, 2.0e-6],
                               "sphere radii of the rho_eq(ell) scan [m] (empty: map only)"),
                   ells=Param("ints", [1, 2, 3, 4, 5, 6, 7, 8], "topological charges of the rho_eq(ell) scan"),
                   scan_rho_max=Param(float, 2.5e-6, "largest rho of the rho_eq(ell) scan grid [m]"),
                   scan_n_rho=Param(int, 26, "rho points of the rho_eq(ell) scan grid (from 0)"),
                   scan_z_min=Param(float, -1.5e-6, "lowest z of the rho_eq(ell) scan grid [m]"),
                   scan_z_max=Param(float, 2.5e-6, "highest z of the rho_eq(ell) scan grid [m]"),
                   scan_n_z=Param(int, 21, "z points of the rho_eq(ell) scan grid"),
                   refine_levels=Param(int, 2, "re-gridding passes around each equilibrium (each shrinks the "
                                       "grid cell by (refine_points - 1)/2)"),
                   refine_points=Param(int, 8, "points per axis of the refinement box (+-1 cell) around each "
                                       "equilibrium"),
               ))
def optical_fig6_2(params: dict, out) -> None:
    """Write force_map.npz/.png (Q maps, zero-force curves, equilibria) and rho_eq.npz/.png (ring radii vs ell).

    Arguments:
        params: validated config parameters (units as in the Param help, SI).
        out: :class:`jaxem.sweeps.Output`.
    Returns:
        None. force_map.npz: rho, z [m], Q_rho, Q_phi, Q_z (n_rho, n_z), equilibria rho_eq, z_eq [m],
        radially_stable, on_axis. rho_eq.npz: radii [m], ells, axis_z_eq [m], axis_stable (n_ell, n_R),
        ring_rho, ring_z [m], ring_stable (n_ell, n_R, 4), NaN/False padded; every equilibrium listed is
        axially stable (Q_z goes + -> - with z).
    Source:
        T. Schoger, Dissertation (Universität Augsburg, 2024), Sec. 6.1, Eq. (6.1) (equilibrium and
        stability conditions) and Fig. 6.2; efficiencies from Eqs. (5.28)-(5.33) (jaxem.optics.forces).
    """
    from jaxem import _checks

    n_sphere = _sphere_index(params)
    radius = _checks.check_positive("radius", params["radius"])
    _checks.check_positive("rho_max", params["rho_max"])
    z = _range(params, "z_min", "z_max", "n_z")
    rho = np.linspace(0.0, params["rho_max"], _checks.check_int("n_rho", params["n_rho"], minimum=3))
    _checks.check_finite("phi", params["phi"])
    radii = [_checks.check_positive("radii", r) for r in params["radii"]]
    ells = _ells(params) if radii else []
    chunk = _checks.check_int("chunk_size", params["chunk_size"], minimum=1)
    levels = _checks.check_int("refine_levels", params["refine_levels"], minimum=0)
    n_refine = _checks.check_int("refine_points", params["refine_points"], minimum=4)
    if radii:
        _checks.check_positive("scan_rho_max", params["scan_rho_max"])
        s_z = _range(params, "scan_z_min", "scan_z_max", "scan_n_z")
        s_rho = np.linspace(0.0, params["scan_rho_max"],
                            _checks.check_int("scan_n_rho", params["scan_n_rho"], minimum=3))
    else:
        s_z = s_rho = np.zeros(1)
    ell_map = params["ell"]
    all_ells = sorted(set(ells) | {ell_map})
    beams = {ell: _beam(params, ell) for ell in all_ells}          # ValueError naming a bad beam parameter
    r_max = max([radius] + radii)
    l_max = _l_max(params, beams[ell_map], r_max)
    z_abs = max(abs(z[0]), abs(z[-1]), abs(s_z[0]), abs(s_z[-1]))
    rho_top = max(rho[-1], s_rho[-1])
    evaluators = {}

    def evaluator(ell):
        if ell not in evaluators:
            beam = beams[ell]
            n_quad, s_max = _quadrature(beam, l_max, rho_top, z_abs)
            evaluators[ell] = _Efficiency(beam, n_sphere, params["phi"], l_max, n_quad, s_max)
        return evaluators[ell]

    out.log(f"l_max = {l_max} (R <= {r_max / UM:g} um), gamma = {params['filling']:g}, "
            f"{len(all_ells)} beam(s): ell = {all_ells}")

    # ---- force map (Fig. 6.2 top)
    g_rho, g_z = np.meshgrid(rho, z, indexing="ij")
    res = out.sweep("force_map", evaluator(ell_map),
                    {"radius": np.full(g_rho.size, radius), "rho": g_rho.ravel(), "z": g_z.ravel()},
                    chunk_size=chunk)
    q = {k: v.reshape(g_rho.shape) for k, v in res.items()}
    eqs = _grid_equilibria(rho, z, q["Q_rho"], q["Q_z"])
    eqs = _refine(out, "force_map", evaluator(ell_map), chunk, eqs, [radius] * len(eqs),
                  rho[1] - rho[0], z[1] - z[0], levels, n_refine)
    for e in eqs:
        out.log(f"map equilibrium: rho = {e[0] / UM:.4f} um, z = {e[1] / UM:.4f} um, "
                f"{'stable' if e[2] else 'unstable'} radially{' (axis)' if e[3] else ''}")
    eq_arr = np.array([e[:2] for e in eqs]).reshape(-1, 2)
    out.write_arrays("force_map", rho=rho, z=z, radius=radius, ell=ell_map, **q,
                     rho_eq=eq_arr[:, 0], z_eq=eq_arr[:, 1],
                     radially_stable=np.array([e[2] for e in eqs], bool),
                     on_axis=np.array([e[3] for e in eqs], bool))
    _plot_map(out, params, rho, z, q, eqs, radius, ell_map)

    # ---- ring radius vs ell (Fig. 6.2 bottom)
    if not radii:
        return
    n_e, n_r = len(ells), len(radii)
    axis_z = np.full((n_e, n_r), np.nan)
    axis_stable = np.zeros((n_e, n_r), bool)
    ring_rho = np.full((n_e, n_r, _MAX_RINGS), np.nan)
    ring_z = np.full((n_e, n_r, _MAX_RINGS), np.nan)
    ring_stable = np.zeros((n_e, n_r, _MAX_RINGS), bool)
    gr, gz = np.meshgrid(s_rho, s_z, indexing="ij")
    npt = gr.size
    for a, ell in enumerate(ells):
        name = f"rho_eq_ell{ell:+d}"
        res = out.sweep(name, evaluator(ell), {"radius": np.repeat(radii, npt), "rho": np.tile(gr.ravel(), n_r),
                                               "z": np.tile(gz.ravel(), n_r)}, chunk_size=chunk)
        cands, owner = [], []
        for b, r in enumerate(radii):
            sl = slice(b * npt, (b + 1) * npt)
            found = _grid_equilibria(s_rho, s_z, res["Q_rho"][sl].reshape(gr.shape), res["Q_z"][sl].reshape(gr.shape))
            cands += found
            owner += [b] * len(found)
        cands = _refine(out, name, evaluator(ell), chunk, cands, [radii[b] for b in owner],
                        s_rho[1] - s_rho[0], s_z[1] - s_z[0], levels, n_refine)
        count = np.zeros(n_r, int)
        for e, b in zip(cands, owner):
            if e[3]:
                axis_z[a, b], axis_stable[a, b] = e[1], e[2]
            elif count[b] < _MAX_RINGS:
                ring_rho[a, b, count[b]], ring_z[a, b, count[b]], ring_stable[a, b, count[b]] = e[0], e[1], e[2]
                count[b] += 1
        stable_rings = [np.round(ring_rho[a, b][ring_stable[a, b]] / UM, 3).tolist() for b in range(n_r)]
        out.log(f"ell = {ell:+d}: stable rings rho_eq [um] per R: {stable_rings}")
    out.write_arrays("rho_eq", radii=np.asarray(radii), ells=np.asarray(ells), axis_z_eq=axis_z,
                     axis_stable=axis_stable, ring_rho=ring_rho, ring_z=ring_z, ring_stable=ring_stable)
    _plot_rho_eq(out, params, np.asarray(radii), np.asarray(ells), axis_stable, axis_z, ring_rho, ring_stable)


def _plot_map(out, params, rho, z, q, eqs, radius, ell):
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    ext = [rho[0] / UM, rho[-1] / UM, z[0] / UM, z[-1] / UM]
    for ax, key, label in zip(axes, ("Q_rho", "Q_z"), (r"$Q_\rho$", r"$Q_z$")):
        v = q[key]
        vmax = float(np.max(np.abs(v))) or 1.0
        im = ax.imshow(v.T, origin="lower", extent=ext, aspect="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        fig.colorbar(im, ax=ax, label=label)
        ax.contour(rho / UM, z / UM, q["Q_rho"].T, levels=[0.0], colors="k", linewidths=1.2)
        ax.contour(rho / UM, z / UM, q["Q_z"].T, levels=[0.0], colors="k", linewidths=1.2, linestyles="--")
        for e in eqs:
            ax.plot(e[0] / UM, e[1] / UM, "o", ms=8, mec="k", mfc="k" if e[2] else "w")
        ax.set_xlabel(r"$\rho$ [µm]")
        ax.set_title(f"{label}: R = {radius / UM:g} µm, ℓ = {ell:+d}, γ = {params['filling']:g}", fontsize=9)
    axes[0].set_ylabel("z [µm]")
    fig.text(0.5, -0.02, r"solid: $Q_\rho = 0$, dashed: $Q_z = 0$; filled: radially stable, open: unstable",
             ha="center", fontsize=8)
    fig.tight_layout()
    out.savefig(fig, "force_map.png")


def _plot_rho_eq(out, params, radii, ells, axis_stable, axis_z, ring_rho, ring_stable):
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 4))
    n_r = len(radii)
    for b, r in enumerate(radii):
        col = f"C{b}"
        x = ells + 0.12 * (b - 0.5 * (n_r - 1))           # side by side: radii share the ell positions
        stable = np.where(ring_stable[:, b], ring_rho[:, b], np.nan)
        first = np.array([row[np.isfinite(row)][0] if np.any(np.isfinite(row)) else np.nan for row in stable])
        ax.plot(x, first / UM, "o-", color=col, label=f"R = {r / UM:g} µm")
        for k in range(ring_rho.shape[2]):
            unstable = np.where(~ring_stable[:, b, k], ring_rho[:, b, k], np.nan)
            ax.plot(x, unstable / UM, "o", color=col, mfc="w")
            extra = np.where(ring_stable[:, b, k], ring_rho[:, b, k], np.nan)
            ax.plot(x, extra / UM, "o", color=col)
        on_axis = np.where(axis_stable[:, b] & np.isfinite(axis_z[:, b]), 0.0, np.nan)
        ax.plot(x, on_axis, "s", color=col, ms=4)
    ax.set_xlabel("ℓ")
    ax.set_ylabel(r"$\rho_{eq}$ [µm]")
    ax.set_title(f"filled: radially stable, open: unstable, squares: stable axis; γ = {params['filling']:g}",
                 fontsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.savefig(fig, "rho_eq.png")


# ---------------------------------------------------------------------------------------------
# Fig. 6.4: rotation angle

@register_task("optical_rotation_angle", "rotation angle alpha(R) of a sphere held at rho off the axis by a "
               "transverse drag force, for several ell (Schoger 2024, Eq. (6.3), Fig. 6.4)",
               params=_beam_params(
                   filling=Param(float, 1.0, "filling gamma = f/w0 of the objective (same for every ell)"),
                   radius_min=Param(float, 0.5e-6, "smallest sphere radius [m]"),
                   radius_max=Param(float, 3.0e-6, "largest sphere radius [m]"),
                   n_radii=Param(int, 201, "radii on a uniform grid (the oscillation period is ~0.17 um)"),
                   ells=Param("ints", [0, 1, -1], "topological charges ell"),
                   rho=Param(float, 0.01e-6, "displacement rho_eq from the axis at which alpha is evaluated [m]"),
                   z_bracket=Param("floats", [], "axial search window [z_lo, z_hi] [m] (empty: -2 lambda0 .. "
                                   "3 lambda0, root nearest the focus)"),
                   n_grid=Param(int, 48, "axial scan points of the equilibrium search"),
                   chunk_size=Param(int, 16, "radii per resumable, jitted chunk"),
               ))
def optical_rotation_angle(params: dict, out) -> None:
    """Write rotation_angle.npz (radii [m], ells, alpha [rad], alpha_deg) and rotation_angle.png.

    Arguments:
        params: validated config parameters (units as in the Param help, SI).
        out: :class:`jaxem.sweeps.Output`.
    Returns:
        None. alpha (n_ell, n_radii) = arctan(Q_phi/|Q_rho|) at (rho, phi_R = alpha, z_eq) with Q_z = 0
        (NaN where no stable axial equilibrium exists in the window); the summary records the oscillation
        period of alpha(R) for R > lambda0/n (dissertation: ~lambda0/(4n) = 0.17 um).
    Source:
        T. Schoger, Dissertation (Universität Augsburg, 2024), Eq. (6.3) and Fig. 6.4;
        :func:`jaxem.optics.equilibria.rotation_angle`.
    """
    import jax
    import jax.numpy as jnp

    from jaxem import _checks
    from jaxem.optics.equilibria import rotation_angle

    n_sphere = _sphere_index(params)
    radii = _range(params, "radius_min", "radius_max", "n_radii", minimum=1, positive=True)
    ells = _ells(params)
    rho = _checks.check_positive("rho", params["rho"])
    bracket = params["z_bracket"]
    if bracket and (len(bracket) != 2 or not bracket[1] > bracket[0]):
        raise ValueError(f"z_bracket must be [z_lo, z_hi] with z_hi > z_lo, got {bracket}")
    bracket = tuple(bracket) if bracket else None
    n_grid = _checks.check_int("n_grid", params["n_grid"], minimum=2)
    chunk = _checks.check_int("chunk_size", params["chunk_size"], minimum=1)
    beams = {ell: _beam(params, ell) for ell in ells}
    l_max = _l_max(params, beams[ells[0]], radii[-1])
    lam = params["wavelength"]
    z_abs = 3.0 * lam if bracket is None else max(abs(bracket[0]), abs(bracket[1]))
    out.log(f"l_max = {l_max} (R <= {radii[-1] / UM:g} um), gamma = {params['filling']:g}, "
            f"rho = {rho / UM:g} um, ell = {ells}")
    alpha = np.full((len(ells), len(radii)), np.nan)
    for a, ell in enumerate(ells):
        beam = beams[ell]
        n_quad, s_max = _quadrature(beam, l_max, rho, z_abs)

        def solve(r, beam=beam, n_quad=n_quad, s_max=s_max):
            return rotation_angle(beam, r, n_sphere, rho, z_bracket=bracket, l_max=l_max, n_grid=n_grid,
                                  n_quad=n_quad, s_max=s_max)

        fn = jax.jit(jax.vmap(solve))
        res = out.sweep(f"alpha_ell{ell:+d}", lambda b, fn=fn: {"alpha": np.asarray(fn(jnp.asarray(b["radius"])))},
                        {"radius": radii}, chunk_size=chunk)
        alpha[a] = res["alpha"]
    summary = {}
    n_rel = params["n_sphere"] if params["n_sphere"] > 0 else 1.0
    for a, ell in enumerate(ells):
        period = _oscillation_period(radii, alpha[a], lam / n_rel)
        summary[f"period_um_ell{ell:+d}"] = period / UM if np.isfinite(period) else None
        out.log(f"ell = {ell:+d}: alpha from {np.nanmin(np.degrees(alpha[a])):.2f} to "
                f"{np.nanmax(np.degrees(alpha[a])):.2f} deg, {int(np.sum(np.isnan(alpha[a])))} radii without "
                f"equilibrium; oscillation period for R > lambda0/n: {period / UM:.4f} um "
                f"(lambda0/(4n) = {lam / (4 * n_rel) / UM:.4f} um)")
    out.write_arrays("rotation_angle", radii=radii, ells=np.asarray(ells), alpha=alpha, alpha_deg=np.degrees(alpha),
                     rho=rho)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    for a, ell in enumerate(ells):
        ax.plot(radii / UM, np.degrees(alpha[a]), "-", label=f"ℓ = {ell:+d}")
    ax.axvline(lam / n_rel / UM, color="0.6", lw=0.8, ls=":")
    ax.set_xlabel("R [µm]")
    ax.set_ylabel("α [deg]")
    ax.set_title(f"rotation angle at ρ = {rho / UM:g} µm, σ = {params['helicity']:+d}, γ = {params['filling']:g}",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.savefig(fig, "rotation_angle.png")
    out.finish(**summary)


def _oscillation_period(radii, alpha, r_min):
    """Mean oscillation period [m] of alpha(R) for R > r_min: spacing of successive maxima and of successive
    minima (parabolic refinement on the grid), averaged; NaN with fewer than two of either."""
    ok = np.isfinite(alpha) & (radii > r_min)
    r, y = radii[ok], alpha[ok]
    if r.size < 5:
        return float("nan")
    d = np.diff(y)
    idx = np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0] + 1
    spacings = []
    for kind in (1, -1):                               # maxima (d goes + -> -), minima
        ext = []
        for i in idx[np.sign(d[idx - 1]) == kind]:
            y0, y1, y2 = y[i - 1], y[i], y[i + 1]
            den = y0 - 2 * y1 + y2
            ext.append(r[i] + (0.5 * (y0 - y2) / den if den != 0 else 0.0) * (r[i + 1] - r[i]))
        spacings += list(np.diff(ext))
    return float(np.mean(spacings)) if len(spacings) >= 2 else float("nan")
