"""The two Casimir engines checked against each other.

Engine I (static multipole basis, exact n = 0 reflection) and engine II (plane-wave basis at imaginary
frequency, Matsubara sum) share only the log det. At a temperature where every n >= 1 Matsubara term is
negligible (k_B T >> hbar c / L: T = 1e5 K, L = 1 um gives 2 pi L / lambda_T ~ 270), engine II's full
free energy must equal engine I's n = 0 term (issue "Casimir engine II", §2, first bullet).
"""
import functools
import math

import pytest

import jaxem
import jaxem.casimir
import jaxem.green
import jaxem.mie
from helpers import geometry
from jaxem.constants import k_B


@pytest.mark.parametrize("material", [jaxem.PerfectConductor(), jaxem.Drude.gold()],
                         ids=["perfect_conductor", "gold_drude"])
@pytest.mark.parametrize("R2", [math.inf, 6e-6], ids=["sphere_plane", "sphere_sphere"])
def test_high_temperature_limit_of_full_sum_equals_engine_one(material, R2):
    L, R1, T = 1e-6, 5e-6, 1e5
    g = geometry(L, R1, R2, material, material)
    f_ht = float(jaxem.casimir_zero_frequency_term(g))
    f_full = float(jaxem.casimir_free_energy(g, T)) / (k_B * T)
    assert f_ht < 0
    # plane-wave engine default accuracy ~1e-6 relative; multipole engine ~1e-9
    assert f_full == pytest.approx(f_ht, rel=2e-6)


def test_public_api_names_required_by_the_issues():
    # the curated top level, and the modules that hold the rest (the n = 0 term and its force are
    # casimir_zero_frequency_term and casimir_force with a zero-frequency engine)
    names = {jaxem: """mie_coefficients mie_efficiencies amplitude_matrix green_tensor dipole_propagator_imag
             random_light_potential optimize_line_spectrum casimir_zero_frequency_term casimir_free_energy
             casimir_force casimir_force_gradient casimir_entropy SpherePlane SphereSphere PlaneWave
             ZeroFrequency Multipole StaticPlaneWave ProximityForce Dielectric Drude Plasma LorentzOscillators
             PerfectConductor PEMC BiIsotropic Dirichlet""",
             jaxem.mie: "wiscombe_lmax dipole_polarizabilities reflection_matrix_imag",
             jaxem.green: "green_tensor_magnetic green_tensor_em",
             jaxem.casimir: "round_trip_traces"}
    missing = [f"{module.__name__}.{n}" for module, ns in names.items() for n in ns.split()
               if not hasattr(module, n)]
    assert not missing


# ----------------------------------------------------------------------------------------------
# bi-isotropic / PEMC bodies: plane-wave engine at a tiny xi against the static multipole engine

_BI_SPHERE = jaxem.BiIsotropic(3.0, 1.2, 0.5, 0.4)


@functools.lru_cache(maxsize=None)
def _planewave_static(L, R1, R2):
    """log det(1 - M(i xi_0)) of the plane-wave engine at xi_0 = 1e-13 c/(L + R): the n = 0 limit."""
    from jaxem.casimir import planewave as pw
    from jaxem.constants import c
    import jax
    # the plane-wave engine's default sizes at 300 K: truncation (N, M, l_max) or (N, M, l_max1, l_max2)
    gold = jaxem.Drude.gold()
    truncation = jaxem.PlaneWave().sized_for(geometry(L, R1, R2, gold, gold), 300.0).truncation
    N, M, l1 = truncation[:3]
    xi = 1e-13 * c / (L + R1)
    if math.isinf(R2):
        fn = jax.jit(lambda a, b: pw.sphere_plane_log_det(xi, L, R1, a, b, N=N, M=M, l_max=l1))
    else:
        l2 = truncation[3]
        fn = jax.jit(lambda a, b: pw.sphere_sphere_log_det(xi, L, R1, R2, a, b, N=N, M=M, l_max1=l1, l_max2=l2))
    return fn


@pytest.mark.parametrize("plate", [
    jaxem.PEMC(0.4), jaxem.BiIsotropic(2.5, 1.1, 0.3, 0.2), jaxem.BiIsotropic(2.5, 1.1, -0.3, -0.2),
    jaxem.BiIsotropic(2.0, 1.0, 0.0, 0.4)], ids=["pemc", "bi_isotropic", "bi_isotropic_flipped", "chiral"])
def test_mixing_plates_match_static_multipole_engine(plate):
    # pemc-casimir.md §1.5 (4.34), §1.7 (B.11): 2x2 Fresnel matrices of PEMC / bi-isotropic plates;
    # the static engine is exact (1e-9); plane-wave default truncation ~1e-6 (measured 1.4e-7)
    L, R = 1e-6, 2e-6
    fn = _planewave_static(L, R, math.inf)
    got = float(fn(_BI_SPHERE, plate))
    ref = 2.0 * float(jaxem.casimir_zero_frequency_term(
        jaxem.SpherePlane(radius=R, distance=L, sphere=_BI_SPHERE, plane=plate)))
    assert got == pytest.approx(ref, rel=1e-6)


def test_chiral_tellegen_sphere_pair_matches_static_multipole_engine():
    # scattering.md §3 (validate against the plane-wave route for a chiral/Tellegen pair):
    # F/(k_B T) = (1/2) log det at n = 0; measured agreement 1.3e-8; opposite chirality differs by 15 %
    L, R1, R2 = 1e-6, 2e-6, 1.5e-6
    fn = _planewave_static(L, R1, R2)
    pairs = [(jaxem.BiIsotropic(3.0, 1.2, 0.0, 0.4), jaxem.BiIsotropic(3.0, 1.2, 0.0, 0.4)),
             (jaxem.BiIsotropic(3.0, 1.2, 0.0, 0.4), jaxem.BiIsotropic(3.0, 1.2, 0.0, -0.4)),
             (jaxem.BiIsotropic(3.0, 1.2, 0.5, 0.3), jaxem.BiIsotropic(2.0, 1.3, -0.4, 0.2))]
    vals = []
    for a, b in pairs:
        got = float(fn(a, b))
        ref = 2.0 * float(jaxem.casimir_zero_frequency_term(
            jaxem.SphereSphere(radius1=R1, radius2=R2, distance=L, sphere1=a, sphere2=b)))
        assert got == pytest.approx(ref, rel=1e-6)
        vals.append(got)
    assert abs(vals[0] / vals[1] - 1) > 0.05
