"""Independent reference functions (oracles) of the test suite, written once: mpmath, scipy and NumPy.

Nothing here uses jaxem's kernels (the material classes are read for their parameters only).  Each mpmath
function sets its own working precision (``mp.workdps``), so that results do not depend on which test ran
before; the precision is the one the tests used when these functions lived in the test modules.

Contents:
    spherical and modified Bessel functions, Riccati-Bessel derivatives, Mie coefficients (mpmath, scipy);
    the sphere's boundary-value system (scattering.md §2.6.4) at real or imaginary frequency;
    the reflection coefficients at imaginary frequency in mpmath (scattering.md (4.11), (4.17));
    polylogarithms and the Clausen function on the unit circle, the sphere--plane triple round trip (E.18);
    the plane-wave static l-sums and plasma-sphere TE coefficients (casimir-spheres.md §2.4);
    log det(1 - M) at high precision; Lifshitz plane--plane energies (scipy quadrature);
    the Casimir--Polder energy at T = 0 (scipy); the polystyrene and water permittivity models as published.
"""
from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import scipy.integrate
import scipy.special
from scipy import constants as sc

# precision of mpmath's Bessel functions at large order / argument (the jaxem.special tables)
SPECIAL_KW = dict(maxprec=400000, maxterms=10**7)


# ---------------------------------------------------------------------------------------------------------
# spherical Bessel, Riccati-Bessel and modified Bessel functions

def mp_spherical(kind, l, z, **kwargs):
    """Spherical Bessel j_l (kind "j"), y_l ("y") or h_l^(1) ("h") at complex z, in mpmath (caller's precision).

    ``kwargs`` go to mpmath's Bessel function (e.g. :data:`SPECIAL_KW` at large order).
    """
    fn = {"j": mp.besselj, "y": mp.bessely, "h": mp.hankel1}[kind]
    z = mp.mpmathify(z)
    return mp.sqrt(mp.pi / (2 * z)) * fn(l + mp.mpf(1) / 2, z, **kwargs)


def mp_riccati_derivative(kind, l, z):
    """D[z_l](rho) = (1/rho) d(rho z_l(rho))/d rho = z_{l-1}(rho) - l z_l(rho)/rho (mpmath, caller's precision)."""
    return mp_spherical(kind, l - 1, z) - l * mp_spherical(kind, l, z) / mp.mpmathify(z)


def mp_spherical_hankel1_k(l, z, **kwargs):
    """h_l^(1)(z) = sqrt(pi/2z) (2/(i pi)) e^{-i nu pi/2} K_nu(-iz), nu = l + 1/2, for -pi/2 < arg z <= pi
    (mpmath, caller's precision): no cancellation between j_l and y_l where Im z >> 1 (j_l + i y_l, as
    mpmath.hankel1 sums it, loses every digit at z = 4000i and 150 + 200i and returns 0)."""
    z = mp.mpmathify(z)
    nu = l + mp.mpf(1) / 2
    return (mp.sqrt(mp.pi / (2 * z)) * 2 / (mp.pi * 1j) * mp.exp(-1j * nu * mp.pi / 2)
            * mp.besselk(nu, -1j * z, **kwargs))


@mp.workdps(40)
def mp_spherical_row(z, l):
    """(j_l, y_l, h_l^(1), psi_l'/psi_l, xi_l'/xi_l, psi_l/xi_l) at z, 40 digits (the jaxem.special tables)."""
    zz = mp.mpmathify(z)
    j, h = mp_spherical("j", l, z, **SPECIAL_KW), mp_spherical_hankel1_k(l, z, **SPECIAL_KW)
    jm = mp_spherical("j", l - 1, z, **SPECIAL_KW) if l > 0 else mp.cos(zz) / zz
    hm = mp_spherical_hankel1_k(l - 1, z, **SPECIAL_KW) if l > 0 else mp.exp(1j * zz) / zz   # h_{-1} = e^{iz}/z
    return (j, (h - j) / 1j, h, jm / j - l / zz, hm / h - l / zz, j / h)


