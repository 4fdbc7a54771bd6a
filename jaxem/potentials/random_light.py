"""Random-light induced pair (and many-body) potentials of electric + magnetic dipolar particles.

Source: A. Muster and L. S. Froufe-Pérez, "Pure many-body interactions in colloidal systems by artificial
random light fields", arXiv:2510.03503 (2025) (cited below as "Muster & Froufe-Pérez"); formalism of
G. Brügger et al., Nat. Commun. 6, 7460 (2015).

A particle pair in an isotropic random light field of spectral electric energy density u_E(omega) feels
U(r) = int u_E(omega) V(r, omega) d omega (Muster & Froufe-Pérez Eq. (1)), with the single-frequency volume
function

    V(r, omega) = (2 pi / k^3) Im ln det[1_6 - k^4 G(r1, r2) alpha G(r2, r1) alpha]

(their Eq. (2), corrected: the printed "Im Tr[1 - ...]" is only the Born term; their App. B, Eq. (15), is the
log det, and only the log det reduces to the scattering-theory free energy for a thermal spectrum). G is the
6x6 electromagnetic Green tensor (jaxem.green.green_tensor_em) and alpha = diag(alpha_e 1_3, alpha_m 1_3) in
volume units [m^3].

Reduced units (Muster & Froufe-Pérez Eq. (4)): lengths in lambda0 (the host-medium wavelength of the electric
resonance; the paper's quoted 1384 nm is a vacuum wavelength), frequencies in omega0_e; then
k lambda0 = 2 pi omega~ and every function below can be called with lambda0 = 1, returning V / lambda0^3.

Mie-derived polarizabilities of real spheres come from jaxem.mie.dipole_polarizabilities (alpha = 6 pi i a_1/k^3).

Public kernels are elementwise in (r, k, alpha_e, alpha_m) and broadcast, so a whole (distances x lines)
matrix is one call; they work under jit, vmap, grad.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import check_finite, check_int, check_positive, check_real, is_concrete
from ..green import green_tensor_em
from ..polarizabilities import _lorentz_unitarity, _reduced_lorentz, reduced_lorentz_polarizabilities

__all__ = [
    "random_light_potential",
    "random_light_potential_born",
    "random_light_pair_potential_logdet",
    "random_light_cluster_potential",
    "line_wavelengths",
    "pair_potential_matrix",
    "scattering_cross_sections",
]


def scattering_cross_sections(k, alpha_e, alpha_m):
    """Electric and magnetic dipole scattering cross sections (sigma_e, sigma_m) [m^2].

    sigma_d = k^4 |alpha_d|^2 / (6 pi); total = sigma_e + sigma_m.

    Arguments:
        k: host wavenumber [1/m].
        alpha_e, alpha_m: polarizabilities [m^3] (broadcast).
    Returns:
        (sigma_e, sigma_m) [m^2].

    Source: the dipole cross sections of Muster & Froufe-Pérez, Fig. 1 and the Mie-fit section.
    """
    check_positive("k", k)
    check_finite("alpha_e", alpha_e)
    check_finite("alpha_m", alpha_m)
    k = jnp.asarray(k, dtype=jnp.float64)
    pre = k**4 / (6.0 * jnp.pi)
    return pre * jnp.abs(alpha_e) ** 2, pre * jnp.abs(alpha_m) ** 2


# ---------------------------------------------------------------------------------------------------------
# Pair potential
# ---------------------------------------------------------------------------------------------------------
def _axial_green(x):
    """Axial eigenvalues k^-1 (G_Ex, G_Ez, G_M) of the 6x6 Green tensor at x = k r (Muster & Froufe-Pérez Eqs. (16)-(18))."""
    x = jnp.asarray(x, dtype=jnp.float64)
    g = jnp.exp(1j * x) / (4.0 * jnp.pi * x)
    gx = (1.0 + 1j / x - 1.0 / x**2) * g
    gz = (-2j / x + 2.0 / x**2) * g
    gm = (1j - 1.0 / x) * g
    return gx, gz, gm


def _v_logdet_axial(r, k, alpha_e, alpha_m):
    k = jnp.asarray(k, dtype=jnp.float64)
    gx, gz, gm = _axial_green(k * r)
    A = k**3 * alpha_e
    B = k**3 * alpha_m
    gx2, gz2, gm2 = gx**2, gz**2, gm**2
    # Longitudinal E_z, H_z decouple; the transverse 4x4 splits into two identical 2x2 blocks.
    # Principal-branch log of each factor (every arg stays < 0.39 rad on the paper's domain, checked in
    # tests/test_random_light.py).
    transverse = ((1.0 - A * (A * gx2 + B * gm2)) * (1.0 - B * (B * gx2 + A * gm2))
                  - A * B * (A - B) ** 2 * gx2 * gm2)
    im_log = (jnp.angle(1.0 - A**2 * gz2) + jnp.angle(1.0 - B**2 * gz2) + 2.0 * jnp.angle(transverse))
    return 2.0 * jnp.pi / k**3 * im_log


def _check_pair_args(r, k, alpha_e, alpha_m):
    check_positive("r", r)
    check_positive("k", k)
    check_finite("alpha_e", alpha_e)
    check_finite("alpha_m", alpha_m)


def random_light_potential(r, k, alpha_e, alpha_m):
    """Random-light pair interaction volume V(r, omega) [m^3] of two identical e+m dipoles at centre distance r.

    V = (2 pi/k^3) Im ln det[1 - k^4 G(r1,r2) alpha G(r2,r1) alpha], evaluated in the pair frame where the 6x6
    determinant factorises. The pair potential of a spectrum is U(r) = int u_E(omega) V(r, omega) d omega [J].

    Arguments:
        r: centre-to-centre distance [m] (> 0).
        k: host wavenumber n_h omega/c [1/m] (> 0).
        alpha_e, alpha_m: electric and magnetic polarizabilities in volume units [m^3] (complex),
            p = eps0 eps_h alpha_e E, m = alpha_m H. All broadcast (e.g. r[:, None] against k[None, :]).
    Returns:
        V [m^3], float64. With r in lambda0, k = 2 pi omega~ and alpha in lambda0^3 it returns V/lambda0^3.

    Source: Muster & Froufe-Pérez, Eq. (2) in its corrected log-det form (see the module docstring) and
    App. B, Eqs. (15)-(18) (the second label "G_Ex" after Eq. (15) is G_Ez).
    """
    _check_pair_args(r, k, alpha_e, alpha_m)
    return _v_logdet_axial(jnp.asarray(r, dtype=jnp.float64), k, alpha_e, alpha_m)


def random_light_potential_born(r, k, alpha_e, alpha_m):
    """Single-scattering (Born) approximation V_B = -(2 pi/k^3) Im Tr[k^4 G alpha G alpha] [m^3].

    This is what the printed Eq. (2) of Muster & Froufe-Pérez evaluates; the large-distance limit of
    random_light_potential (for comparison only).

    Arguments:
        r, k, alpha_e, alpha_m: as for :func:`random_light_potential`.
    Returns:
        V_B [m^3], float64.

    Source: Muster & Froufe-Pérez, Eq. (2) as printed.
    """
    _check_pair_args(r, k, alpha_e, alpha_m)
    k = jnp.asarray(k, dtype=jnp.float64)
    gx, gz, gm = _axial_green(k * jnp.asarray(r, dtype=jnp.float64))
    A = k**3 * alpha_e
    B = k**3 * alpha_m
    trace = (A**2 + B**2) * gz**2 + 2.0 * (A * (A * gx**2 + B * gm**2) + B * (B * gx**2 + A * gm**2))
    return -2.0 * jnp.pi / k**3 * jnp.imag(trace)


def _alpha6(alpha_e, alpha_m):
    return jnp.concatenate([jnp.full(3, alpha_e, dtype=jnp.complex128), jnp.full(3, alpha_m, dtype=jnp.complex128)])


def random_light_pair_potential_logdet(r1, r2, k, alpha_e, alpha_m):
    """V [m^3] of a pair at arbitrary positions r1, r2 from the 6x6 log det.

    Generic-geometry form of random_light_potential (same value; used to verify App. B): Im ln det taken as
    the phase of jnp.linalg.slogdet (principal branch, valid while the factor arguments sum below pi,
    which holds for r~ >= 0.5 on the paper's domain).

    Arguments:
        r1, r2: positions [m], shape (3,).
        k: host wavenumber [1/m].
        alpha_e, alpha_m: scalar polarizabilities [m^3].
    Returns:
        V [m^3], float64.

    Source: Muster & Froufe-Pérez, Eq. (2) in its corrected log-det form (the printed trace is the Born term).
    """
    check_real("r1", r1)
    check_real("r2", r2)
    check_positive("k", k)
    check_finite("alpha_e", alpha_e)
    check_finite("alpha_m", alpha_m)
    k = jnp.asarray(k, dtype=jnp.float64)
    al = _alpha6(alpha_e, alpha_m)
    g12 = green_tensor_em(r1, r2, k)
    g21 = green_tensor_em(r2, r1, k)
    m = jnp.eye(6) - k**4 * (g12 * al[None, :]) @ (g21 * al[None, :])
    sign, _ = jnp.linalg.slogdet(m)
    return 2.0 * jnp.pi / k**3 * jnp.angle(sign)


def random_light_cluster_potential(positions, k, alpha_e, alpha_m):
    """N-particle random-light interaction volumes (total, pair_sum, many_body) [m^3] at one frequency.

    total = (2 pi/k^3) Im ln det[1_{6N} - k^2 G_off alpha], G_off the 6N x 6N matrix of 6x6 Green tensors
    between distinct particles (zero diagonal blocks); for N = 2 this is exactly the pair V. pair_sum = sum over
    pairs of random_light_potential; many_body = total - pair_sum, the part that survives when the pair
    potential is cancelled by the spectrum. Principal-branch phase of slogdet: valid while the eigenvalue
    phases of the multiple-scattering operator sum below pi (dilute clusters; check against a continuous path
    for dense near-field clusters).

    Arguments:
        positions: particle centres [m], shape (N, 3), N >= 2, all distinct.
        k: host wavenumber [1/m].
        alpha_e, alpha_m: scalar polarizabilities [m^3] of the identical particles.
    Returns:
        (total, pair_sum, many_body) [m^3].

    Source: the N-particle extension of Muster & Froufe-Pérez, Eq. (2) (corrected log-det form), the many-body
    interaction their title refers to (derived here; checked in tests/test_random_light.py).
    """
    check_real("positions", positions)
    check_positive("k", k)
    check_finite("alpha_e", alpha_e)
    check_finite("alpha_m", alpha_m)
    if is_concrete(positions):
        p = np.asarray(positions, dtype=float)
        if p.ndim != 2 or p.shape[1] != 3 or p.shape[0] < 2:
            raise ValueError(f"positions must have shape (N, 3) with N >= 2, got {p.shape}")
        d = np.linalg.norm(p[:, None, :] - p[None, :, :], axis=-1)
        if np.any(d[~np.eye(len(p), dtype=bool)] <= 0):
            raise ValueError("positions must be distinct (two particles coincide)")
    positions = jnp.asarray(positions, dtype=jnp.float64)
    n = positions.shape[0]
    k = jnp.asarray(k, dtype=jnp.float64)
    al = _alpha6(alpha_e, alpha_m)
    eye_n = jnp.eye(n, dtype=bool)
    # Double-where: the diagonal blocks are zero; evaluate them at a harmless offset so no NaN reaches grad.
    offset = jnp.array([1.0, 0.0, 0.0]) / k
    pj = jnp.where(eye_n[:, :, None], positions[None, :, :] + offset, positions[None, :, :])
    pi = jnp.broadcast_to(positions[:, None, :], (n, n, 3))
    blocks = jax.vmap(jax.vmap(green_tensor_em, in_axes=(0, 0, None)), in_axes=(0, 0, None))(pi, pj, k)
    blocks = jnp.where(eye_n[:, :, None, None], 0.0, blocks)
    big = blocks.transpose(0, 2, 1, 3).reshape(6 * n, 6 * n)
    m = jnp.eye(6 * n) - k**2 * big * jnp.tile(al, n)[None, :]
    sign, _ = jnp.linalg.slogdet(m)
    total = 2.0 * jnp.pi / k**3 * jnp.angle(sign)
    iu, ju = np.triu_indices(n, 1)
    dist = jnp.sqrt(jnp.sum((positions[iu] - positions[ju]) ** 2, axis=-1))
    pair_sum = jnp.sum(_v_logdet_axial(dist, k, alpha_e, alpha_m))
    return total, pair_sum, total - pair_sum


# ---------------------------------------------------------------------------------------------------------
# The paper's line grid and the sampled matrix V_{ji} = V(r~_j, omega~_i)
# ---------------------------------------------------------------------------------------------------------
def _line_wavelengths(Q, delta, n_lines):
    lo = 1.0 / (1.0 + delta + 2.0 / Q)
    hi = 1.0 / jnp.maximum(1.0 - 2.0 / Q, 0.3)
    return lo + (hi - lo) * jnp.linspace(0.0, 1.0, n_lines)


def line_wavelengths(Q, delta, n_lines=200):
    """Reduced wavelengths lambda~_i = lambda_i/lambda0 of the paper's N_l spectral lines, shape (n_lines,).

    Evenly spaced in [(1 + delta + 2/Q)^-1, max(1 - 2/Q, 0.3)^-1]; the line frequencies are
    omega~_i = 1/lambda~_i.

    Arguments:
        Q: quality factor (> 0).
        delta: detuning (>= 0).
        n_lines: number of lines N_l (static int >= 1).
    Returns:
        lambda~ (dimensionless), shape (n_lines,).

    Source: Muster & Froufe-Pérez, text after Eq. (9).
    """
    check_positive("Q", Q)
    check_real("delta", delta)
    if is_concrete(delta) and np.any(np.asarray(delta) < 0):
        raise ValueError(f"delta must be >= 0, got {delta!r}")
    n_lines = check_int("n_lines", n_lines, minimum=1)
    return _line_wavelengths(jnp.asarray(Q, jnp.float64), jnp.asarray(delta, jnp.float64), n_lines)


def _check_distances(distances):
    check_finite("distances", distances)
    if is_concrete(distances):
        d = np.asarray(distances, dtype=float)
        if d.ndim != 1 or d.size == 0:
            raise ValueError(f"distances must be a non-empty 1-d array, got shape {d.shape}")
        if np.any(d <= 0):
            raise ValueError("distances must be > 0")
        if np.any(np.diff(d) <= 0):
            raise ValueError("distances must be strictly increasing (sorted distance window)")


def pair_potential_matrix(distances, omega_t, Q_e, Q_m, delta):
    """Sampled interaction volumes V_{ji} = V(r~_j, omega~_i)/lambda0^3 of Lorentzian e+m dipoles, shape (N_d, N_l).

    The matrix whose columns are weighted by the line spectrum: V_tot = V @ C.

    Arguments:
        distances: reduced centre distances r~ = r/lambda0, shape (N_d,), sorted.
        omega_t: reduced line frequencies omega~_i, shape (N_l,).
        Q_e, Q_m, delta: Lorentz parameters (scalars).
    Returns:
        V/lambda0^3 (dimensionless), shape (N_d, N_l).

    Source: Muster & Froufe-Pérez, Eqs. (7)-(9), with V from :func:`random_light_potential`.
    """
    _check_distances(distances)
    check_positive("omega_t", omega_t)
    alpha_e, alpha_m = reduced_lorentz_polarizabilities(omega_t, Q_e, Q_m, delta)
    r = jnp.asarray(distances, dtype=jnp.float64)[:, None]
    return _v_logdet_axial(r, 2.0 * jnp.pi * jnp.asarray(omega_t)[None, :], alpha_e[None, :], alpha_m[None, :])


def paper_pair_potential_matrix(Q, delta_Q, n_lines=200, n_distances=1000, r_min=0.5, r_max=3.0):
    """Pure kernel of the paper's design matrix at Q_e = Q_m = Q, delta = delta_Q/Q: (V, omega~), V shape (N_d, N_l).

    Unchecked and jittable in (Q, delta_Q) (sizes static): used by sweeps over the (Q, Delta Q) map.

    Arguments:
        Q, delta_Q: quality factor and detuning times Q (scalars, may be traced).
        n_lines, n_distances: grid sizes (static).
        r_min, r_max: reduced distance window.
    Returns:
        (V, omega~): V/lambda0^3 of shape (n_distances, n_lines) and the line frequencies.

    Source: Muster & Froufe-Pérez, Eqs. (7)-(9) and Fig. 2 (the line and distance grids of their text).
    """
    delta = delta_Q / Q
    omega_t = 1.0 / _line_wavelengths(Q, delta, n_lines)
    r = jnp.linspace(r_min, r_max, n_distances)[:, None]
    alpha_e, alpha_m = _reduced_lorentz(omega_t, Q, Q, delta)
    v = _v_logdet_axial(r, 2.0 * jnp.pi * omega_t[None, :], alpha_e[None, :], alpha_m[None, :])
    return v, omega_t


__all__.append("paper_pair_potential_matrix")


# ---------------------------------------------------------------------------------------------------------
# Lorentz model fitted to a Mie sphere (Muster & Froufe-Pérez Fig. 4a)
# ---------------------------------------------------------------------------------------------------------
def _lorentz_sigma_vacuum(params, wavelengths, n_host):
    """sigma_e, sigma_m [um^2] of the Lorentz model, resonances lambda_0e and lambda_0m = (1 + Delta) lambda_0e."""
    q_e, q_m, delta, lam_e = params[0], params[1], params[2], params[3]
    k = n_host * 2.0 * jnp.pi / wavelengths  # 1/um
    a_e = _lorentz_unitarity(lam_e / wavelengths, q_e)
    a_m = _lorentz_unitarity(lam_e * (1.0 + delta) / wavelengths, q_m)
    pre = 6.0 * jnp.pi / k**2
    return pre * jnp.abs(a_e) ** 2, pre * jnp.abs(a_m) ** 2


def fit_lorentz_to_mie(radius, eps_particle, eps_host, wavelengths, initial=(2.0, 5.0, 0.2, None)):
    """Lorentz parameters (Q_e, Q_m, Delta, lambda_0e) fitted to the Mie dipole cross sections of a sphere.

    Least squares of sigma_e^L, sigma_m^L against the Mie sigma_e = 6 pi |a_1|^2/k^2, sigma_m = 6 pi |b_1|^2/k^2
    (absolute, um^2) on the given vacuum wavelengths; free electric resonance lambda_0e and the magnetic
    resonance at the LOWER frequency, omega0_e = (1 + Delta) omega0_m (the convention that reproduces the
    paper's Delta = 0.2302). Host code (SciPy least_squares with the JAX Jacobian).

    Arguments:
        radius: sphere radius [m].
        eps_particle: relative permittivity of the sphere.
        eps_host: relative permittivity of the host (> 0).
        wavelengths: vacuum wavelengths [m], shape (N,).
        initial: starting (Q_e, Q_m, Delta, lambda_0e [m] or None for the Mie sigma_e peak).
    Returns:
        dict(Q_e, Q_m, Delta, lambda0_e [m, vacuum], lambda0_m, rms [um^2], delta_eq6 = omega0_m/omega0_e - 1,
        the detuning in reduced_lorentz_polarizabilities' convention, and the Mie/Lorentz cross sections on the grid).

    Source: the Mie fit of Muster & Froufe-Pérez (Fig. 4a), corrected: their Delta = 0.2302 is reproduced
    only with Eq. (6) read with e and m exchanged (the magnetic dipole is the lower-frequency resonance);
    checked in tests/test_random_light.py.
    """
    from scipy.optimize import least_squares

    from ..mie import dipole_polarizabilities

    check_positive("radius", radius)
    check_finite("eps_particle", eps_particle)
    check_positive("eps_host", eps_host)
    check_positive("wavelengths", wavelengths)
    lam = np.asarray(wavelengths, dtype=float)
    n_h = float(np.sqrt(eps_host))
    k = n_h * 2 * np.pi / lam
    ae, am = dipole_polarizabilities(k, radius, np.sqrt(complex(eps_particle) / eps_host))
    s_e, s_m = (np.asarray(s) * 1e12 for s in scattering_cross_sections(k, ae, am))
    lam_um = jnp.asarray(lam * 1e6)
    target = np.concatenate([s_e, s_m])

    def resid(p):
        se, sm = _lorentz_sigma_vacuum(p, lam_um, n_h)
        return jnp.concatenate([se, sm]) - target

    r_jit = jax.jit(resid)
    j_jit = jax.jit(jax.jacfwd(resid))
    lam0 = initial[3] if initial[3] is not None else lam[np.argmax(s_e)]
    p0 = np.array([initial[0], initial[1], initial[2], lam0 * 1e6])
    sol = least_squares(lambda p: np.asarray(r_jit(jnp.asarray(p))), p0,
                        jac=lambda p: np.asarray(j_jit(jnp.asarray(p))), x_scale="jac", xtol=1e-14, ftol=1e-14)
    q_e, q_m, delta, lam_e = sol.x
    se_l, sm_l = (np.asarray(s) for s in _lorentz_sigma_vacuum(jnp.asarray(sol.x), lam_um, n_h))
    return {"Q_e": float(q_e), "Q_m": float(q_m), "Delta": float(delta), "lambda0_e": float(lam_e * 1e-6),
            "lambda0_m": float(lam_e * (1 + delta) * 1e-6), "delta_eq6": float(1.0 / (1.0 + delta) - 1.0),
            "rms": float(np.sqrt(np.mean(sol.fun**2))), "sigma_e_mie": s_e, "sigma_m_mie": s_m,
            "sigma_e_lorentz": se_l, "sigma_m_lorentz": sm_l}


__all__.append("fit_lorentz_to_mie")
