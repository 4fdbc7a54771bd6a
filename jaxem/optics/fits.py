"""Characterising a trapped bead from its rotation angles: chi^2 of Eq. (7.2), grid scan and Levenberg-Marquardt fit
with autodiff uncertainties.

Experimentalists drag a trapped bead sideways in Laguerre-Gaussian modes of several ell and measure the angle
alpha by which it turns away from the drag (Schoger, Dissertation (Augsburg 2024), Ch. 7); fitting
:func:`jaxem.optics.equilibria.rotation_angle` to those angles gives the bead radius R and the aberrations of the
optics (coverslip distance L, astigmatism A_ast, phi_ast). Here the whole chi^2 is one jitted, differentiable call:

* :func:`load_rotation_data` reads the measurements (one row per mode and round) from a CSV file.
* :func:`rotation_angle_chi2` is chi^2 of Eq. (7.2). The charge ell and the filling gamma of each entry are traced
  (``FocusedBeam(..., ell_max=...)`` with the static bound ell_max = the data's max |ell|), so ONE compiled solve,
  vmapped over the distinct (ell, rho_eq, filling) of the data, serves every mode; entries of one mode with the same
  rho_eq and filling (the rounds) share one rotation-angle solve. Without astigmatism the cylindrical
  efficiencies do not depend on phi_R and alpha = arctan(Q_phi/|Q_rho|) at (rho_eq, 0, z_eq) (one axial solve,
  no 2-D Newton): the same number as :func:`rotation_angle`, cheaper to compile. Each solve works at its fixed
  rho_eq from a table of the beam-shape quadrature (pupil weights, Wigner d at the nodes, J_n(k rho), and on the
  line phi_R = 0 the whole node sum up to the phase e^{i K_w z u}), built once per slot: the 48-point axial scan is
  one matrix product, each refinement or Newton step costs a contraction instead of a new quadrature (same
  numbers as :func:`rotation_angle` to ~1e-14; tests/test_optics_fits.py).
* :func:`fit_bead` / :func:`fit_beads`: a batched grid scan of chi^2 over R (one vmapped call; chi^2(R) is
  multimodal with period ~lambda0/(4n) ~ 0.17 um), then a Levenberg-Marquardt polish (optimistix) of the free
  parameters from the best grid radius, and the covariance from the exact Hessian (autodiff through the
  implicit-function-theorem derivatives of the equilibrium solves). Every local minimum of the scan within
  delta_chi2 of the best is reported as an alternative. Several data sets with one design (same ell, rho_eq,
  filling) are fitted in one vmapped call when ``alpha`` carries a leading batch axis.

Parameters (names of ``free``, ``start``, ``bounds`` and the result dicts): sphere ``radius`` [m], ``n_sphere``
(real part; the imaginary part stays as given) and the beam's ``wavelength`` [m], ``numerical_aperture``,
``n_immersion``, ``n_medium``, ``interface_distance`` (L [m]), ``astigmatism`` (A_ast [waves]),
``astigmatism_angle`` (phi_ast [rad]). The beam's ell and filling gamma come from each data entry; its helicity and
the ``interface`` switch are kept.

Two chi^2: Eq. (7.2), the mode-averaged mean square (1/N) sum_ell (1/M_ell) sum_r ((alpha - alpha_r)/dalpha_r)^2
that the dissertation minimises and tabulates, and the plain sum chi^2_sum = sum_i ((alpha_i - alpha_exp,i)/
dalpha_i)^2 over all entries (Gaussian likelihood). With the same number of rounds M for every mode they differ by
the factor N M, so they have the same minimiser; the fits minimise chi^2_sum by default, whose Hessian gives the
statistical covariance (inverse Hessian of chi^2_sum/2) and whose Delta chi^2 = 1 is one standard deviation.
"""
from __future__ import annotations

import csv
import functools
import math
import numbers
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from jaxem import _checks
from jaxem.optics import beam_shape as _bs
from jaxem.optics import equilibria as _eq
from jaxem.optics import forces as _forces
from jaxem.optics.beams import FocusedBeam, _astig_order, _nodes, _power_order, quadrature_order
from jaxem.special.wigner import _wigner

__all__ = ["BeadFit", "load_rotation_data", "rotation_angle_chi2", "model_rotation_angles", "fit_bead",
           "fit_beads", "fit_table", "PARAMETERS", "COLUMNS"]

COLUMNS = ("ell", "alpha", "alpha_err", "rho_eq", "filling")
PARAMETERS = ("radius", "n_sphere", "wavelength", "numerical_aperture", "n_immersion", "n_medium",
              "interface_distance", "astigmatism", "astigmatism_angle")
# internal parameter vector (per bead): the fit parameters plus the imaginary part of the sphere's index
_COLS = ("radius", "n_sphere", "n_sphere_imag", "wavelength", "numerical_aperture", "n_immersion", "n_medium",
         "interface_distance", "astigmatism", "astigmatism_angle")
_INDEX = {name: i for i, name in enumerate(_COLS)}
_BEAM_FIELDS = ("wavelength", "numerical_aperture", "n_immersion", "n_medium", "interface_distance",
                "astigmatism", "astigmatism_angle")
_UNITS = {"radius": 1e-6, "interface_distance": 1e-6, "wavelength": 1e-6}
_NORMALIZATIONS = ("sum", "modes")


# ---------------------------------------------------------------------------------------------
# data