@mp.workdps(40)
def mp_modified_row(x, l):
    """(log I_{l+1/2}(x), log K_{l+1/2}(x), {I, x}, {K, x}) at real x, 40 digits (the jaxem.special tables)."""
    nu, xx = l + mp.mpf(1) / 2, mp.mpf(x)
    i, k = mp.besseli(nu, xx, **SPECIAL_KW), mp.besselk(nu, xx, **SPECIAL_KW)
    im, km = mp.besseli(nu - 1, xx, **SPECIAL_KW), mp.besselk(nu - 1, xx, **SPECIAL_KW)
    return (mp.log(i), mp.log(k), im / i - l / xx, -km / k - l / xx)


@mp.workdps(40)
def mp_log_derivative_psi(z, l):
    """D_l(z) = psi_l'(z)/psi_l(z) = (l + 1)/z - j_{l+1}(z)/j_l(z) at complex z, 40 digits (complex)."""
    zz = mp.mpc(z.real, z.imag)
    j = lambda k: mp.besselj(k + mp.mpf(1) / 2, zz)  # noqa: E731  (the common factor sqrt(pi/2z) cancels)
    return complex((l + 1) / zz - j(l + 1) / j(l))


@mp.workdps(40)
def mp_K(n, x):
    """K_{n+1/2}(x) from the exact finite sum (mpmath.besselk fails at large order and argument), 40 digits."""
    x = mp.mpf(x)
    s, t = mp.mpf(0), mp.mpf(1)
    for k in range(n + 1):
        s += t
        t = t * (n + k + 1) * (n - k) / ((k + 1) * 2 * x)
    return mp.sqrt(mp.pi / (2 * x)) * mp.exp(-x) * s


@mp.workdps(40)
def mp_bracket_I(z, l):
    """{I, z} = I_{l-1/2}(z)/I_{l+1/2}(z) - l/z, 40 digits (scipy's scaled I_nu where mpmath gives up)."""
    try:
        return mp.besseli(l - 0.5, z) / mp.besseli(l + 0.5, z) - l / z
    except mp.libmp.NoConvergence:
        # mpmath's series gives up at order ~1e4 and argument ~1e6: use SciPy's (Amos)
        # exponentially scaled I_nu instead (real z only; ~1e-14 relative)
        zf = float(z)
        return mp.mpf(scipy.special.ive(l - 0.5, zf) / scipy.special.ive(l + 0.5, zf)) - l / z


# ---------------------------------------------------------------------------------------------------------
# sphere reflection: Mie coefficients, the boundary-value system, imaginary frequency

@mp.workdps(40)
def mp_mie_coefficients(x, m, l_max):
    """Bohren-Huffman a_l, b_l, l = 1..l_max, from 40-digit Riccati-Bessel functions (psi' = psi_{l-1} - l psi_l/z).

    Returns a complex array of shape (2, l_max): (a, b).
    """
    x, m = mp.mpf(x), mp.mpc(m)

    def psi(z, l):
        return z * mp_spherical("j", l, z)

    def xi(z, l):
        return z * mp_spherical("h", l, z)

    out = []
    for l in range(1, l_max + 1):
        px, pmx, hx = psi(x, l), psi(m * x, l), xi(x, l)
        dpx = psi(x, l - 1) - l * px / x
        dpmx = psi(m * x, l - 1) - l * pmx / (m * x)
        dhx = xi(x, l - 1) - l * hx / x
        a = (m * pmx * dpx - px * dpmx) / (m * pmx * dhx - hx * dpmx)
        b = (pmx * dpx - m * px * dpmx) / (pmx * dhx - m * hx * dpmx)
        out.append((complex(a), complex(b)))
    return np.array(out).T


