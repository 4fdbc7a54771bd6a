"""The two Casimir engines checked against each other.

Engine I (static multipole basis, exact n = 0 reflection) and engine II (plane-wave basis at imaginary
frequency, Matsubara sum) share only the log det. At a temperature where every n >= 1 Matsubara term is
negligible (k_B T >> hbar c / L: T = 1e5 K, L = 1 um gives 2 pi L / lambda_T ~ 270), engine II's full
free energy must equal engine I's n = 0 term (issue "Casimir engine II", §2, first bullet).
"""
import math

import pytest

import jaxem
from jaxem.constants import k_B


@pytest.mark.parametrize("material", [jaxem.PerfectConductor(), jaxem.Drude.gold()],
                         ids=["perfect_conductor", "gold_drude"])
@pytest.mark.parametrize("R2", [math.inf, 6e-6], ids=["sphere_plane", "sphere_sphere"])
def test_high_temperature_limit_of_full_sum_equals_engine_one(material, R2):
    L, R1, T = 1e-6, 5e-6, 1e5
    f_ht = float(jaxem.casimir_free_energy_ht(L, R1, R2, material, material))
    f_full = float(jaxem.casimir_free_energy(L, R1, R2, T, material, material)) / (k_B * T)
    assert f_ht < 0
    # plane-wave engine default accuracy ~1e-6 relative; multipole engine ~1e-9
    assert f_full == pytest.approx(f_ht, rel=2e-6)


def test_public_api_names_required_by_the_issues():
    names = """mie_coefficients mie_efficiencies amplitude_matrix wiscombe_lmax dipole_polarizabilities
    reflection_matrix_imag green_tensor green_tensor_magnetic green_tensor_em dipole_propagator_imag
    random_light_potential optimize_line_spectrum casimir_free_energy_ht round_trip_traces
    casimir_force_ht casimir_free_energy casimir_force casimir_force_gradient casimir_entropy
    Dielectric Drude Plasma LorentzOscillators PerfectConductor PEMC BiIsotropic""".split()
    missing = [n for n in names if not hasattr(jaxem, n)]
    assert not missing