def load_rotation_data(path) -> dict:
    """Measured rotation angles from a CSV file with a header line: columns ell, alpha, alpha_err, rho_eq, filling.

    One row per mode and measurement round; lines starting with '#' are comments; other columns are ignored.
    Arguments:
        path: file name (str or os.PathLike).
    Returns:
        dict of 1-D NumPy arrays: ell (int), alpha [rad], alpha_err [rad] (> 0), rho_eq [m] (> 0, the mode's mean
        displacement from the axis), filling (gamma of that mode, > 0), all of equal length.
        ValueError naming the column for a missing column or a value that is not a number (ell: not an
        integer), and for the checks of :func:`rotation_angle_chi2` (alpha_err <= 0, ...).
    Source: no formula (file format of this library; the quantities are those of Schoger, Dissertation
        (Augsburg 2024), Sec. 7.1 and Eq. (7.2)).
    """
    with open(path, newline="", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.reader(lines)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValueError(f"{path}: empty file; expected a header with the columns {', '.join(COLUMNS)}") from None
    for col in COLUMNS:
        if col not in header:
            raise ValueError(f"{path}: column '{col}' is missing (header: {', '.join(header)})")
    index = {col: header.index(col) for col in COLUMNS}
    values = {col: [] for col in COLUMNS}
    for row_no, row in enumerate(reader, start=2):
        for col, i in index.items():
            text = row[i].strip() if i < len(row) else ""
            try:
                v = float(text)
            except ValueError:
                raise ValueError(f"{path}: column '{col}', data row {row_no - 1}: {text!r} is not a number") from None
            if col == "ell":
                if not (math.isfinite(v) and v.is_integer()):
                    raise ValueError(f"{path}: column 'ell', data row {row_no - 1}: {text!r} is not an integer")
                v = int(v)
            values[col].append(v)
    data = {"ell": np.asarray(values["ell"], dtype=np.int64)}
    data.update({col: np.asarray(values[col], dtype=np.float64) for col in COLUMNS[1:]})
    return _check_data(data, str(path))


def _check_data(data, where="data", measured=True):
    """Validated copy of one data dict (ValueError naming the column); alpha/alpha_err may be traced or (B, n).
    measured=False: only ell, rho_eq, filling are required (model angles)."""
    _checks.require_x64()
    if not hasattr(data, "keys"):
        raise ValueError(f"{where} must be a dict with the columns {', '.join(COLUMNS)}, got {type(data).__name__}")
    columns = COLUMNS if measured else ("ell", "rho_eq", "filling")
    for col in columns:
        if col not in data:
            raise ValueError(f"{where}: column '{col}' is missing")
    if not _checks.is_concrete(data["ell"]):
        raise ValueError(f"{where}: column 'ell' must be concrete (its largest |ell| is the static bound of the "
                         "traced charge)")
    ell = np.asarray(data["ell"])
    if ell.ndim != 1 or ell.size == 0:
        raise ValueError(f"{where}: column 'ell' must be a non-empty 1-D array, got shape {ell.shape}")
    if ell.dtype.kind not in "iuf" or (ell.dtype.kind == "f" and not np.all(np.mod(ell, 1) == 0)):
        raise ValueError(f"{where}: column 'ell' must hold integers, got {ell!r}")
    out = {"ell": ell.astype(np.int64)}
    n = ell.size
    for col in columns[1:]:
        v = data[col]
        concrete = _checks.is_concrete(v)
        arr = np.asarray(v) if concrete else v
        if concrete and (arr.dtype.kind not in "iuf"):
            raise ValueError(f"{where}: column '{col}' must hold real numbers, got dtype {arr.dtype}")
        allowed = (1, 2) if col in ("alpha", "alpha_err") else (1,)
        if jnp.ndim(arr) not in allowed or jnp.shape(arr)[-1] != n:
            raise ValueError(f"{where}: unequal lengths: column 'ell' has {n} entries, column '{col}' has shape "
                             f"{tuple(jnp.shape(arr))}")
        if concrete:
            arr = arr.astype(np.float64)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{where}: column '{col}' must be finite")
            if col != "alpha" and not np.all(arr > 0):
                raise ValueError(f"{where}: column '{col}' must be > 0, got min {float(np.min(arr))!r}")
        else:
            arr = jnp.asarray(arr, jnp.float64)
        out[col] = arr
    if measured and jnp.ndim(out["alpha"]) == 2 and jnp.ndim(out["alpha_err"]) == 2 and \
            jnp.shape(out["alpha"])[0] != jnp.shape(out["alpha_err"])[0]:
        raise ValueError(f"{where}: unequal batch sizes of 'alpha' {jnp.shape(out['alpha'])} and 'alpha_err' "
                         f"{jnp.shape(out['alpha_err'])}")
    return out


# ---------------------------------------------------------------------------------------------
# design: entries grouped by ell (host side, from concrete data)

class _Static(NamedTuple):
    """Everything that selects a compiled program (hashable)."""
    ell_max: int
    helicity: int
    interface: bool
    l_max: int
    n_quad: int
    s_max: int
    n_grid: int
    n_newton: int
    z_bracket: Any
    axisymmetric: bool
    diff_cols: tuple = tuple(range(10))   # columns of _COLS that may carry derivatives (the others: constants)


class _Design(NamedTuple):
    """Arrays of the grouped data: slots = distinct (bead, ell, rho_eq, filling) solves ordered by ell."""
    slot_bead: np.ndarray
    slot_ell: np.ndarray
    slot_rho: Any
    slot_gam: Any
    entry_slot: np.ndarray
    entry_bead: np.ndarray
    weight72: np.ndarray       # per entry 1/(N_b M_{b,ell}): Eq. (7.2) of each bead
    ell_max: int


def _design(datas):
    """Group the entries of several data dicts (one per bead) by ell; rounds sharing (rho_eq, filling) share a slot."""
    keys, entry_key, entry_bead, weights = [], [], [], []
    concrete = all(_checks.is_concrete((d["rho_eq"], d["filling"])) for d in datas)
    for b, d in enumerate(datas):
        ell = d["ell"]
        modes, counts = np.unique(ell, return_counts=True)
        m_of = dict(zip(modes.tolist(), counts.tolist()))
        n_modes = len(modes)
        for i, e in enumerate(ell.tolist()):
            if concrete:
                key = (e, b, float(d["rho_eq"][i]), float(d["filling"][i]))
            else:
                key = (e, b, i)
            keys.append(key)
            entry_key.append(key)
            entry_bead.append(b)
            weights.append(1.0 / (n_modes * m_of[e]))
    uniq = sorted(set(keys), key=lambda k: (k[0], k[1], k[2:]))
    slot_of = {k: s for s, k in enumerate(uniq)}
    slot_ell = np.asarray([k[0] for k in uniq], dtype=np.int64)
    slot_bead = np.asarray([k[1] for k in uniq], dtype=np.int64)
    if concrete:
        slot_rho = np.asarray([k[2] for k in uniq], dtype=np.float64)
        slot_gam = np.asarray([k[3] for k in uniq], dtype=np.float64)
    else:
        flat_rho = jnp.concatenate([jnp.asarray(d["rho_eq"], jnp.float64) for d in datas])
        flat_gam = jnp.concatenate([jnp.asarray(d["filling"], jnp.float64) for d in datas])
        order = np.asarray([keys.index(k) for k in uniq])
        slot_rho, slot_gam = flat_rho[order], flat_gam[order]
    entry_slot = np.asarray([slot_of[k] for k in entry_key], dtype=np.int64)
    return _Design(slot_bead, slot_ell, slot_rho, slot_gam, entry_slot, np.asarray(entry_bead, np.int64),
                   np.asarray(weights, np.float64), int(np.max(np.abs(slot_ell))))


# ---------------------------------------------------------------------------------------------
# the model: rotation angle per slot

@functools.lru_cache(maxsize=None)
def _template(ell_max, helicity, interface):
    # placeholder values: every leaf (the charge ell included) is replaced (traced) before use
    return FocusedBeam(1.0e-6, 1.0, 1.5, 1.4, 1.0, ell=0, ell_max=ell_max, helicity=helicity, interface=interface)


def _beam_of(th, ell, gam, st):
    fields = (th[3], th[4], th[5], th[6], gam, th[7], th[8], th[9], ell)
    return eqx.tree_at(lambda b: (b.wavelength, b.numerical_aperture, b.n_immersion, b.n_medium, b.filling,
                                  b.interface_distance, b.astigmatism, b.astigmatism_angle, b.ell_traced),
                       _template(st.ell_max, st.helicity, st.interface), fields)


def _constant_cols(th, st):
    """The parameter row as a tuple, the columns outside st.diff_cols held constant for autodiff."""
    return tuple(th[i] if i in st.diff_cols else jax.lax.stop_gradient(th[i]) for i in range(len(_COLS)))


def _wigner_nodes(th, st):
    """Wigner d at the quadrature nodes of one bead, (2 l_max+3, l_max+2, n_quad) m-major: the nodes depend on the
    aperture and the medium only, not on the mode (ell, filling) or rho_eq, so one array serves every slot."""
    beam = _beam_of(_constant_cols(th, st), 0, 1.0, st)
    u, _ = _nodes(beam, st.n_quad)
    return jnp.transpose(_wigner(jnp.arccos(u), st.l_max + 1, beam.helicity), (2, 1, 0))


def _alpha_one(th, ell, rho, gam, st, d=None):
    """Rotation angle [rad] of one slot: th = parameter vector (_COLS), ell = charge (traced int), rho = rho_eq [m],
    gam = filling.

    The same solve as :func:`jaxem.optics.equilibria.rotation_angle` (axial scan on the static grid, stable root
    nearest the window's reference refined by Illinois to 1e-13 lambda0, then the damped Newton on (z, phi_R) with
    the implicit-function-theorem derivatives of lax.custom_root), evaluated from a table of everything that does
    not depend on the position along the solve (rho is fixed: the pupil weights, the Wigner d at the nodes, J_n(k rho)
    and, on the line phi_R = 0, the whole node sum up to the phase e^{i K_w z u}); the axial scan is one matrix
    product over the grid. The scan and the refinement need Q_z only: a quadratic form in the coefficients whose
    weights depend on the sphere alone (:func:`jaxem.optics.forces._qz_form`, computed once per slot). Each Newton
    step takes d f_lm/dz and d f_lm/dphi_R in closed form from the same quadrature (one contraction over the nodes
    for f and both derivatives) and forward mode through the closed-form sums only; the derivatives of alpha still
    come from custom_root with the residual differentiated by autodiff. Parameters outside st.diff_cols are
    constants for autodiff (lax.stop_gradient: a concrete value has no derivative), so a gradient does not run
    through the parts of the tables that depend on the fixed optics only. Without astigmatism (st.axisymmetric)
    the efficiencies do not depend on phi_R and alpha = arctan(Q_phi/|Q_rho|) at (rho, 0, z_eq) (no 2-D Newton).
    """
    # parameters that are not differentiated are constants for autodiff (no tangents through the tables)
    th = _constant_cols(th, st)
    beam = _beam_of(th, ell, gam, st)
    radius, n_sphere = th[0], jax.lax.complex(th[1], th[2])
    sigma = beam.helicity
    big_l = st.l_max + 1
    a, b = _forces._sphere_ab_jit(radius, n_sphere, jnp.zeros((), jnp.complex128), beam.wavelength, beam.n_medium,
                                  l_max=st.l_max, chiral=False, sigma=sigma)
    table = _bs._bsc_table(beam, rho, big_l, st.n_quad, _power_order(beam), st.s_max, d=d)
    zero = jnp.zeros((), jnp.float64)

    def on_line(tab, aa, bb, z):
        """Efficiencies at (rho, phi_R = 0, z)."""
        f = _bs._bsc_f_axis_line(beam, tab, z, big_l)
        return _forces._assemble(f, aa, bb, jnp.stack([rho, zero, z]), beam.wavelength, beam.n_medium, sigma)

    def qz_on_line(tab, form, z):
        """Q_z at (rho, phi_R = 0, z) from the quadratic form of the sphere (the axial scan and refinement)."""
        return _forces._qz_of(_bs._bsc_f_axis_line(beam, tab, z, big_l), form)

    # the search (scan and start values) carries no derivatives: they come from custom_root at the root
    tab_c, a_c, b_c = jax.lax.stop_gradient((table, a, b))
    form_c = _forces._qz_form(a_c, b_c, beam.wavelength, beam.n_medium, sigma, big_l)
    lo, hi, ref = _eq._window(beam, st.z_bracket)
    lo = _eq._coverslip_floor(beam, radius, lo)
    hi = jnp.maximum(hi, lo)
    zs = jax.lax.stop_gradient(lo + (hi - lo) * jnp.linspace(0.0, 1.0, st.n_grid))
    ref = jax.lax.stop_gradient(ref)
    qs = jax.vmap(lambda z: qz_on_line(tab_c, form_c, z))(zs)
    i, found = _eq._stable_crossing(zs, qs, ref)
    # no trap: a dummy bracket whose end is a root, so the refinement of that slot stops at once (a vmapped loop
    # runs until its slowest slot is done); its result is replaced by NaN below
    za, zb = zs[i], zs[i + 1]
    qa, qb = jnp.where(found, qs[i], 1.0), jnp.where(found, qs[i + 1], 0.0)
    lam = jnp.asarray(beam.wavelength, jnp.float64)
    tol = 1e-13 * lam

    if st.axisymmetric:
        # no astigmatism: Q_rho, Q_phi, Q_z do not depend on phi_R, the self-consistent angle needs no 2-D solve
        form = _forces._qz_form(a, b, beam.wavelength, beam.n_medium, sigma, big_l)
        z_eq = _eq._bracketed_root(lambda z: qz_on_line(table, form, z), za, zb, qa, qb, tol)
        z_eq = jnp.where(found, z_eq, 0.0)
        q = on_line(table, a, b, z_eq)
        return jnp.where(found, jnp.arctan2(q.phi, jnp.abs(q.rho)), jnp.nan)

    z0 = _eq._illinois(lambda z: qz_on_line(tab_c, form_c, z), za, zb, qa, qb, tol)

    def assemble(f, aa, bb, v):
        pos = jnp.stack([rho * jnp.cos(v[1]), rho * jnp.sin(v[1]), v[0]])
        return _forces._assemble(f, aa, bb, pos, beam.wavelength, beam.n_medium, sigma)

    def eff(v):
        return assemble(_bs._bsc_f_at(beam, table, v[0], v[1], big_l, st.s_max), a, b, v)

    def eff_jac(v):
        # Newton steps: d f_lm/dz and d f_lm/dphi_R in closed form from the same quadrature (one contraction over
        # the nodes for f and both derivatives), then forward mode through the closed-form sums only
        fs = _bs._bsc_f_at(beam, tab_c, v[0], v[1], big_l, st.s_max, derivatives=True)
        q, dq = jax.vmap(lambda tf, tv: jax.jvp(lambda f, w: assemble(f, a_c, b_c, w), (fs[0], v), (tf, tv)))(
            fs[1:], jnp.eye(2))
        return jax.tree_util.tree_map(lambda x: x[0], q), dq

    return _eq._self_consistent_angle(eff, z0, found, on_line(tab_c, a_c, b_c, jnp.where(found, z0, 0.0)), lam,
                                      st.n_newton, eff_jac=eff_jac)


def _slot_alphas(theta, slot_bead, slot_ell, slot_rho, slot_gam, st):
    """alpha per slot: one solve vmapped over all slots (every mode); theta: (n_beads, len(_COLS))."""
    one = functools.partial(_alpha_one, st=st)
    # the Wigner d at the nodes once per bead (the nodes do not depend on the slot)
    d = jax.vmap(lambda th: _wigner_nodes(th, st))(theta)
    if d.shape[0] == 1:
        return jax.vmap(lambda th, e, r, g: one(th, e, r, g, d=d[0]))(
            theta[slot_bead], jnp.asarray(slot_ell, jnp.int64), slot_rho, slot_gam)
    return jax.vmap(lambda th, e, r, g, dd: one(th, e, r, g, d=dd))(
        theta[slot_bead], jnp.asarray(slot_ell, jnp.int64), slot_rho, slot_gam, d[slot_bead])


def _residuals(theta, arrays, st):
    """(alpha_model - alpha)/alpha_err per entry (NaN where a mode has no converged solve)."""
    slot_bead, slot_ell, slot_rho, slot_gam, entry_slot, alpha, alpha_err = arrays
    a = _slot_alphas(theta, slot_bead, slot_ell, slot_rho, slot_gam, st)[entry_slot]
    return (a - alpha) / alpha_err


def _chi2_kernel(theta, arrays, weight, st):
    r = _residuals(theta, arrays, st)
    return jnp.sum(weight * r * r)


_chi2_jit = jax.jit(_chi2_kernel, static_argnames=("st",))


def _entry_alphas(theta, slot_bead, slot_ell, slot_rho, slot_gam, entry_slot, st):
    return _slot_alphas(theta, slot_bead, slot_ell, slot_rho, slot_gam, st)[entry_slot]


_entry_alphas_jit = jax.jit(_entry_alphas, static_argnames=("st",))


# ---------------------------------------------------------------------------------------------
# parameters and static settings (host side, before tracing)

def _check_names(kind, names, allowed=PARAMETERS):
    for name in names:
        if not isinstance(name, str) or name not in allowed:
            hint = (" (the filling gamma of each mode comes from the data column 'filling')" if name == "filling"
                    else " (ell and helicity are static fields of the beam; ell comes from the data)"
                    if name in ("ell", "helicity") else "")
            raise ValueError(f"{kind} parameter {name!r} is not a beam or sphere parameter; allowed: "
                             f"{', '.join(allowed)}{hint}")


def _beam_value(beam, name):
    return getattr(beam, name)


def _theta_rows(values, beam, n_sphere, n_beads, where):
    """(n_beads, len(_COLS)) parameter rows from a dict of values (scalars or per-bead sequences), the beam and
    n_sphere; entries may be traced."""
    rows = []
    for b in range(n_beads):
        row = []
        for col in _COLS:
            if col == "n_sphere_imag":
                v = jnp.imag(jnp.asarray(n_sphere, jnp.complex128))
            elif col in values:
                v = values[col]
                if isinstance(v, (list, tuple)):
                    if len(v) != n_beads:
                        raise ValueError(f"{where} {col!r}: {len(v)} per-bead values for {n_beads} beads")
                    v = v[b]
                v = jnp.real(jnp.asarray(v)) if col == "n_sphere" else v
            elif col == "n_sphere":
                v = jnp.real(jnp.asarray(n_sphere, jnp.complex128))
            elif col == "radius":
                raise ValueError(f"{where} must give 'radius' (the sphere radius R [m])")
            else:
                v = _beam_value(beam, col)
            row.append(jnp.asarray(v, jnp.float64))
        rows.append(jnp.stack(row))
    return jnp.stack(rows)


def _concrete_max(values, beam, name, extra=()):
    vals = [values[name]] if name in values else [_beam_value(beam, name)]
    vals = list(vals) + list(extra)
    flat = []
    for v in vals:
        if isinstance(v, (list, tuple)):
            flat.extend(v)
        else:
            flat.append(v)
    if not _checks.is_concrete(flat):
        return None
    return float(np.max(np.abs(np.asarray(flat, dtype=float))))


def _settings(design, beam, values, bound_max, *, l_max, n_quad, s_max, n_grid, n_newton, z_bracket,
              axisymmetric, diff_cols=None):
    """Static sizes (l_max, n_quad, s_max) from concrete upper bounds of the parameters; the explicit ones win.
    diff_cols: indices into _COLS of the parameters that may carry derivatives (default: all)."""
    def upper(name):
        return _concrete_max(values, beam, name, bound_max.get(name, ()))

    need = []
    wavelength, n_medium, radius = upper("wavelength"), upper("n_medium"), upper("radius")
    if l_max is None:
        if None in (wavelength, n_medium, radius):
            need.append("l_max")
        else:
            x = 2.0 * math.pi * n_medium * radius / wavelength
            from jaxem.mie import resolve_lmax
            l_max = resolve_lmax(x, name="radius")
    l_max = _checks.check_int("l_max", l_max, minimum=1) if l_max is not None else None
    if z_bracket is not None:
        _checks.check_finite("z_bracket", z_bracket)
        zb = np.asarray(z_bracket, dtype=float)
        if zb.shape != (2,) or not zb[1] > zb[0]:
            raise ValueError(f"z_bracket must be (z_lo, z_hi) [m] with z_hi > z_lo, got {z_bracket!r}")
        z_bracket = (float(zb[0]), float(zb[1]))
    gam = design.slot_gam
    rho = design.slot_rho
    if n_quad is None:
        concrete = [upper(n) for n in ("wavelength", "numerical_aperture", "n_immersion", "n_medium",
                                       "interface_distance")]
        if None in concrete or l_max is None or not _checks.is_concrete((gam, rho)):
            need.append("n_quad")
        else:
            lam, na, n_s, n_w, big_l = concrete
            z_ext = 3.0 * lam if z_bracket is None else max(abs(z_bracket[0]), abs(z_bracket[1]))
            probe = FocusedBeam(lam, na, n_s, n_w, float(np.max(gam)), ell=design.ell_max, helicity=beam.helicity,
                                interface_distance=big_l, interface=beam.interface)
            n_quad = quadrature_order(probe, l_max + 1, z=z_ext, rho=float(np.max(rho)))
    n_quad = _checks.check_int("n_quad", n_quad, minimum=2) if n_quad is not None else None
    if s_max is None:
        if axisymmetric:
            s_max = 0
        else:
            a_max = upper("astigmatism")
            if a_max is None:
                need.append("s_max")
            else:
                probe = eqx.tree_at(lambda b: b.astigmatism, beam, np.float64(a_max))
                s_max = _astig_order(probe, None)
    s_max = _checks.check_int("s_max", s_max, minimum=0) if s_max is not None else None
    if need:
        raise ValueError(f"{', '.join(need)} must be given explicitly when the parameters they depend on are "
                         "traced (jit/vmap/grad); e.g. l_max=jaxem.optics.default_lmax(beam, radius_max)")
    n_grid = _checks.check_int("n_grid", n_grid, minimum=2)
    n_newton = _checks.check_int("n_newton", n_newton, minimum=1)
    diff_cols = tuple(range(len(_COLS))) if diff_cols is None else tuple(sorted(set(int(c) for c in diff_cols)))
    return _Static(design.ell_max, beam.helicity, beam.interface, l_max, n_quad, s_max, n_grid,
                   n_newton, z_bracket, bool(axisymmetric), diff_cols)


def _traced_cols(values, beam, n_sphere):
    """Indices into _COLS of the parameters whose value (from ``values``, else the beam or n_sphere) is traced.

    A concrete value carries no derivative: the model holds it constant (lax.stop_gradient), so that autodiff
    does not differentiate the parts of the solve that depend only on the fixed optics (the nodes, Wigner d,
    Bessel tables, pupil amplitude)."""
    cols = []
    for i, col in enumerate(_COLS):
        if col in values:
            v = values[col]
        elif col in ("n_sphere", "n_sphere_imag"):
            v = n_sphere
        else:
            v = _beam_value(beam, col)
        if not _checks.is_concrete(v):
            cols.append(i)
    return tuple(cols)


def _is_axisymmetric(values, beam, free):
    """True when the astigmatism is not fitted and is a concrete 0 everywhere (the cheaper solve applies)."""
    if "astigmatism" in free:
        return False
    a = values.get("astigmatism", beam.astigmatism)
    a = list(a) if isinstance(a, (list, tuple)) else [a]
    return _checks.is_concrete(a) and all(float(np.asarray(v)) == 0.0 for v in a)


def _arrays(design, data_list):
    alpha = jnp.concatenate([jnp.asarray(d["alpha"], jnp.float64) for d in data_list], axis=-1)
    err = jnp.concatenate([jnp.asarray(d["alpha_err"], jnp.float64) for d in data_list], axis=-1)
    return (design.slot_bead, design.slot_ell, jnp.asarray(design.slot_rho, jnp.float64),
            jnp.asarray(design.slot_gam, jnp.float64), design.entry_slot, alpha, err)


def rotation_angle_chi2(params, data, beam, n_sphere, *, normalization="modes", l_max=None, n_quad=None,
                        s_max=None, n_grid=48, n_newton=8, z_bracket=None):
    """chi^2 of measured against computed rotation angles, Eq. (7.2) (one jitted, differentiable call).

    chi^2 = (1/N) sum_ell (1/M_ell) sum_r ((alpha(ell) - alpha_exp(ell, r))/dalpha_exp(ell, r))^2, N = number of
    modes, M_ell = rounds of mode ell; alpha(ell) is :func:`jaxem.optics.equilibria.rotation_angle` of the sphere
    at the entry's rho_eq, with the beam's ell and filling replaced by the entry's.
    Arguments:
        params: dict of parameter values (any of :data:`PARAMETERS`; ``radius`` [m] required; the others default
            to the beam's fields and n_sphere). Values may be traced: jax.grad/jax.hessian/jax.jacfwd in any
            of them work (implicit-function-theorem derivatives of the equilibrium solves).
        data: dict of equal-length arrays ell, alpha [rad], alpha_err [rad], rho_eq [m], filling (see
            :func:`load_rotation_data`); ell concrete (its largest |ell| bounds the traced charge; rounds sharing
            rho_eq and filling share a solve), alpha and alpha_err may be traced (vmap over data sets).
        beam: :class:`jaxem.optics.FocusedBeam` supplying the fixed optics (helicity, interface switch).
        n_sphere: refractive index of the sphere (complex allowed).
        normalization: "modes" (Eq. (7.2)) or "sum" (plain sum over all entries, the Gaussian chi^2).
        l_max, n_quad, s_max: static sizes (default: Wiscombe's rule at the radius, the quadrature rule of
            :func:`jaxem.optics.quadrature_order` over the axial window, the astigmatism cut; required when the
            parameters they depend on are traced).
        n_grid, n_newton, z_bracket: axial search of :func:`jaxem.optics.equilibria.rotation_angle`.
    Returns:
        float64 scalar chi^2 (NaN if a mode has no axial trap). ValueError naming a missing or malformed column,
        a parameter that is not a beam or sphere parameter, or a bad setting, before tracing.
    Source:
        T. Schoger, Dissertation, Universität Augsburg (2024), Eq. (7.2) (loss) and Eq. (6.3) (rotation angle).
    """
    _checks.check_choice("normalization", normalization, _NORMALIZATIONS)
    if not hasattr(params, "keys"):
        raise ValueError(f"params must be a dict of parameter values, got {type(params).__name__}")
    _check_names("params:", list(params))
    data = _check_data(data)
    design = _design([data])
    theta = _theta_rows(dict(params), beam, n_sphere, 1, "params")
    st = _settings(design, beam, dict(params), {}, l_max=l_max, n_quad=n_quad, s_max=s_max, n_grid=n_grid,
                   n_newton=n_newton, z_bracket=z_bracket, axisymmetric=_is_axisymmetric(params, beam, ()),
                   diff_cols=_traced_cols(dict(params), beam, n_sphere))
    weight = design.weight72 if normalization == "modes" else np.ones_like(design.weight72)
    return _chi2_jit(theta, _arrays(design, [data]), jnp.asarray(weight), st=st)


def model_rotation_angles(params, data, beam, n_sphere, *, l_max=None, n_quad=None, s_max=None, n_grid=48,
                          n_newton=8, z_bracket=None):
    """Model rotation angles alpha [rad] for every entry of a data dict (the alpha(ell) of Eq. (7.2)), one jitted call.

    Arguments:
        params, beam, n_sphere, l_max, n_quad, s_max, n_grid, n_newton, z_bracket: as in
            :func:`rotation_angle_chi2`.
        data: dict with at least ell, rho_eq [m], filling (equal lengths; alpha and alpha_err are not needed).
    Returns:
        float64 array (n,): :func:`jaxem.optics.equilibria.rotation_angle` of each entry's mode (ell, filling) at
        its rho_eq (NaN where the mode has no axial trap); rounds sharing (ell, rho_eq, filling) share one solve.
        Synthetic data for tests and plots of fitted alpha(ell).
    Source:
        T. Schoger, Dissertation, Universität Augsburg (2024), Eq. (6.3) and Sec. 7.2.
    """
    if not hasattr(params, "keys"):
        raise ValueError(f"params must be a dict of parameter values, got {type(params).__name__}")
    _check_names("params:", list(params))
    data = _check_data(data, measured=False)
    design = _design([data])
    theta = _theta_rows(dict(params), beam, n_sphere, 1, "params")
    st = _settings(design, beam, dict(params), {}, l_max=l_max, n_quad=n_quad, s_max=s_max, n_grid=n_grid,
                   n_newton=n_newton, z_bracket=z_bracket, axisymmetric=_is_axisymmetric(params, beam, ()),
                   diff_cols=_traced_cols(dict(params), beam, n_sphere))
    return _entry_alphas_jit(theta, design.slot_bead, design.slot_ell, jnp.asarray(design.slot_rho, jnp.float64),
                             jnp.asarray(design.slot_gam, jnp.float64), design.entry_slot, st=st)


# ---------------------------------------------------------------------------------------------
# fits

class BeadFit(NamedTuple):
    """Result of :func:`fit_bead` / :func:`fit_beads` (fields with a leading batch axis for batched data).

    Attributes:
        names: free parameter names (joint fits: per-bead parameters as "radius[0]", "radius[1]", ...).
        values, errors: dicts name -> best value and standard error (SI units, rad, waves).
        covariance, correlation: (k, k) arrays in the order of ``names``; covariance = inverse Hessian of
            chi^2_sum/2 (autodiff) for normalization "sum", the sandwich H^-1 J^T W^2 J H^-1 for "modes".
        chi2: chi^2 of Eq. (7.2) at the best fit (tuple per bead for joint fits, as the dissertation's tables).
        chi2_sum: sum over all entries of ((alpha - alpha_exp)/dalpha)^2 at the best fit.
        dof: number of entries minus number of free parameters; reduced_chi2 = chi2_sum/dof.
        alternatives: per bead, the local minima of the radius scan within delta_chi2 (of chi^2_sum) of the best,
            as dicts (radius [m], chi2_sum, delta_chi2), the best first; the other parameters at their start
            values (profile of the scan, not re-polished).
        scan: dict of the grid scan (None without scan): radius_solved (n_scan,) [m] where alpha was solved,
            radius (fine grid) [m] and chi2_sum (n_fine,) ((n_beads, n_fine) for joint fits) from cubic splines
            of alpha(R).
        alpha_fit: model angles [rad] per entry at the best fit (concatenated over beads).
        model: "MD" (no aberration), "MDSA" (coverslip distance L > 0 or fitted, no astigmatism) or "MDSA+".
        converged, steps: optimiser status (optimistix Levenberg-Marquardt) and number of steps; converged is
            False (per data set, batched fits) also when a model angle is NaN at the result.
    Source: no formula (container); T. Schoger, Dissertation, Universität Augsburg (2024), Tables 7.1-7.3.
    """

    names: tuple
    values: dict
    errors: dict
    covariance: Any
    correlation: Any
    chi2: Any
    chi2_sum: Any
    reduced_chi2: Any
    dof: int
    alternatives: Any
    scan: Any
    alpha_fit: Any
    model: str
    converged: Any
    steps: Any


class _FreeMap(NamedTuple):
    rows: tuple      # bead index of each set entry
    cols: tuple      # column (_COLS) of each set entry
    kidx: tuple      # free-vector index of each set entry


def _as_list(v, n_beads, where, name):
    if isinstance(v, (list, tuple)):
        if len(v) != n_beads:
            raise ValueError(f"{where} {name!r}: {len(v)} per-bead values for {n_beads} beads")
        return [float(x) for x in v]
    return [float(v)] * n_beads


def _default_bounds(name, x0, beam):
    lam = float(np.asarray(beam.wavelength))
    if name == "radius":
        return 0.95 * x0, 1.05 * x0
    if name == "interface_distance":
        return 0.0, max(2.0 * x0, 5.0 * lam)
    if name == "astigmatism":
        return -0.5, 0.5
    if name == "astigmatism_angle":
        return x0 - 0.5 * math.pi, x0 + 0.5 * math.pi
    return (0.9 * x0, 1.1 * x0) if x0 > 0 else (x0 - 0.1, x0 + 0.1)


def _setup(datas, beam, n_sphere, free, shared, start, bounds):
    """Validation and the static layout of a (joint) fit, all before tracing."""
    if not isinstance(beam, FocusedBeam):
        raise ValueError(f"beam must be a jaxem.optics.FocusedBeam, got {type(beam).__name__}")
    _checks.check_finite("n_sphere", n_sphere)
    if isinstance(free, str):
        free = (free,)
    free = tuple(free)
    if not free:
        raise ValueError("free must name at least one parameter")
    _check_names("free", free)
    if len(set(free)) != len(free):
        raise ValueError(f"free lists a parameter twice: {free}")
    if not beam.interface:
        for name in ("interface_distance", "n_immersion"):
            if name in free:
                raise ValueError(f"free parameter {name!r} has no effect without the coverslip (beam.interface is "
                                 "False)")
    shared = tuple(shared)
    _check_names("shared", shared)
    for name in shared:
        if name not in free:
            raise ValueError(f"shared parameter {name!r} is not free (fixed parameters are shared anyway)")
    start = dict(start or {})
    _check_names("start", list(start))
    bounds = dict(bounds or {})
    _check_names("bounds", list(bounds))
    for name in bounds:
        if name not in free:
            raise ValueError(f"bounds given for {name!r}, which is not free")
    if "radius" not in start:
        raise ValueError("start must give 'radius' (the sphere radius R [m], e.g. the nominal radius)")
    n_beads = len(datas)
    datas = [_check_data(d, f"data[{b}]" if n_beads > 1 else "data") for b, d in enumerate(datas)]
    for name, v in start.items():
        vals = v if isinstance(v, (list, tuple)) else [v]
        if not _checks.is_concrete(vals):
            raise ValueError(f"start {name!r} must be concrete")
        _checks.check_finite(f"start {name!r}", np.asarray(vals, dtype=complex if name == "n_sphere" else float))
    _checks.check_positive("start 'radius'", np.asarray(start["radius"], float))
    # free vector layout: shared parameters once, the others once per bead
    names, lo, hi, x0, rows, cols, kidx = [], [], [], [], [], [], []
    for name in free:
        if name in start:
            vals = _as_list(np.real(start[name]) if name == "n_sphere" else start[name], n_beads, "start", name)
        elif name == "n_sphere":
            vals = [float(np.real(n_sphere))] * n_beads
        else:
            vals = [float(np.asarray(_beam_value(beam, name)))] * n_beads
        per = [0] if name in shared or n_beads == 1 else list(range(n_beads))
        for b in per:
            k = len(names)
            label = name if (name in shared or n_beads == 1) else f"{name}[{b}]"
            v0 = vals[b]
            if name in bounds:
                pair = bounds[name]
                try:
                    b_lo, b_hi = (float(pair[0]), float(pair[1]))
                except (TypeError, ValueError, IndexError):
                    raise ValueError(f"bounds {name!r} must be a pair (lo, hi), got {pair!r}") from None
            else:
                b_lo, b_hi = _default_bounds(name, v0, beam)
            if not (math.isfinite(b_lo) and math.isfinite(b_hi) and b_lo < b_hi):
                raise ValueError(f"bounds {name!r} must be finite with lo < hi, got {(b_lo, b_hi)!r}")
            if not b_lo < v0 < b_hi:
                raise ValueError(f"start {label!r} = {v0!r} is not strictly inside its bounds ({b_lo!r}, {b_hi!r})")
            if name in ("radius", "wavelength", "numerical_aperture", "n_immersion", "n_medium") and b_lo <= 0:
                raise ValueError(f"bounds {name!r} must be > 0, got {(b_lo, b_hi)!r}")
            if name == "interface_distance" and b_lo < 0:
                raise ValueError(f"bounds 'interface_distance' must be >= 0, got {(b_lo, b_hi)!r}")
            names.append(label)
            lo.append(b_lo)
            hi.append(b_hi)
            x0.append(v0)
            for bb in (range(n_beads) if name in shared else [b]):
                rows.append(bb)
                cols.append(_INDEX[name])
                kidx.append(k)
    fmap = _FreeMap(tuple(rows), tuple(cols), tuple(kidx))
    fixed = {k: v for k, v in start.items()}
    base = np.asarray(_theta_rows(fixed, beam, n_sphere, n_beads, "start"))
    bound_max = {}
    for name, l_, h_ in zip(names, lo, hi):
        key = name.split("[")[0]
        bound_max.setdefault(key, []).extend([l_, h_])
    return datas, names, np.asarray(lo), np.asarray(hi), np.asarray(x0), fmap, base, fixed, bound_max


def _theta_of(x, base, fmap):
    rows, cols, kidx = (np.asarray(v, dtype=np.int64) for v in fmap)
    return jnp.asarray(base).at[rows, cols].set(x[kidx])


def _to_x(u, lo, hi):
    return lo + (hi - lo) * 0.5 * (1.0 + jnp.tanh(u))


def _to_u(x, lo, hi):
    return jnp.arctanh(2.0 * (x - lo) / (hi - lo) - 1.0)


def _scan_kernel(theta_grid, slot_bead, slot_ell, slot_rho, slot_gam, st):
    return jax.vmap(lambda th: _slot_alphas(th, slot_bead, slot_ell, slot_rho, slot_gam, st))(theta_grid)


_scan_jit = jax.jit(_scan_kernel, static_argnames=("st",))


def _lm_kernel(u0, base, lo, hi, arrays, sqrt_w, st, fmap, rtol, atol, max_steps):
    import optimistix as optx

    def fn(u, _):
        r = _residuals(_theta_of(_to_x(u, lo, hi), base, fmap), arrays, st)
        # a mode without a converged angle (NaN) is a penalty: the trial step is rejected, never accepted
        return sqrt_w * jnp.where(jnp.isfinite(r), r, _NO_SOLUTION_PENALTY)

    sol = optx.least_squares(fn, optx.LevenbergMarquardt(rtol=rtol, atol=atol), u0, max_steps=max_steps,
                             throw=False)
    return sol.value, sol.result == optx.RESULTS.successful, sol.stats["num_steps"]


def _curvature_kernel(x, scale, base, arrays, weight, st, fmap, sandwich):
    """Covariance of the free parameters at x from the autodiff Hessian (scaled coordinates z = x/scale)."""
    def res(z):
        return _residuals(_theta_of(z * scale, base, fmap), arrays, st)

    def objective(z):
        r = res(z)
        return jnp.sum(weight * r * r)

    z = x / scale
    half_h = 0.5 * jax.jacfwd(jax.jacfwd(objective))(z)   # forward over forward: k is small
    inv = jnp.linalg.inv(half_h)
    if sandwich:
        jac = jax.jacfwd(res)(z)
        wj = weight[:, None] * jac
        inv = inv @ (wj.T @ wj) @ inv
    r = res(z)
    return inv * scale[:, None] * scale[None, :], r


@functools.partial(jax.jit, static_argnames=("st", "fmap", "rtol", "atol", "max_steps"))
def _lm_single(u0, base, lo, hi, arrays, sqrt_w, st, fmap, rtol, atol, max_steps):
    return _lm_kernel(u0, base, lo, hi, arrays, sqrt_w, st, fmap, rtol, atol, max_steps)


@functools.partial(jax.jit, static_argnames=("st", "fmap", "rtol", "atol", "max_steps", "err_batched"))
def _lm_batch(u0, base, lo, hi, arrays, sqrt_w, st, fmap, rtol, atol, max_steps, err_batched):
    def one(u, al, er):
        return _lm_kernel(u, base, lo, hi, arrays[:-2] + (al, er), sqrt_w, st, fmap, rtol, atol, max_steps)
    return jax.vmap(one, in_axes=(0, 0, 0 if err_batched else None))(u0, arrays[-2], arrays[-1])


@functools.partial(jax.jit, static_argnames=("st", "fmap", "sandwich"))
def _curv_single(x, scale, base, arrays, weight, st, fmap, sandwich):
    return _curvature_kernel(x, scale, base, arrays, weight, st, fmap, sandwich)


@functools.partial(jax.jit, static_argnames=("st", "fmap", "sandwich", "err_batched"))
def _curv_batch(x, scale, base, arrays, weight, st, fmap, sandwich, err_batched):
    def one(xx, al, er):
        return _curvature_kernel(xx, scale, base, arrays[:-2] + (al, er), weight, st, fmap, sandwich)
    return jax.vmap(one, in_axes=(0, 0, 0 if err_batched else None))(x, arrays[-2], arrays[-1])


_SCAN_REFINE = 16
# whitened residual that stands for a NaN model angle inside the optimiser (1e6 sigma: any such step is rejected)
_NO_SOLUTION_PENALTY = 1e6


def _refined_grid(grid, factor):
    """The scan grid with ``factor`` - 1 points inserted in every cell."""
    t = np.arange((grid.size - 1) * factor + 1) / factor
    return np.interp(t, np.arange(grid.size), grid)


def _interpolate_columns(grid, values, fine):
    """Cubic-spline interpolation of each column of values (n_grid, m) from grid to fine; a column with NaN
    (no trap at some radii) is interpolated linearly, NaN next to the missing points."""
    from scipy.interpolate import CubicSpline

    out = np.empty((fine.size, values.shape[1]))
    for j in range(values.shape[1]):
        col = values[:, j]
        if np.all(np.isfinite(col)):
            out[:, j] = CubicSpline(grid, col)(fine)
        else:
            out[:, j] = np.interp(fine, grid, col)
    return out


def _local_minima(grid, prof, delta):
    """Local minima of a sampled profile (parabolic vertex), those within delta of the best, best first."""
    n = prof.size
    good = np.isfinite(prof)
    if not np.any(good):
        return []
    out = []
    for i in range(n):
        if not good[i]:
            continue
        left = prof[i - 1] if i > 0 and good[i - 1] else np.inf
        right = prof[i + 1] if i < n - 1 and good[i + 1] else np.inf
        if not (prof[i] < left and prof[i] <= right):
            continue
        r, v = grid[i], prof[i]
        if 0 < i < n - 1 and np.isfinite(left) and np.isfinite(right):
            den = left - 2 * prof[i] + right
            if den > 0:
                t = 0.5 * (left - right) / den
                r = grid[i] + t * (grid[1] - grid[0])
                v = prof[i] - 0.25 * (left - right) * t
        out.append((float(r), float(v), i in (0, n - 1)))
    best = min(v for _, v, _ in out)
    out = [(r, v, edge) for r, v, edge in out if v - best <= delta]
    return sorted(out, key=lambda t: t[1])


def _model_name(values, beam, free):
    if not _is_axisymmetric(values, beam, free):
        return "MDSA+"
    big_l = values.get("interface_distance", beam.interface_distance)
    big_l = big_l if isinstance(big_l, (list, tuple)) else [big_l]
    if beam.interface and ("interface_distance" in free or any(float(v) > 0 for v in big_l)):
        return "MDSA"
    return "MD"


def fit_beads(datas, beam, n_sphere, free=("radius",), shared=(), start=None, bounds=None, *,
              normalization="sum", scan=True, n_scan=None, delta_chi2=1.0, max_steps=100, rtol=1e-10,
              atol=1e-12, l_max=None, n_quad=None, s_max=None, n_grid=48, n_newton=8,
              z_bracket=None) -> BeadFit:
    """Joint fit of the rotation angles of several beads with some parameters shared (e.g. the astigmatism).

    Each bead b has its own data and its own value of every free parameter not in ``shared``; shared parameters
    (properties of the optics, e.g. A_ast and phi_ast) are one value for all. Minimised: the sum over beads of
    the chi^2 of each (``normalization``). Procedure: (1) a grid scan of chi^2 over the radius (each bead's
    radius on the same grid, the other parameters at their start values; one vmapped call); (2) a
    Levenberg-Marquardt polish (optimistix) of all free parameters from the best grid radius of each bead; (3)
    the covariance from the exact autodiff Hessian at the optimum. Bounds are enforced by the smooth
    reparametrisation x = lo + (hi - lo)(1 + tanh u)/2 (the optimiser works in u; an optimum on a bound is
    approached asymptotically and its error is then not meaningful).
    Arguments:
        datas: sequence of data dicts (one per bead; see :func:`load_rotation_data`). A leading batch axis on
            ``alpha`` (and optionally ``alpha_err``) of every bead fits that many data sets with the same design
            in one vmapped call (results with a leading batch axis).
        beam: :class:`jaxem.optics.FocusedBeam`: fixed optics; its ell and filling are replaced per entry.
        n_sphere: refractive index of the spheres (complex allowed; a fitted ``n_sphere`` is its real part).
        free: names of the fitted parameters (:data:`PARAMETERS`).
        shared: free parameters with one value for all beads.
        start: dict name -> start value (scalar, or one per bead); ``radius`` is required; it also sets the
            values of fixed parameters (default: the beam's fields and n_sphere).
        bounds: dict name -> (lo, hi) for free parameters; default radius start +- 5 % (the dissertation's
            nominal +- 2 sigma), L in (0, max(2 L0, 5 lambda0)), A_ast in (-0.5, 0.5) waves, phi_ast start +- pi/2,
            others start +- 10 %. The start must lie strictly inside. The radius bounds are the scan range.
        normalization: "sum" (default: chi^2_sum, the Gaussian likelihood) or "modes" (Eq. (7.2) per bead, as the
            dissertation minimised; the covariance is then the sandwich estimator).
        scan: False skips the grid scan (polish from the start radius).
        n_scan: number of radii at which alpha is solved in the scan (default: spacing <= lambda0/(48 n_w) ~ 1/10
            of the period of alpha(R), at least 16); chi^2 is then evaluated on a 16 times finer grid through
            cubic splines of alpha(R) per mode (the valleys of chi^2 are much narrower than the period).
        delta_chi2: window (in chi^2_sum) of the reported alternatives.
        max_steps, rtol, atol: optimistix Levenberg-Marquardt controls (in the reparametrised u).
        l_max, n_quad, s_max, n_grid, n_newton, z_bracket: see :func:`rotation_angle_chi2`.
    Returns:
        :class:`BeadFit`; per-bead labels "name[b]" for the non-shared free parameters; ``chi2`` is the tuple
        of each bead's Eq. (7.2) value. ValueError (before tracing) naming a parameter that is not a beam or
        sphere parameter, a start outside its bounds, a missing or malformed data column, unequal lengths,
        alpha_err <= 0. Modes whose rotation angle is NaN (no axial trap, or the self-consistent angle of
        :func:`jaxem.optics.rotation_angle` did not converge) are a penalty inside the optimiser (a step into
        them is rejected); if one is still NaN at the result, an unbatched fit raises RuntimeError naming those
        ell and a batched fit reports converged = False for that data set.
    Source:
        T. Schoger, Dissertation, Universität Augsburg (2024), Eq. (7.2), Sec. 7.2 and Tables 7.1-7.3 (MD/MDSA,
        MDSA+ and joint fits with shared A_ast, phi_ast); K. Levenberg, Q. Appl. Math. 2, 164 (1944),
        D. W. Marquardt, J. SIAM 11, 431 (1963) (optimiser, as implemented in optimistix).
    """
    _checks.check_choice("normalization", normalization, _NORMALIZATIONS)
    if isinstance(datas, dict) or not isinstance(datas, (list, tuple)) or not datas:
        raise ValueError("datas must be a non-empty list of data dicts (one per bead); use fit_bead for one bead")
    _checks.check_positive("delta_chi2", delta_chi2)
    max_steps = _checks.check_int("max_steps", max_steps, minimum=1)
    _checks.check_positive("rtol", rtol)
    _checks.check_positive("atol", atol)
    datas, names, lo, hi, x0, fmap, base, fixed, bound_max = _setup(datas, beam, n_sphere, free, shared, start,
                                                                    bounds)
    free = tuple(free) if not isinstance(free, str) else (free,)
    n_beads = len(datas)
    design = _design(datas)
    axisym = _is_axisymmetric(fixed, beam, free)
    st = _settings(design, beam, fixed, bound_max, l_max=l_max, n_quad=n_quad, s_max=s_max, n_grid=n_grid,
                   n_newton=n_newton, z_bracket=z_bracket, axisymmetric=axisym, diff_cols=fmap.cols)
    arrays = _arrays(design, datas)
    alpha, err = arrays[-2], arrays[-1]
    batched = jnp.ndim(alpha) == 2
    err_batched = jnp.ndim(err) == 2
    if batched != all(jnp.ndim(d["alpha"]) == 2 for d in datas):
        raise ValueError("either every bead's alpha carries the batch axis or none does")
    n_batch = int(jnp.shape(alpha)[0]) if batched else None
    n_entries = int(design.entry_slot.size)
    weight = design.weight72 if normalization == "modes" else np.ones(n_entries)
    sqrt_w = jnp.asarray(np.sqrt(weight))

    # (1) grid scan over the radius (every bead's radius on the same grid; beads are independent at fixed
    #     shared parameters)
    r_lo, r_hi = (float(np.min(lo[[i for i, nm in enumerate(names) if nm.split("[")[0] == "radius"]])),
                  float(np.max(hi[[i for i, nm in enumerate(names) if nm.split("[")[0] == "radius"]]))) \
        if "radius" in free else (None, None)
    scan_out, alternatives = None, None
    u0 = np.array(_to_u(jnp.asarray(x0), jnp.asarray(lo), jnp.asarray(hi)))
    if batched:
        u0 = np.broadcast_to(u0, (n_batch, u0.size)).copy()
    if scan and "radius" in free:
        lam = float(np.max(np.asarray(base[:, _INDEX["wavelength"]])))
        n_w = float(np.min(np.asarray(base[:, _INDEX["n_medium"]])))
        if n_scan is None:
            n_scan = max(16, int(math.ceil((r_hi - r_lo) / (lam / (48.0 * n_w)))) + 1)
        n_scan = _checks.check_int("n_scan", n_scan, minimum=3)
        # interior grid (the reparametrisation excludes the bounds themselves)
        grid = r_lo + (r_hi - r_lo) * (np.arange(n_scan) + 0.5) / n_scan
        theta_grid = np.repeat(base[None], n_scan, axis=0)
        theta_grid[:, :, _INDEX["radius"]] = grid[:, None]
        a_slots = np.asarray(_scan_jit(jnp.asarray(theta_grid), design.slot_bead, design.slot_ell, arrays[2],
                                       arrays[3], st=st))
        fine = _refined_grid(grid, _SCAN_REFINE)
        a_entries = _interpolate_columns(grid, a_slots, fine)[:, design.entry_slot]  # (n_fine, n)
        al = np.asarray(alpha).reshape(-1, n_entries)                              # (B or 1, n)
        er = np.asarray(err).reshape(-1, n_entries)
        r = (a_entries[None] - al[:, None, :]) / er[:, None, :]                    # (B, n_fine, n)
        r2 = r * r
        prof_sum = np.stack([np.sum(r2[..., design.entry_bead == b], axis=-1) for b in range(n_beads)], axis=1)
        prof_obj = np.stack([np.sum((weight * r2)[..., design.entry_bead == b], axis=-1) for b in range(n_beads)],
                            axis=1)                                                # (B, n_beads, n_fine)
        prof_sum = np.where(np.isfinite(prof_sum), prof_sum, np.inf)
        prof_obj = np.where(np.isfinite(prof_obj), prof_obj, np.inf)
        alternatives = []
        for i in range(prof_obj.shape[0]):
            per_bead = []
            for b in range(n_beads):
                j = int(np.argmin(prof_obj[i, b]))
                if not np.isfinite(prof_obj[i, b, j]):
                    raise ValueError(f"no radius in the scan range ({r_lo!r}, {r_hi!r}) gives a trapped bead for "
                                     f"every mode of bead {b} (chi^2 is NaN on the whole grid)")
                k = names.index("radius" if "radius" in shared or n_beads == 1 else f"radius[{b}]")
                u0[(i, k) if batched else k] = float(_to_u(fine[j], lo[k], hi[k]))
                mins = _local_minima(fine, prof_sum[i, b], delta_chi2)
                best = mins[0][1] if mins else np.nan
                per_bead.append(tuple({"radius": rr, "chi2_sum": v, "delta_chi2": v - best, "at_scan_edge": edge}
                                      for rr, v, edge in mins))
            alternatives.append(per_bead[0] if n_beads == 1 else tuple(per_bead))
        alternatives = alternatives if batched else alternatives[0]
        prof_sum = prof_sum[:, 0] if n_beads == 1 else prof_sum                    # (B, [n_beads,] n_fine)
        scan_out = {"radius": fine, "chi2_sum": prof_sum if batched else prof_sum[0], "radius_solved": grid}

    # (2) Levenberg-Marquardt polish
    lo_j, hi_j, base_j = jnp.asarray(lo), jnp.asarray(hi), jnp.asarray(base)
    common = dict(st=st, fmap=fmap, rtol=float(rtol), atol=float(atol), max_steps=max_steps)
    if batched:
        u, ok, steps = _lm_batch(jnp.asarray(u0), base_j, lo_j, hi_j, arrays, sqrt_w, err_batched=err_batched,
                                 **common)
    else:
        u, ok, steps = _lm_single(jnp.asarray(u0), base_j, lo_j, hi_j, arrays, sqrt_w, **common)
    x = _to_x(u, lo_j, hi_j)

    # (3) covariance from the autodiff Hessian (scaled coordinates)
    scale = jnp.asarray(hi - lo)
    w_j = jnp.asarray(weight)
    if batched:
        cov, res = _curv_batch(x, scale, base_j, arrays, w_j, st=st, fmap=fmap, sandwich=normalization == "modes",
                               err_batched=err_batched)
    else:
        cov, res = _curv_single(x, scale, base_j, arrays, w_j, st=st, fmap=fmap, sandwich=normalization == "modes")
    x, cov, res = np.asarray(x), np.asarray(cov), np.asarray(res)
    ok = np.asarray(ok) & np.all(np.isfinite(res), axis=-1)
    if not batched and not np.all(np.isfinite(res)):
        bad = sorted({int(e) for e in np.concatenate([d["ell"] for d in datas])[~np.isfinite(res)]})
        raise RuntimeError(f"fit: no converged rotation angle for ell = {bad} at the optimiser's last point "
                           f"({', '.join(f'{n} = {float(v):.6g}' for n, v in zip(names, x))}); those modes have no "
                           "axial trap or no self-consistent angle there (rotation_angle is NaN): remove them or "
                           "narrow the bounds")
    sig = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    corr = cov / (sig[..., :, None] * sig[..., None, :])
    r2 = res * res
    chi2_sum = np.sum(r2, axis=-1)
    chi2_72 = tuple(np.sum((design.weight72 * r2)[..., design.entry_bead == b], axis=-1) for b in range(n_beads))
    alpha_fit = res * np.asarray(err) + np.asarray(alpha)
    dof = n_entries - len(names)
    values = {nm: x[..., k] for k, nm in enumerate(names)}
    errors = {nm: sig[..., k] for k, nm in enumerate(names)}
    if not batched:
        values = {k: float(v) for k, v in values.items()}
        errors = {k: float(v) for k, v in errors.items()}
        chi2_72 = tuple(float(c) for c in chi2_72)
        chi2_sum = float(chi2_sum)
    return BeadFit(tuple(names), values, errors, cov, corr, chi2_72[0] if n_beads == 1 else chi2_72, chi2_sum,
                   chi2_sum / dof if dof > 0 else np.nan * chi2_sum, dof, alternatives, scan_out, alpha_fit,
                   _model_name(fixed, beam, free), ok if batched else bool(ok),
                   np.asarray(steps) if batched else int(steps))


def fit_bead(data, beam, n_sphere, free=("radius",), start=None, bounds=None, **kwargs) -> BeadFit:
    """Fit the radius (and optionally the aberrations) of one bead to its measured rotation angles.

    MD fit: ``free=("radius",)`` with a beam without aberration (interface_distance = 0, astigmatism = 0);
    MDSA+ fit: ``free=("radius", "interface_distance", "astigmatism", "astigmatism_angle")`` (Tables 7.1, 7.2).
    Grid scan over R, Levenberg-Marquardt polish, autodiff covariance: see :func:`fit_beads`.
    Arguments:
        data: data dict (see :func:`load_rotation_data`); ``alpha`` may carry a leading batch axis (that many
            data sets fitted in one vmapped call).
        beam: :class:`jaxem.optics.FocusedBeam` with the fixed optics (ell and filling come from the data).
        n_sphere: refractive index of the sphere (complex allowed).
        free: fitted parameter names (:data:`PARAMETERS`).
        start: dict name -> start value; ``radius`` [m] required; also sets fixed parameters.
        bounds: dict name -> (lo, hi) (defaults in :func:`fit_beads`).
        **kwargs: keyword arguments of :func:`fit_beads` (normalization, scan, n_scan, delta_chi2, max_steps,
            rtol, atol, l_max, n_quad, s_max, n_grid, n_newton, z_bracket).
    Returns:
        :class:`BeadFit` (values, errors, covariance = inverse Hessian of chi^2_sum/2, correlation, chi2 of
        Eq. (7.2), chi2_sum, reduced_chi2, dof, alternatives from the radius scan, ...).
    Source:
        T. Schoger, Dissertation, Universität Augsburg (2024), Eq. (7.2), Sec. 7.2, Tables 7.1 and 7.2.
    """
    if "shared" in kwargs:
        raise ValueError("shared is an argument of fit_beads (joint fits of several beads)")
    return fit_beads([data], beam, n_sphere, free, (), start, bounds, **kwargs)


def fit_table(fits) -> str:
    """Markdown table of fits side by side (values +- errors, chi^2 of Eq. (7.2), reduced chi^2), as Tables 7.1/7.2.

    Arguments:
        fits: dict label -> :class:`BeadFit` (unbatched), e.g. {"MD": ..., "MDSA+": ...}.
    Returns:
        str: one row per fit, one column per parameter appearing in any fit (R and L in um, A_ast in waves,
        phi_ast in rad).
    Source: no formula (formatting; layout of T. Schoger, Dissertation, Universität Augsburg (2024),
        Tables 7.1-7.3).
    """
    cols = []
    for fit in fits.values():
        for nm in fit.names:
            if nm not in cols:
                cols.append(nm)

    def fmt(name, v, e):
        key = name.split("[")[0]
        s = _UNITS.get(key, 1.0)
        digits = max(1, min(8, 1 - int(math.floor(math.log10(e / s)))) if e > 0 and math.isfinite(e) else 4)
        return f"{v / s:.{digits}f} ± {e / s:.{digits}f}"

    head = ["fit"] + [f"{c} [µm]" if c.split("[")[0] in _UNITS else c for c in cols] + ["χ² (7.2)", "χ²/dof"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, fit in fits.items():
        cells = [label]
        for c in cols:
            cells.append(fmt(c, fit.values[c], fit.errors[c]) if c in fit.values else "—")
        chi = fit.chi2 if isinstance(fit.chi2, tuple) else (fit.chi2,)
        cells.append(", ".join(f"{float(c):.3g}" for c in chi))
        cells.append(f"{float(fit.reduced_chi2):.3g}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