def scipy_pec(x, l_max):
    """Perfect-conductor coefficients a_l = psi_l'/xi_l', b_l = psi_l/xi_l with scipy Bessel functions (real x)."""
    n = np.arange(1, l_max + 1)
    j, y = scipy.special.spherical_jn(n, x), scipy.special.spherical_yn(n, x)
    jp, yp = scipy.special.spherical_jn(n, x, derivative=True), scipy.special.spherical_yn(n, x, derivative=True)
    psi, xi = x * j, x * (j + 1j * y)
    dpsi, dxi = j + x * jp, (j + 1j * y) + x * (jp + 1j * yp)
    return dpsi / dxi, psi / xi


@mp.workdps(40)
def bvp_reflection(w, l, eps, mu, chi, kappa):
    """[[r^EE, r^EM], [r^ME, r^MM]] of order l from the tangential boundary-value system (scattering.md §2.6.4).

    Solved in 40-digit mpmath at the complex size parameter w (real frequency: w real; imaginary frequency
    xi: w = i x) for the relative parameters eps, mu, chi, kappa of the sphere (complex allowed).
    """
    w = mp.mpmathify(w)
    eps, mu, chi, kappa = (mp.mpc(v) for v in (eps, mu, chi, kappa))
    n0 = mp.sqrt(eps * mu - chi ** 2)
    m_l, m_r = n0 - kappa, n0 + kappa
    m_p, m_m = (n0 - 1j * chi) / eps, (n0 + 1j * chi) / eps
    j, h = mp_spherical("j", l, w), mp_spherical("h", l, w)
    dj, dh = mp_riccati_derivative("j", l, w), mp_riccati_derivative("h", l, w)
    jl, jr = mp_spherical("j", l, m_l * w), mp_spherical("j", l, m_r * w)
    dl, dr = mp_riccati_derivative("j", l, m_l * w), mp_riccati_derivative("j", l, m_r * w)
    # unknowns (a, b, A, B); rows: the four tangential continuity equations
    mat = mp.matrix([[0, h, -jl, -jr],
                     [dh, 0, -dl, dr],
                     [h, 0, -jl / m_m, jr / m_p],
                     [0, dh, -dl / m_m, -dr / m_p]])
    out = []
    for e, f in ((1, 0), (0, 1)):
        rhs = mp.matrix([-f * j, -e * dj, -e * j, -f * dj])
        sol = mp.lu_solve(mat, rhs)
        out.append((complex(sol[0]), complex(sol[1])))
    (a1, b1), (a2, b2) = out
    # a = -(r^EE e + i r^EM f), b = -(-i r^ME e + r^MM f)
    return np.array([[-a1, 1j * a2], [-1j * b1, -b2]])


@mp.workdps(40)
def mp_isotropic_r(x, l, eps, mu=1):
    """(log|r^EE|, sign r^EE, log|r^MM|, sign r^MM) of an isotropic sphere at imaginary frequency, (4.11), 40 digits."""
    x, eps, mu = mp.mpf(x), mp.mpf(eps), mp.mpf(mu)
    k_l, k_lm = mp_K(l, x), mp_K(l - 1, x)
    log_c = mp.log(mp.pi / 2) + mp.log(mp.besseli(l + 0.5, x)) - mp.log(k_l)
    bI, bK = mp_bracket_I(x, l), -k_lm / k_l - l / x
    m, mprime = mp.sqrt(eps * mu), mp.sqrt(mu / eps)
    bIm = mp_bracket_I(m * x, l)
    q_ee = (bI - mprime * bIm) / (-bK + mprime * bIm)
    q_mm = (mprime * bI - bIm) / (-mprime * bK + bIm)
    s = (-1) ** l
    return (float(log_c + mp.log(abs(q_ee))), s * mp.sign(q_ee), float(log_c + mp.log(abs(q_mm))),
            s * mp.sign(q_mm))


@mp.workdps(40)
def mp_pec_r(x, l):
    """(log|r^EE|, log|r^MM|) of a perfect-conductor sphere at imaginary frequency, 40 digits."""
    x = mp.mpf(x)
    k_l, k_lm = mp_K(l, x), mp_K(l - 1, x)
    log_c = mp.log(mp.pi / 2) + mp.log(mp.besseli(l + 0.5, x)) - mp.log(k_l)
    ratio = mp_bracket_I(x, l) / (-k_lm / k_l - l / x)
    return float(log_c + mp.log(abs(ratio))), float(log_c)


