"""Bead fits from rotation angles (jaxem.optics.fits): chi^2 of T. Schoger, Dissertation (Augsburg 2024),
Eq. (7.2), grid scan over R, Levenberg-Marquardt polish and autodiff uncertainties.

The dissertation's raw angles are not published, so every fit runs on synthetic data made by jaxem at known
parameters (bead A of Table 7.2: R = 1.503 um, L = 5.8 um, A_ast = 0.245, phi_ast = 0.37 rad) and is judged against
those known values; chi^2 is checked against an independent evaluation with the public ``rotation_angle`` and the
formula written out in NumPy; derivatives against central differences.

Cost: compiling the equilibrium solver dominates (one solver, vmapped over the modes: ell is traced), so the default
suite holds only the input checks and one two-mode chi^2; the fits (each compiles a scan, the optimiser loop and a
Hessian) are marked slow.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import jax
import jax.numpy as jnp

import jaxem
from jaxem.optics import FocusedBeam, rotation_angle
from jaxem.optics import fits as FT

UM = 1e-6
LAM, NA, N_S, N_W, N_PS = 1.064 * UM, 1.4, 1.518, 1.3246, 1.5694
DEG = math.pi / 180.0
# bead A, Table 7.2 (MDSA+)
BEAD_A = dict(radius=1.503 * UM, interface_distance=5.8 * UM, astigmatism=0.245, astigmatism_angle=0.37)
MDSA_PLUS = ("radius", "interface_distance", "astigmatism", "astigmatism_angle")


def _beam(**kw):
    return FocusedBeam(LAM, NA, N_S, N_W, 1.0, helicity=1, **kw)


def _filling(ell):
    """gamma(ell): ring of the LG mode inside the pupil for |ell| > 1 (w0 ~ h sqrt(2/|ell|)), gamma = 1 below."""
    return max(1.0, math.sqrt(abs(ell) / 2.0) * N_S / NA)


def _design(ells, rounds, rho=None):
    ell = np.repeat(np.asarray(ells), rounds)
    rho = (0.02 + 0.005 * np.abs(ell)) * UM if rho is None else np.full(ell.size, rho)
    return dict(ell=ell, rho_eq=rho, filling=np.array([_filling(e) for e in ell]))


def _data(design, alpha, err_deg=0.5):
    return dict(design, alpha=np.asarray(alpha), alpha_err=np.full(design["ell"].size, err_deg * DEG))


# ---------------------------------------------------------------------------------------------
# data files and bad input (no compilation)

def test_load_rotation_data_round_trip_and_errors(tmp_path):
    good = tmp_path / "a.csv"
    good.write_text("# bead A\nell,alpha,alpha_err,rho_eq,filling,comment\n"
                    "0,0.01,0.002,2e-8,1.0,x\n-1,0.2,0.003,2.5e-8,1.0,y\n-1,0.21,0.004,2.5e-8,1.0,z\n")
    d = jaxem.load_rotation_data(good)
    assert d["ell"].dtype.kind == "i" and d["ell"].tolist() == [0, -1, -1]
    np.testing.assert_array_equal(d["alpha_err"], [0.002, 0.003, 0.004])
    assert set(d) == set(FT.COLUMNS)
    cases = {
        "ell,alpha,rho_eq,filling\n0,0.1,1e-8,1\n": "alpha_err",                      # missing column
        "ell,alpha,alpha_err,rho_eq,filling\n0,abc,0.1,1e-8,1\n": "alpha",            # not a number
        "ell,alpha,alpha_err,rho_eq,filling\n0.5,0.1,0.1,1e-8,1\n": "ell",            # not an integer
        "ell,alpha,alpha_err,rho_eq,filling\n0,0.1,0.0,1e-8,1\n": "alpha_err",        # error <= 0
        "ell,alpha,alpha_err,rho_eq,filling\n0,0.1,0.1,1e-8\n": "filling",            # short row
    }
    for i, (text, needle) in enumerate(cases.items()):
        p = tmp_path / f"bad{i}.csv"
        p.write_text(text)
        with pytest.raises(ValueError, match=needle):
            jaxem.load_rotation_data(p)


def test_bad_input_raises_before_tracing():
    design = _design([0, 1], 2, rho=0.01 * UM)
    data = _data(design, np.zeros(4))
    beam = _beam()
    start = {"radius": 1.5 * UM}
    bad = [
        (dict(data, alpha=np.zeros(3)), {}, "unequal lengths"),
        ({k: v for k, v in data.items() if k != "rho_eq"}, {}, "rho_eq"),
        (dict(data, alpha_err=np.array([0.1, 0.1, -0.1, 0.1])), {}, "alpha_err"),
        (data, dict(free=("radius", "filling")), "filling"),
        (data, dict(free=("radius", "focal_length")), "focal_length"),
        (data, dict(start={"radius": 1.6 * UM}, bounds={"radius": (1.4 * UM, 1.55 * UM)}), "radius"),
        (data, dict(free=("radius", "astigmatism"), start={"radius": 1.5 * UM, "astigmatism": 0.7}), "astigmatism"),
        (data, dict(start={}), "radius"),
        (data, dict(bounds={"astigmatism": (0.0, 0.3)}), "astigmatism"),
    ]
    for d, kw, needle in bad:
        kw = dict(dict(start=start), **kw)
        with pytest.raises(ValueError, match=needle):
            jaxem.fit_bead(d, beam, N_PS, **kw)
    with pytest.raises(ValueError, match="shared"):
        jaxem.fit_beads([data, data], beam, N_PS, free=("radius",), shared=("astigmatism",), start=start)
    with pytest.raises(ValueError, match="wavelenght"):
        jaxem.rotation_angle_chi2({"radius": 1.5 * UM, "wavelenght": LAM}, data, beam, N_PS)
    with pytest.raises(ValueError, match="normalization"):
        jaxem.rotation_angle_chi2({"radius": 1.5 * UM}, data, beam, N_PS, normalization="mean")


# ---------------------------------------------------------------------------------------------
# chi^2 against an independent evaluation (default suite: two modes, small sizes)

SMALL = dict(l_max=12, n_quad=40, n_grid=16, z_bracket=(-1.0 * UM, 1.5 * UM))


def test_chi2_of_one_mode_matches_rotation_angle():
    """One mode, three rounds with different errors: Eq. (7.2) is the mean of the squared normalised residuals, with
    alpha from the public rotation_angle (its 2-D self-consistent solve; the fit takes the axisymmetric shortcut)."""
    beam = _beam()
    radius = 0.9 * UM
    alpha = np.array([-3.0, -2.5, -1.0]) * DEG
    err = np.array([0.5, 0.7, 0.4]) * DEG
    data = dict(ell=np.array([1, 1, 1]), alpha=alpha, alpha_err=err, rho_eq=np.full(3, 0.02 * UM),
                filling=np.ones(3))
    chi2 = float(jaxem.rotation_angle_chi2({"radius": radius}, data, beam, N_PS, s_max=0, **SMALL))
    model = float(rotation_angle(FocusedBeam(LAM, NA, N_S, N_W, 1.0, ell=1, helicity=1), radius, N_PS, 0.02 * UM,
                                 s_max=0, **SMALL))
    assert np.isfinite(model) and abs(model) > 0.1 * DEG
    expected = np.mean(((model - alpha) / err) ** 2)
    assert abs(chi2 - expected) <= 1e-9 * expected, (chi2, expected)
    total = float(jaxem.rotation_angle_chi2({"radius": radius}, data, beam, N_PS, normalization="sum", s_max=0,
                                            **SMALL))
    assert abs(total - 3 * expected) <= 1e-9 * total


@pytest.mark.slow
def test_chi2_weights_modes_as_eq_7_2_and_vmap_over_data_sets_equals_loop():
    beam = _beam()
    radius = 0.9 * UM
    # two modes with unequal numbers of rounds (M = 2 and 3): Eq. (7.2) weights them 1/(N M_ell)
    ell = np.array([1, 1, -1, -1, -1])
    rho = np.array([0.02, 0.02, 0.03, 0.03, 0.03]) * UM
    alpha = np.array([-3.0, -2.5, 1.0, 2.0, 1.5]) * DEG
    err = np.array([0.5, 0.7, 0.4, 0.5, 0.6]) * DEG
    data = dict(ell=ell, alpha=alpha, alpha_err=err, rho_eq=rho, filling=np.ones(5))
    chi2 = float(jaxem.rotation_angle_chi2({"radius": radius}, data, beam, N_PS, s_max=0, **SMALL))
    # independent: the public rotation_angle (2-D self-consistent solve) per mode, Eq. (7.2) by hand
    model = {e: float(rotation_angle(FocusedBeam(LAM, NA, N_S, N_W, 1.0, ell=e, helicity=1), radius, N_PS, r,
                                     s_max=0, **SMALL)) for e, r in ((1, 0.02 * UM), (-1, 0.03 * UM))}
    assert all(np.isfinite(list(model.values()))) and abs(model[1] - model[-1]) > 0.1 * DEG
    terms = {e: np.mean(((model[e] - alpha[ell == e]) / err[ell == e]) ** 2) for e in (1, -1)}
    expected = 0.5 * (terms[1] + terms[-1])
    assert abs(chi2 - expected) <= 1e-9 * expected, (chi2, expected)

    # several data sets (alpha traced) in one vmapped call = a loop of single calls
    rng = np.random.default_rng(1)
    alphas = alpha + 0.5 * DEG * rng.standard_normal((3, 5))

    def chi2_of(a):
        return jaxem.rotation_angle_chi2({"radius": radius}, dict(data, alpha=a), beam, N_PS, s_max=0, **SMALL)

    mapped = np.asarray(jax.vmap(chi2_of)(jnp.asarray(alphas)))
    loop = np.array([float(chi2_of(a)) for a in alphas])
    np.testing.assert_allclose(mapped, loop, rtol=1e-12)
    by_hand = [0.5 * sum(np.mean(((model[e] - a[ell == e]) / err[ell == e]) ** 2) for e in (1, -1)) for a in alphas]
    np.testing.assert_allclose(loop, by_hand, rtol=1e-9)


@pytest.mark.slow
def test_chi2_with_astigmatism_matches_rotation_angle():
    """MDSA+ (astigmatism, coverslip): the fit's solve -- beam-shape tables at the fixed rho_eq, the axial scan as one
    matrix product over the grid, the 2-D Newton on (z, phi_R) from the tables -- gives the angle of the public
    rotation_angle (beam-shape quadrature from scratch at every position) to 1e-11 rad, and chi^2 to 1e-9 relative."""
    beam = _beam()
    kw = dict(SMALL, s_max=10)
    params = dict(radius=0.9 * UM, interface_distance=5.8 * UM, astigmatism=0.245, astigmatism_angle=0.37)
    rho = 0.02 * UM
    data = dict(ell=np.array([2, 2]), alpha=np.array([20.0, 22.0]) * DEG, alpha_err=np.array([0.5, 0.6]) * DEG,
                rho_eq=np.full(2, rho), filling=np.ones(2))
    model = float(rotation_angle(FocusedBeam(LAM, NA, N_S, N_W, 1.0, ell=2, helicity=1,
                                             interface_distance=params["interface_distance"],
                                             astigmatism=params["astigmatism"],
                                             astigmatism_angle=params["astigmatism_angle"]),
                                 params["radius"], N_PS, rho, **kw))
    fitted = np.asarray(jaxem.model_rotation_angles(params, data, beam, N_PS, **kw))
    assert np.isfinite(model) and abs(model) > 1 * DEG
    np.testing.assert_allclose(fitted, model, rtol=0, atol=1e-11)
    chi2 = float(jaxem.rotation_angle_chi2(params, data, beam, N_PS, **kw))
    expected = np.mean(((model - data["alpha"]) / data["alpha_err"]) ** 2)
    assert abs(chi2 - expected) <= 1e-9 * expected, (chi2, expected)


# ---------------------------------------------------------------------------------------------
# the pieces of the fit's solve (cheap: small sizes, no equilibrium solve)

def test_qz_quadratic_form_equals_the_closed_form_sums():
    """Q_z from the quadratic form of the sphere (axial scan and refinement) = _assemble(...).z (Eqs. (5.28)-(5.30)),
    both helicities, random coefficients with the layout's zeros."""
    from jaxem.optics import forces as FO
    rng = np.random.default_rng(3)
    big_l = 9
    l = np.arange(big_l + 1)[:, None]
    m = np.arange(-big_l - 1, big_l + 2)[None, :]
    f = (rng.standard_normal((big_l + 1, 2 * big_l + 3)) + 1j * rng.standard_normal((big_l + 1, 2 * big_l + 3)))
    f = f * ((np.abs(m) <= l) & (l >= 1))
    a = rng.standard_normal(big_l - 1) + 1j * rng.standard_normal(big_l - 1)
    b = rng.standard_normal(big_l - 1) + 1j * rng.standard_normal(big_l - 1)
    for sigma in (1, -1):
        full = FO._assemble(f, a, b, jnp.array([2e-8, 0.0, 1e-7]), LAM, N_W, sigma)
        scat_z = float(full.z_scat)
        q = float(FO._qz_of(f, FO._qz_form(a, b, LAM, N_W, sigma, big_l)))
        assert abs(q - float(full.z)) <= 1e-13 * (abs(float(full.z)) + abs(scat_z)), (sigma, q, float(full.z))


