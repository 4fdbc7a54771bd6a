"""Optics sweep tasks (jaxem.sweeps.optics_tasks) through run_config on tiny grids: output files, physics
(Q_z changes sign along the axis; the three equilibria of R = 1.5 um, ell = 8; the mirror symmetry
alpha(sigma, ell) = -alpha(-sigma, -ell) of T. Schoger, Dissertation (Augsburg 2024), Sec. 6.1), resumption
without recomputation, and config errors naming the parameter.

The mirror y -> -y maps (sigma, ell, phi_R) to (-sigma, -ell, -phi_R), keeps Q_rho, Q_z and flips Q_phi, so
alpha = arctan(Q_phi/|Q_rho|) changes sign; alpha(ell = +1) = -alpha(ell = -1) at fixed sigma does NOT hold
(spin and orbital angular momentum add for sigma ell > 0), which the test checks as well.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from jaxem.sweeps import ConfigError, run_config

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
UM = 1e-6

# one compiled evaluator serves the map, the rho_eq scan and the refinement (same ell, l_max, quadrature, batch)
FIG62_TINY = dict(n_rho=9, rho_max=2.0e-6, n_z=7, z_min=-1.0e-6, z_max=2.0e-6, radii=[1.5e-6], ells=[8],
                  scan_n_rho=9, scan_rho_max=2.0e-6, scan_n_z=7, scan_z_min=-1.0e-6, scan_z_max=2.0e-6,
                  refine_levels=1, refine_points=4, chunk_size=16)
ROT_TINY = dict(radius_min=1.0e-6, radius_max=1.2e-6, n_radii=2, chunk_size=2)


def _chunk_mtimes(out):
    return {p: p.stat().st_mtime_ns for p in sorted(out.glob("*.chunks/*/chunk_*.npz"))}


def test_fig6_2_map_equilibria_and_resume(tmp_path, capfd):
    out = run_config(CONFIGS / "optical_fig6_2.toml", tmp_path / "o", overrides=FIG62_TINY)
    for name in ("force_map.npz", "force_map.png", "rho_eq.npz", "rho_eq.png", "run.json"):
        assert (out / name).is_file(), name
    with np.load(out / "force_map.npz") as d:
        q_z, q_rho, z = d["Q_z"], d["Q_rho"], d["z"]
        assert q_z.shape == (9, 7) and np.all(np.isfinite(q_z))
        # on the axis: pushed up below the trap, pulled back above it; no transverse force
        assert q_z[0, 0] > 0 > q_z[0, -1]
        assert np.max(np.abs(q_rho[0])) < 1e-12 * np.max(np.abs(q_z[0]))
        # three radial equilibria: stable axis, unstable, stable ring (all axially stable, inside the map)
        assert list(d["radially_stable"]) == [True, False, True] and list(d["on_axis"]) == [True, False, False]
        rho_eq = d["rho_eq"]
        assert rho_eq[0] == 0 and 0.2 * UM < rho_eq[1] < rho_eq[2] < 1.6 * UM
        assert np.all((d["z_eq"] > z[0]) & (d["z_eq"] < z[-1]))
    with np.load(out / "rho_eq.npz") as d:
        assert d["ring_rho"].shape == (1, 1, 4)
        stable = d["ring_rho"][0, 0][d["ring_stable"][0, 0]]
        np.testing.assert_allclose(stable, rho_eq[2:3], rtol=0.05)   # coarser scan grid, same ring
    rec = json.loads((out / "run.json").read_text())
    assert rec["task"] == "optical_fig6_2" and "finished" in rec

    # rerun: every chunk (map, scan, refinement) is loaded, none is recomputed
    before = _chunk_mtimes(out)
    assert len(before) >= 4
    capfd.readouterr()
    run_config(CONFIGS / "optical_fig6_2.toml", out, overrides=FIG62_TINY)
    err = capfd.readouterr().err
    assert _chunk_mtimes(out) == before
    assert "resumed" in err and " chunk 1/" not in err


def test_rotation_angle_mirror_symmetry_and_resume(tmp_path, capfd):
    plus = run_config(CONFIGS / "optical_rotation_angle.toml", tmp_path / "p",
                      overrides=dict(ROT_TINY, ells=[1], helicity=1))
    minus = run_config(CONFIGS / "optical_rotation_angle.toml", tmp_path / "m",
                       overrides=dict(ROT_TINY, ells=[-1], helicity=-1))
    for out in (plus, minus):
        assert (out / "rotation_angle.npz").is_file() and (out / "rotation_angle.png").is_file()
    with np.load(plus / "rotation_angle.npz") as a, np.load(minus / "rotation_angle.npz") as b:
        alpha_p, alpha_m = a["alpha"][0], b["alpha"][0]
        np.testing.assert_allclose(a["radii"], [1.0e-6, 1.2e-6])
    assert np.all(np.isfinite(alpha_p)) and np.all(np.abs(alpha_p) > 1e-3)
    np.testing.assert_allclose(alpha_m, -alpha_p, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.degrees(alpha_p), [-11.355, -10.463], atol=0.01)   # regression (gamma = 1)

    before = _chunk_mtimes(plus)
    capfd.readouterr()
    run_config(CONFIGS / "optical_rotation_angle.toml", plus, overrides=dict(ROT_TINY, ells=[1], helicity=1))
    assert _chunk_mtimes(plus) == before
    assert "resumed 1 finished chunk" in capfd.readouterr().err


@pytest.mark.parametrize("config, override, needle", [
    ("optical_fig6_2.toml", {"filling": -1.0}, "filling"),
    ("optical_fig6_2.toml", {"z_max": -2.0e-6}, "z_max"),
    ("optical_fig6_2.toml", {"n_rho": 2}, "n_rho"),
    ("optical_fig6_2.toml", {"radii": [1e-6, -1e-6]}, "radii"),
    ("optical_fig6_2.toml", {"ells": []}, "ells"),
    ("optical_fig6_2.toml", {"helicity": 0}, "helicity"),
    ("optical_fig6_2.toml", {"n_z": 2.5}, "n_z"),
    ("optical_rotation_angle.toml", {"radius_min": 0.0}, "radius_min"),
    ("optical_rotation_angle.toml", {"rho": 0.0}, "rho"),
    ("optical_rotation_angle.toml", {"z_bracket": [1e-6]}, "z_bracket"),
    ("optical_rotation_angle.toml", {"numerical_aperture": 1.6}, "numerical_aperture"),
    ("optical_rotation_angle.toml", {"n_sphere_imag": -0.1}, "n_sphere_imag"),
    ("optical_rotation_angle.toml", {"ell": 1}, "'ell'"),
])
def test_bad_config_values_name_the_parameter(tmp_path, config, override, needle):
    with pytest.raises(ValueError) as exc:        # ConfigError is a ValueError
        run_config(CONFIGS / config, tmp_path / "o", overrides=override, quiet=True)
    assert needle in str(exc.value)
    assert not list((tmp_path / "o").glob("*.chunks"))      # rejected before any computation


def test_config_error_type_for_unknown_and_mistyped_keys(tmp_path):
    with pytest.raises(ConfigError, match="'n_rhoo'"):
        run_config(CONFIGS / "optical_fig6_2.toml", tmp_path / "o", overrides={"n_rhoo": 3}, quiet=True)
    with pytest.raises(ConfigError, match=r"'ells\[0\]'"):
        run_config(CONFIGS / "optical_rotation_angle.toml", tmp_path / "o", overrides={"ells": [0.5]}, quiet=True)