@mp.workdps(40)
def mp_reduced_inputs(x, m, l_max):
    """Reduced brackets g, h, g_L, g_R and C_l at imaginary frequency from mpmath (40 digits), for the
    algebra-only tests; ``m`` holds the relative indices m_L, m_R."""
    mL, mR = complex(m["m_L"]), complex(m["m_R"])
    out = {k: [] for k in ("g", "h", "gL", "gR", "c")}
    xm = mp.mpf(x)
    for l in range(1, l_max + 1):
        out["g"].append(complex(mp_bracket_I(xm, l) - (l + 1) / xm))
        out["h"].append(complex(-mp_K(l - 1, xm) / mp_K(l, xm)))
        for key, mJ in (("gL", mL), ("gR", mR)):
            z = mp.mpc(mJ) * xm
            out[key].append(complex(mp_bracket_I(z, l) - (l + 1) / z))
        out["c"].append(complex((-1) ** l * mp.pi / 2 * mp.besseli(l + 0.5, xm) / mp_K(l, xm)))
    return {k: np.array(v) for k, v in out.items()}


def scipy_real_frequency_inputs(w, m, l_max):
    """Reduced brackets at x = -i w from scipy Riccati-Bessel log-derivatives (scattering.md §2.4, §2.7)."""
    l = np.arange(1, l_max + 1)
    spherical_jn, spherical_yn = scipy.special.spherical_jn, scipy.special.spherical_yn

    def dpsi(z):
        j, jp = spherical_jn(l, z), spherical_jn(l, z, derivative=True)
        return (j + z * jp) / (z * j)

    h = spherical_jn(l, w) + 1j * spherical_yn(l, w)
    hp = spherical_jn(l, w, True) + 1j * spherical_yn(l, w, True)
    dxi = (h + w * hp) / (w * h)
    out = {"g": 1j * (dpsi(w) - (l + 1) / w), "h": 1j * (dxi + l / w)}
    for key, mJ in (("gL", complex(m["m_L"])), ("gR", complex(m["m_R"]))):
        out[key] = 1j * (dpsi(mJ * w + 0j) - (l + 1) / (mJ * w))
    out["c"] = -(w * spherical_jn(l, w)) / (w * h)
    return out


# ---------------------------------------------------------------------------------------------------------
# polylogarithms, Clausen function, zero-frequency closed forms

@mp.workdps(30)
def mp_polylog(s, x):
    """Li_s(x) at real x, 30 digits (float)."""
    return float(mp.polylog(s, x))


@mp.workdps(30)
def mp_re_polylog_unit_circle(s, phi):
    """Re Li_s(e^{i phi}), 30 digits (float)."""
    return float(mp.re(mp.polylog(s, mp.exp(1j * mp.mpf(phi)))))


@mp.workdps(30)
def mp_clausen_cl2(phi):
    """Clausen function Cl_2(phi) = Im Li_2(e^{i phi}), 30 digits (float)."""
    return float(mp.clsin(2, phi))


@mp.workdps(40)
def mp_sphere_plane_triple_round_trip(y):
    """tr M^3 of the sphere--plane zero-frequency round trip (casimir-spheres.md (E.18)) at y = 1 + L/R, 40 digits."""
    y = mp.mpf(y)
    al = mp.asin(1 / (2 * y))
    E = lambda k: -mp.exp(2j * k * al)  # noqa: E731
    li3 = mp.re(mp.polylog(3, E(3)) - 6 * mp.polylog(3, E(2)) + 15 * mp.polylog(3, E(1))
                - 10 * mp.polylog(3, -1))
    li2 = mp.im(mp.polylog(2, E(3)) - 4 * mp.polylog(2, E(2)) + 5 * mp.polylog(2, E(1)))
    brace = (12 * (32 * y**4 - 12 * y**2 + 1) * mp.log(1 - 1 / (4 * y**2))
             - 12 * (24 * y**4 - 14 * y**2 + 1) * mp.log(1 - 1 / (2 * y**2))
             + 3 * (16 * y**4 - 16 * y**2 + 1) * mp.log(1 - 1 / y**2)
             - 2 * y**2 * (4 * y**2 - 1) * li3 - 12 * y**2 * mp.sqrt(4 * y**2 - 1) * li2)
    return y * (4 * y**2 - 3) / (2 * (4 * y**2 - 1) ** 2 * (y**2 - 1)) + y / (2 * (4 * y**2 - 1)) * brace