def test_beam_shape_table_at_fixed_rho_and_its_closed_form_derivatives():
    """The fit's beam-shape table at fixed rho (traced ell): f_lm at (rho, phi, z) equals the quadrature from
    scratch (beam_shape_coefficients) and the generic windowed path; its closed-form d/dz, d/dphi equal forward-mode
    autodiff; the axis-line product equals the table at phi = 0."""
    import equinox as eqx
    from jaxem.optics import beam_shape as BS
    from jaxem.optics.beams import _power_order
    l_max, n_quad, s_max, rho = 7, 32, 6, 0.03 * UM
    ell = -2
    fixed = FocusedBeam(LAM, NA, N_S, N_W, 1.1, ell=ell, helicity=1, interface_distance=5.0 * UM,
                        astigmatism=0.2, astigmatism_angle=0.4)
    traced = eqx.tree_at(lambda bm: (bm.filling, bm.interface_distance, bm.astigmatism, bm.astigmatism_angle,
                                     bm.ell_traced),
                         FT._template(3, 1, True), (1.1, 5.0 * UM, 0.2, 0.4, jnp.asarray(ell)))
    traced = eqx.tree_at(lambda bm: (bm.wavelength, bm.numerical_aperture, bm.n_immersion, bm.n_medium), traced,
                         (LAM, NA, N_S, N_W))

    @jax.jit
    def pieces(z, phi):
        table = BS._bsc_table(traced, rho, l_max, n_quad, _power_order(traced), s_max)
        generic = table._replace(block=None)
        f = BS._bsc_f_at(traced, table, z, phi, l_max, s_max)
        fs = BS._bsc_f_at(traced, table, z, phi, l_max, s_max, derivatives=True)
        fg = BS._bsc_f_at(traced, generic, z, phi, l_max, s_max, derivatives=True)
        jac = jax.jacfwd(lambda v: BS._bsc_f_at(traced, table, v[0], v[1], l_max, s_max))(jnp.stack([z, phi]))
        line = BS._bsc_f_axis_line(traced, table, jnp.stack([z, 0.5 * z]), l_max)
        at0 = jnp.stack([BS._bsc_f_at(traced, table, zz, 0.0, l_max, s_max) for zz in (z, 0.5 * z)])
        return f, fs, fg, jnp.moveaxis(jac, -1, 0), line, at0

    z, phi = 0.3 * UM, 0.7
    f, fs, fg, jac, line, at0 = (np.asarray(v) for v in pieces(z, phi))
    ref = np.asarray(BS.beam_shape_coefficients(fixed, jnp.array([rho * np.cos(phi), rho * np.sin(phi), z]), l_max,
                                                n_quad=n_quad, s_max=s_max)[1])
    scale = np.max(np.abs(ref))
    assert scale > 0
    np.testing.assert_allclose(f, ref, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(fs[0], f, rtol=0, atol=1e-14 * scale)
    for k in (1, 2):
        d_scale = np.max(np.abs(jac[k - 1]))
        assert d_scale > 0
        np.testing.assert_allclose(fs[k], jac[k - 1], rtol=0, atol=1e-13 * d_scale)
    for k in range(3):
        np.testing.assert_allclose(fg[k], fs[k], rtol=0, atol=1e-13 * np.max(np.abs(fs[k])))
    np.testing.assert_allclose(line, at0, rtol=0, atol=1e-13 * scale)


def test_traced_parameters_carry_derivatives_and_concrete_ones_do_not():
    """Only parameters whose value is traced are differentiated (the others are held constant, so autodiff skips the
    tables that depend on the fixed optics only)."""
    beam = _beam()
    seen = {}

    @jax.jit
    def probe(r, lam):
        seen["radius"] = FT._traced_cols({"radius": r}, beam, N_PS)
        seen["radius+wavelength"] = FT._traced_cols({"radius": r, "wavelength": lam}, beam, N_PS)
        seen["beam"] = FT._traced_cols({"radius": 1e-6}, eqx_at(beam, lam), N_PS)
        seen["n_sphere"] = FT._traced_cols({"radius": 1e-6}, beam, lam)
        return r

    def eqx_at(b, lam):
        import equinox as eqx
        return eqx.tree_at(lambda bm: bm.wavelength, b, lam)

    probe(1e-6, LAM)
    idx = FT._INDEX
    assert seen["radius"] == (idx["radius"],)
    assert seen["radius+wavelength"] == (idx["radius"], idx["wavelength"])
    assert seen["beam"] == (idx["wavelength"],)
    assert seen["n_sphere"] == (idx["n_sphere"], idx["n_sphere_imag"])
    assert FT._traced_cols({"radius": 1e-6}, beam, N_PS) == ()


# ---------------------------------------------------------------------------------------------
# fits (slow: each compiles a scan, the optimiser loop and a Hessian per set of modes)

MD_ELLS = (-2, -1, 0, 1, 2)
# sizes of the slow fits: l_max below Wiscombe's 24 at R = 1.58 um keeps the compiled programs smaller; the
# synthetic data are made with the same settings, so the fits are exact tests of the machinery
FIT = dict(l_max=20, n_quad=64, n_grid=24, z_bracket=(-1.5 * UM, 2.5 * UM))


@pytest.mark.slow
def test_md_fit_recovers_radius_and_scan_finds_the_global_minimum():
    beam = _beam()
    design = _design(MD_ELLS, 2)
    truth = {"radius": BEAD_A["radius"]}
    alpha = np.asarray(jaxem.model_rotation_angles(truth, design, beam, N_PS, **FIT))
    assert np.all(np.isfinite(alpha))
    data = _data(design, alpha)
    r0 = truth["radius"]
    fit = jaxem.fit_bead(data, beam, N_PS, start={"radius": 1.02 * r0}, bounds={"radius": (1.42 * UM, 1.58 * UM)},
                         **FIT)
    assert fit.model == "MD" and fit.names == ("radius",) and fit.converged
    assert abs(fit.values["radius"] / r0 - 1) <= 1e-6, fit.values
    assert fit.chi2_sum < 1e-10 and fit.dof == data["ell"].size - 1
    assert 0 < fit.errors["radius"] < 0.01 * UM
    # a start in the wrong period (0.17 um = lambda0/(4n) off) with bounds wide enough for three periods: the scan
    # finds the global minimum; the optimiser alone, from the same start, stays in the wrong valley
    wide = {"radius": (1.20 * UM, 1.80 * UM)}
    wrong = {"radius": r0 + 0.17 * UM}
    fit2 = jaxem.fit_bead(data, beam, N_PS, start=wrong, bounds=wide, delta_chi2=1e9, **FIT)
    assert abs(fit2.values["radius"] / r0 - 1) <= 1e-6, fit2.values
    minima = [a["radius"] for a in fit2.alternatives]
    assert abs(minima[0] / r0 - 1) < 2e-3 and len(minima) >= 3
    others = sorted(m for m in minima[1:] if abs(m - r0) > 0.05 * UM)
    assert others and min(abs(abs(m - r0) - LAM / (4 * N_PS)) for m in others) < 0.04 * UM, minima
    assert fit2.scan["chi2_sum"].shape == fit2.scan["radius"].shape
    local = jaxem.fit_bead(data, beam, N_PS, start=wrong, bounds=wide, scan=False, **FIT)
    assert abs(local.values["radius"] - r0) > 0.1 * UM, local.values


@pytest.mark.slow
def test_mdsa_plus_fit_recovers_bead_a_and_md_fit_of_the_same_data():
    """Issue #14 Sec. 2, recovery: noiseless angles at the MDSA+ parameters of bead A (Table 7.2: R = 1.503 um,
    L = 5.8 um, A_ast = 0.245 waves, phi_ast = 0.37 rad), fitted from a start 2 % away in all four free parameters ->
    each recovered to <= 1e-6 relative.

    Modes as a user would choose them: ell = -3..2, one round each (6 angles, 2 degrees of freedom), all with a
    converged self-consistent angle at these parameters (with this astigmatism the angle of some larger |ell|, e.g.
    ell = -6 and 4, does not exist near the axial start: rotation_angle is NaN there and a fit would say so), gamma(ell)
    and rho_eq(ell) as in _design. Sizes FIT (l_max 20 below Wiscombe's 24, 64 nodes, s_max 14) for both the data and
    the fit, so the test checks the fitting machinery exactly (the physics at full size is the same code). The bounds
    enclose one period of chi^2(R) (1.42-1.58 um). Then the MD fit of the same aberrated data: much worse chi^2."""
    beam = _beam()
    design = _design((-3, -2, -1, 0, 1, 2), 1)
    alpha = np.asarray(jaxem.model_rotation_angles(BEAD_A, design, beam, N_PS, s_max=14, **FIT))
    assert np.all(np.isfinite(alpha))
    data = _data(design, alpha)
    start = {k: 1.02 * v for k, v in BEAD_A.items()}
    bounds = {"radius": (1.42 * UM, 1.58 * UM), "interface_distance": (3.0 * UM, 8.0 * UM),
              "astigmatism": (0.1, 0.4), "astigmatism_angle": (0.0, 1.0)}
    fit = jaxem.fit_bead(data, beam, N_PS, free=MDSA_PLUS, start=start, bounds=bounds, s_max=14, **FIT)
    assert fit.model == "MDSA+" and fit.converged and fit.dof == 2
    for name, value in BEAD_A.items():
        assert abs(fit.values[name] / value - 1) <= 1e-6, (name, fit.values[name], value)
        assert 0 < fit.errors[name] < abs(value)
    corr = fit.correlation
    np.testing.assert_allclose(np.diag(corr), 1.0, atol=1e-12)
    np.testing.assert_allclose(corr, corr.T, atol=1e-12)
    assert np.all(np.abs(corr) <= 1 + 1e-12)
    # the MD fit of the same (aberrated) data: a worse fit, the radius still in the nominal window (Table 7.1)
    md = jaxem.fit_bead(data, _beam(), N_PS, start={"radius": 1.5 * UM}, bounds={"radius": bounds["radius"]},
                        **FIT)
    assert md.model == "MD" and md.chi2_sum > 1e3 * max(fit.chi2_sum, 1e-12)
    table = jaxem.fit_table({"MD": md, "MDSA+": fit})
    assert "MDSA+" in table and "interface_distance" in table


@pytest.mark.slow
def test_chi2_gradient_and_hessian_against_central_differences():
    beam = _beam()
    design = _design((-1, 0, 1), 2)
    rng = np.random.default_rng(7)
    kw = dict(FIT, s_max=14)
    alpha = np.asarray(jaxem.model_rotation_angles(BEAD_A, design, beam, N_PS, **kw))
    data = _data(design, alpha + 0.5 * DEG * rng.standard_normal(alpha.size))
    scale = np.array([UM, UM, 1.0, 1.0])
    p0 = np.array([BEAD_A[k] for k in MDSA_PLUS]) / scale

    def chi2(p):
        return jaxem.rotation_angle_chi2({k: p[i] * scale[i] for i, k in enumerate(MDSA_PLUS)}, data, beam, N_PS,
                                         **kw)

    g = np.asarray(jax.grad(chi2)(jnp.asarray(p0)))
    h = np.asarray(jax.jacfwd(jax.jacfwd(chi2))(jnp.asarray(p0)))
    # fourth-order central differences: near the fit chi^2'''(R) ~ 6 sum w alpha' alpha''/dalpha^2 does not shrink
    # with the residuals, f'''/f' ~ 3 alpha''/r ~ 1e5 um^-2 (alpha'' ~ A k^2, k = 2 pi/(0.17 um)), so the two-point
    # truncation h^2 f'''/6 is ~1e-6 relative at h = 1e-5 um (measured: 1.8e-6 off in d chi^2/dR); the O(h^4) rule,
    # error h^4 f^(5)/30 ~ h^4 k^2 f'''/6, is ~2e-9 relative at h = 1e-4 um
    step = np.array([1e-4, 1e-3, 1e-4, 1e-4])
    grad_fd = np.empty(4)
    hess_fd = np.empty((4, 4))
    g_fn = jax.grad(chi2)

    def central(fn, i):
        e = np.zeros(4)
        e[i] = step[i]
        f = {k: np.asarray(fn(jnp.asarray(p0 + k * e)), dtype=float) for k in (-2, -1, 1, 2)}
        return (8.0 * (f[1] - f[-1]) - (f[2] - f[-2])) / (12.0 * step[i])

    for i in range(4):
        grad_fd[i] = central(chi2, i)
        hess_fd[:, i] = central(g_fn, i)
    assert np.all(np.abs(g) > 1e-3)
    np.testing.assert_allclose(g, grad_fd, rtol=1e-6)
    np.testing.assert_allclose(h, hess_fd, rtol=1e-6, atol=1e-6 * np.max(np.abs(h)))
    np.testing.assert_allclose(h, h.T, rtol=1e-10, atol=1e-10 * np.max(np.abs(h)))


@pytest.mark.slow
def test_coverage_of_200_noisy_fits_in_one_vmapped_call():
    """MD radius fits of 200 data sets with sigma_alpha = 0.5 deg: the Hessian error matches the scatter of the fitted
    radii within 20 % and the fraction of fits within 1 sigma of the truth is binomially compatible with 68.3 %."""
    beam = _beam()
    design = _design((-1, 0, 1), 2)
    kw = dict(l_max=16, n_quad=48, n_grid=16, z_bracket=(-1.0 * UM, 2.0 * UM))
    r_true = 1.2 * UM
    alpha = np.asarray(jaxem.model_rotation_angles({"radius": r_true}, design, beam, N_PS, **kw))
    assert np.all(np.isfinite(alpha))
    n_sets, sigma = 200, 0.5 * DEG
    noisy = alpha + sigma * np.random.default_rng(2024).standard_normal((n_sets, alpha.size))
    data = _data(design, noisy)
    bounds = {"radius": (1.15 * UM, 1.25 * UM)}
    fits = jaxem.fit_bead(data, beam, N_PS, start={"radius": 1.2 * UM}, bounds=bounds, **kw)
    r_fit, err = fits.values["radius"], fits.errors["radius"]
    assert r_fit.shape == (n_sets,) and np.all(fits.converged)
    scatter = np.std(r_fit, ddof=1)
    assert abs(np.mean(err) / scatter - 1) < 0.2, (np.mean(err), scatter)
    inside = np.mean(np.abs(r_fit - r_true) < err)
    half = 3 * math.sqrt(0.6827 * 0.3173 / n_sets)
    assert abs(inside - 0.6827) < half, inside
    # batched = one data set at a time
    for i in (0, 1):
        one = jaxem.fit_bead(_data(design, noisy[i]), beam, N_PS, start={"radius": 1.2 * UM}, bounds=bounds, **kw)
        assert abs(one.values["radius"] / r_fit[i] - 1) < 1e-9
        assert abs(one.errors["radius"] / err[i] - 1) < 1e-6


@pytest.mark.slow
def test_joint_fit_of_two_beads_with_shared_astigmatism():
    """Table 7.3 analogue: beads A and B share A_ast, phi_ast; R and L per bead (6 parameters instead of 8)."""
    beam = _beam()
    design = _design((-2, -1, 0, 1, 2), 1)
    truth = {"A": dict(radius=1.502 * UM, interface_distance=5.6 * UM, astigmatism=0.254, astigmatism_angle=0.41),
             "B": dict(radius=1.492 * UM, interface_distance=4.8 * UM, astigmatism=0.254, astigmatism_angle=0.41)}
    kw = dict(FIT, s_max=14)
    datas = [_data(design, np.asarray(jaxem.model_rotation_angles(truth[b], design, beam, N_PS, **kw)))
             for b in ("A", "B")]
    start = {"radius": [1.5 * UM, 1.5 * UM], "interface_distance": [5.5 * UM, 5.0 * UM], "astigmatism": 0.25,
             "astigmatism_angle": 0.4}
    bounds = {"radius": (1.42 * UM, 1.58 * UM), "interface_distance": (3.0 * UM, 8.0 * UM),
              "astigmatism": (0.1, 0.4), "astigmatism_angle": (0.0, 1.0)}
    fit = jaxem.fit_beads(datas, beam, N_PS, free=MDSA_PLUS, shared=("astigmatism", "astigmatism_angle"),
                          start=start, bounds=bounds, **kw)
    assert fit.names == ("radius[0]", "radius[1]", "interface_distance[0]", "interface_distance[1]", "astigmatism",
                         "astigmatism_angle")
    assert fit.dof == 2 * 5 - 6 and len(fit.chi2) == 2
    expect = {"radius[0]": truth["A"]["radius"], "radius[1]": truth["B"]["radius"],
              "interface_distance[0]": truth["A"]["interface_distance"],
              "interface_distance[1]": truth["B"]["interface_distance"], "astigmatism": 0.254,
              "astigmatism_angle": 0.41}
    for name, value in expect.items():
        assert abs(fit.values[name] / value - 1) <= 1e-6, (name, fit.values[name], value)
    assert fit.covariance.shape == (6, 6)


@pytest.mark.slow
def test_config_task_runs_on_a_tiny_setting(tmp_path):
    from pathlib import Path

    from jaxem.sweeps import run_config

    cfg = Path(__file__).resolve().parent.parent / "configs" / "optical_bead_fit.toml"
    out = run_config(cfg, tmp_path / "o", overrides=dict(ells=[-2, -1, 0, 1], rounds=2, l_max=14, n_quad=40,
                                                         s_max=10, n_grid=24))
    for name in ("bead_fit.npz", "bead_fit.png", "bead_fit_table.txt", "run.json"):
        assert (out / name).is_file(), name
    with np.load(out / "bead_fit.npz") as d:
        assert d["md_values"].shape == (1,) and d["mdsa_plus_values"].shape == (4,)
        assert d["mdsa_plus_correlation"].shape == (4, 4)
        assert np.all(np.isfinite(d["mdsa_plus_errors"]))


@pytest.mark.parametrize("override, needle", [
    ({"ells": []}, "ells"),
    ({"radius_bounds": [2e-6, 1e-6]}, "radius_bounds"),
    ({"n_quad": 1}, "n_quad"),            # 0 = automatic (the config's default), otherwise >= 2
    ({"l_max": -1}, "l_max"),
    ({"wavelength": -1.0}, "wavelength"),
])
def test_bead_fit_config_rejects_bad_values_before_computing(tmp_path, override, needle):
    from pathlib import Path

    from jaxem.sweeps import run_config

    cfg = Path(__file__).resolve().parent.parent / "configs" / "optical_bead_fit.toml"
    with pytest.raises(ValueError, match=needle):
        run_config(cfg, tmp_path / "o", overrides=override, quiet=True)