# ---------------------------------------------------------------------------------------------------------
# plane-wave route at xi = 0: static l-sums and plasma-sphere TE coefficients

@mp.workdps(30)
def mp_scaled_basis_sum(name, chi, a=None):
    """e^{-chi} S_b(chi), S_b = sum_l f_b(l) chi^{2l}/(2l)! of the static plane-wave kernel, 30 digits (float).

    name: "dv" (f = 1, l >= 1: cosh chi - 1), "dir" (l >= 0: cosh chi), "de" (f = -l/(l+1)), "rat" (l/(l + a)).
    """
    chi = mp.mpf(chi)
    if name == "dv":
        s = mp.cosh(chi) - 1
    elif name == "dir":
        s = mp.cosh(chi)
    else:
        f = (lambda l: -mp.mpf(l) / (l + 1)) if name == "de" else (lambda l: l / (l + mp.mpf(a)))
        n = int(chi / 2 + 40 * mp.sqrt(chi) + 60)
        s = mp.fsum(f(l) * chi ** (2 * l) / mp.factorial(2 * l) for l in range(1, n))
    return float(s * mp.exp(-chi))


@mp.workdps(30)
def mp_plasma_sphere_te_coefficient(l, w):
    """TE static reflection X(l) = -(l/(l+1)) w h/(2l + 1 + w h), h = I_{l+3/2}(w)/I_{l+1/2}(w), of a plasma
    sphere with w = omega_p R/c, 30 digits (float)."""
    h = mp.besseli(l + 1.5, w) / mp.besseli(l + 0.5, w)
    return float(-(mp.mpf(l) / (l + 1)) * w * h / (2 * l + 1 + w * h))


@mp.workdps(30)
def mp_log_even_poisson(l, c):
    """log of the even Poisson weight e^{-c} c^{2l}/(2l)!, 30 digits (float)."""
    return float(-c + 2 * l * mp.log(c) - mp.loggamma(2 * l + 1))


# ---------------------------------------------------------------------------------------------------------
# log det(1 - M), Lifshitz plane--plane energies

def mp_log_det_one_minus(M, dps=60):
    """log|det(1 - M)| of a (real or complex) matrix with an mpmath determinant at ``dps`` digits (float)."""
    with mp.workdps(dps):
        A = mp.eye(M.shape[0]) - mp.matrix(M.tolist())
        return float(mp.re(mp.log(mp.det(A))))


def lifshitz_drude_free_energy_scipy(L, T, omega_p, gamma):
    """Lifshitz free energy per area [J/m^2] of two Drude plates in vacuum at T > 0 (scipy quad over kappa)."""
    c, hbar, k_B = sc.c, sc.hbar, sc.k
    total = 0.0
    n = 0
    while True:
        xi = 2 * np.pi * n * k_B * T / hbar
        K = xi / c
        if n == 0:
            # Drude: r_TM = 1, r_TE = 0 at xi = 0
            val = scipy.integrate.quad(lambda q: q * np.log1p(-np.exp(-2 * q * L)), 0, 40 / L, epsabs=0,
                                       epsrel=1e-12, limit=200)[0] / (2 * np.pi)
            total += 0.5 * val
        else:
            eps = 1 + omega_p**2 / (xi * (xi + gamma))

            def integrand(kappa):
                ks = np.sqrt(kappa**2 + (eps - 1) * K**2)
                rtm = (eps * kappa - ks) / (eps * kappa + ks)
                rte = (kappa - ks) / (kappa + ks)
                e = np.exp(-2 * kappa * L)
                return kappa * (np.log1p(-rtm**2 * e) + np.log1p(-rte**2 * e))
            # the integrand decays like e^{-2 kappa L}: a finite range of 40/L is exact to 1e-30
            val = scipy.integrate.quad(integrand, K, K + 40 / L, epsabs=0, epsrel=1e-12, limit=200)[0] / (2 * np.pi)
            total += val
            if abs(val) < 1e-12 * abs(total):
                break
        n += 1
    return k_B * T * total


def eps_imag_numpy(m):
    """eps(i xi) written out in NumPy from a jaxem material's parameters (None: vacuum -> 1; perfect conductor
    -> None)."""
    from jaxem.materials import Drude, PerfectConductor, Plasma

    if m is None:
        return lambda x: 1.0
    if isinstance(m, PerfectConductor):
        return None
    if isinstance(m, Drude):
        wp, g = float(m.omega_p), float(m.gamma)
        return lambda x: 1.0 + wp**2 / (x * (x + g))
    if isinstance(m, Plasma):
        wp = float(m.omega_p)
        return lambda x: 1.0 + wp**2 / x**2
    e0, s, w, d = (np.asarray(a, dtype=float) for a in (m.eps_inf, m.strengths, m.resonances, m.dampings))
    return lambda x: float(e0 + np.sum(s**2 / (w**2 + x**2 + d * x)))


def lifshitz_density_scipy(xi, L, e1, e2, em, pfa=False):
    """(1/2pi) int k dk sum_p log(1 - r1 r2 e^{-2 kappa L}) [1/m^2] (pfa: int_L^inf dL' of it, [1/m]).

    e1, e2, em: eps(i xi) functions of the plates and the medium (:func:`eps_imag_numpy`; None: perfect conductor).
    """
    c = sc.c
    q, epsm = xi / c, em(xi)
    eps = [None if e is None else e(xi) for e in (e1, e2)]

    def integrand(t):       # t = 2 L (kappa - sqrt(eps_m) xi/c), k dk = kappa dkappa
        kap = t / (2 * L) + math.sqrt(epsm) * q
        k2 = kap**2 - epsm * q * q
        r = []
        for e in eps:
            if e is None:
                r.append((-1.0, 1.0))
            else:
                kj = math.sqrt(e * q * q + k2)
                r.append(((kap - kj) / (kap + kj), (e * kap - epsm * kj) / (e * kap + epsm * kj)))
        x = [r[0][p] * r[1][p] * math.exp(-2 * kap * L) for p in (0, 1)]
        if pfa:     # int_L^inf log(1 - x e^{-2 kappa (L' - L)}) dL' = -Li_2(x)/(2 kappa)
            val = sum(-scipy.special.spence(1.0 - xp) / (2 * kap) for xp in x)
        else:
            val = sum(math.log1p(-xp) for xp in x)
        return kap * val / (2 * L)
    with warnings.catch_warnings():     # quad reports roundoff at 1e-13 on tiny integrands
        warnings.simplefilter("ignore", scipy.integrate.IntegrationWarning)
        return scipy.integrate.quad(integrand, 0, np.inf, epsabs=0, epsrel=1e-13, limit=200)[0] / (2 * np.pi)


def lifshitz_t0_scipy(L, m1, medium=None, pfa=False):
    """T = 0 plane--plane energy per area [J/m^2] (pfa: its int_L^inf dL' [J/m]), nested quad in log xi."""
    c, hbar = sc.c, sc.hbar
    e1, em = eps_imag_numpy(m1), eps_imag_numpy(medium)
    xc = c / (2 * L)
    g = lambda v: lifshitz_density_scipy(math.exp(v) * xc, L, e1, e1, em, pfa) * math.exp(v) * xc  # noqa: E731
    return hbar / (2 * np.pi) * scipy.integrate.quad(g, -45.0, 5.0, epsabs=0, epsrel=1e-11, limit=500)[0]


# ---------------------------------------------------------------------------------------------------------
# Casimir--Polder, dielectric models

def cp_zero_temperature_scipy(r, radius):
    """T = 0 Casimir--Polder energy [J] of two equal silica spheres (Drude-Lorentz silica written out in NumPy):
    scipy.quad of the imaginary-frequency integral in the dipole approximation."""
    wp, wt, g = np.array([1.75e14, 2.96e16]), np.array([1.32e14, 2.72e16]), np.array([4.28e13, 8.09e15])

    def integrand(t):
        xi = np.exp(t)
        e = 1 + np.sum(wp**2 / (wt**2 + xi**2 + g * xi))
        u = xi * r / sc.c
        return ((e - 1) / (e + 2)) ** 2 * xi * np.exp(-2 * u) * (3 + 6 * u + 5 * u**2 + 2 * u**3 + u**4)

    val = scipy.integrate.quad(integrand, np.log(1e-12 * sc.c / r), np.log(80 * sc.c / r), limit=500, epsabs=0,
                               epsrel=1e-13)[0]
    return -(sc.hbar / np.pi) * (radius / r) ** 6 * val


def polystyrene_epsilon_imag(xi):
    """eps(i xi) of polystyrene, van Zwol & Palasantzas, PRA 81, 062502 (2010), set 1, from the table (eV)."""
    C = np.array([1.21e-2, 2.19e-2, 1.79e-2, 3.06e-2, 3.03e-1, 6.23e-1, 3.25e-1, 3.31e-2])
    w = np.array([1.00e-3, 1.32e-2, 3.88, 1.31e-1, 5.99, 10.2, 18.8, 51.5]) * 1.602176634e-19 / 1.054571817e-34
    return 1 + np.sum(C / (1 + (xi / w) ** 2))


#: water at 25 C, IR and UV oscillators (hbar omega_j [eV], c_j, hbar gamma_j [eV]): Fiedler, Bostrom, Persson,
#: Brevik, Corkery, Buhmann, Parsons, J. Phys. Chem. B 124, 3103 (2020), Table 1 (arXiv:1912.08118)
WATER_FIEDLER_2020_OSCILLATORS = (
    (8.46e-4, 2.59e-1, 3.92e-4), (4.19e-3, 1.04, 7.43e-3), (2.12e-2, 1.62, 2.60e-2),
    (6.25e-2, 5.55e-1, 3.98e-2), (8.49e-2, 2.38e-1, 2.99e-2), (2.04e-1, 1.34e-2, 8.43e-3),
    (4.18e-1, 7.17e-2, 3.41e-2),
    (8.34, 4.47e-2, 0.75), (9.50, 3.27e-2, 1.12), (10.41, 4.66e-2, 1.26), (11.67, 6.67e-2, 1.58),
    (12.95, 7.42e-2, 1.65), (14.13, 9.30e-2, 1.86), (15.50, 7.79e-2, 2.22), (17.17, 7.9e-2, 2.7),
    (18.89, 4.18e-2, 2.82), (21.45, 1.07e-1, 6.87), (30.06, 1.33e-1, 18.28), (49.45, 5.66e-2, 36.28),
)


def water_epsilon_imag(xi):
    """eps(i xi) of water at 25 C (Fiedler et al. 2020): exact Debye terms + damped oscillators (eV)."""
    ev = 1.602176634e-19 / 1.054571817e-34
    t = np.asarray(WATER_FIEDLER_2020_OSCILLATORS)
    w, c, g = t[:, 0] * ev, t[:, 1], t[:, 2] * ev
    debye = 0.47 / (1 + xi / (6.84e-6 * ev)) + 72.62 / (1 + xi / (7.98e-5 * ev))
    return 1 + debye + np.sum(c * w**2 / (w**2 + g * xi + xi**2))
