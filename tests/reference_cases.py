"""A fixed set of cases of every public kernel, with values recorded before the renovation of the package.

`tests/data/reference_values.json` holds what these cases returned on main before the code was moved
(jax/jaxlib 0.9.2, 2026-12-07); `test_reference_values.py` checks that the public results still equal them
to 1e-12 relative.  When a public name changes, change the call here, never the recorded numbers.

Record anew (only when a result is meant to change, and say why in the commit):
    .venv/bin/python tests/reference_cases.py --write
"""
from __future__ import annotations

import json
import math
import pathlib
import sys

import jax
import jax.numpy as jnp
import numpy as np

import jaxem
import jaxem.special
from jaxem import casimir as _casimir
from jaxem.casimir import closed_forms as _cf
from jaxem.casimir import pemc as _pemc
from jaxem.constants import ev_to_rad_per_s, k_B, matsubara_frequency, thermal_wavelength
from jaxem.green import green_tensor_em
from jaxem.mie import (bi_isotropic_reflection_matrix, dipole_polarizabilities, pemc_reflection_imag,
                       pemc_reflection_matrix, perfect_conductor_reflection_imag, reflection_coefficients_imag,
                       reflection_matrix_imag)
from jaxem.polarizabilities import clausius_mossotti, sphere_polarizability
from jaxem.potentials.casimir_polder import (casimir_polder_potential_logdet,
                                             casimir_polder_potential_zero_temperature)
from jaxem.potentials.nanospheres import gaussian_trap_potential
from jaxem.polarizabilities import reduced_lorentz_polarizabilities
from jaxem.potentials.random_light import pair_potential_matrix

DATA = pathlib.Path(__file__).parent / "data" / "reference_values.json"
INF = math.inf



def _flat(value):
    """Real float64 list of a (possibly complex, possibly nested) result."""
    leaves = jax.tree_util.tree_leaves(value)
    out = []
    for leaf in leaves:
        a = np.asarray(leaf)
        if np.iscomplexobj(a):
            out += list(np.real(a).ravel()) + list(np.imag(a).ravel())
        else:
            out += list(np.asarray(a, dtype=np.float64).ravel())
    return [float(v) for v in out]


def cases():
    """name -> zero-argument callable returning the public result (x64 must be on when they run)."""
    GOLD = jaxem.Drude.gold()
    SILICA = jaxem.LorentzOscillators.silica()
    PEC = jaxem.PerfectConductor()
    PLASMA = jaxem.Plasma(ev_to_rad_per_s(9.0))
    BIISO = jaxem.BiIsotropic(2.0, 1.2, 0.1, 0.2)
    WATER = jaxem.LorentzOscillators.water()
    x, m = 3.7, 1.5 + 0.02j
    xi = matsubara_frequency(3, 300.0)
    r1, r2 = jnp.array([0.0, 0.0, 0.0]), jnp.array([0.3e-6, 0.2e-6, 0.9e-6])
    alpha = sphere_polarizability(100e-9, 2.1)
    nano = dict(radius=100e-9)

    def sp(radius, distance, sphere, plane, medium=None):
        return jaxem.SpherePlane(radius=radius, distance=distance, sphere=sphere, plane=plane, medium=medium)

    def ss(radius1, radius2, distance, sphere1, sphere2):
        return jaxem.SphereSphere(radius1=radius1, radius2=radius2, distance=distance, sphere1=sphere1,
                                  sphere2=sphere2)

    return {
        # units and materials
        "matsubara_frequency": lambda: matsubara_frequency(2, 77.0),
        "thermal_wavelength": lambda: thermal_wavelength(300.0),
        "ev_to_rad_per_s": lambda: ev_to_rad_per_s(1.3),
        "gold_epsilon": lambda: GOLD.epsilon(2.1e15),
        "gold_epsilon_imag": lambda: GOLD.epsilon_imaginary_frequency(xi),
        "silica_epsilon_imag": lambda: SILICA.epsilon_imaginary_frequency(jnp.array([0.0, 1e14, 1e16])),
        "water_epsilon_imag": lambda: WATER.epsilon_imaginary_frequency(jnp.array([1e13, 1e15])),
        "plasma_epsilon_imag": lambda: PLASMA.epsilon_imaginary_frequency(xi),
        # Mie, real frequency
        "mie_coefficients": lambda: jaxem.mie_coefficients(x, m, 8),
        "mie_coefficients_magnetic": lambda: jaxem.mie_coefficients(x, m, 6, mu=1.3),
        "mie_efficiencies": lambda: tuple(jaxem.mie_efficiencies(x, m)),
        "mie_efficiencies_large": lambda: tuple(jaxem.mie_efficiencies(250.0, 1.33 + 1e-4j)),
        "amplitude_matrix": lambda: jaxem.amplitude_matrix(x, m, jnp.array([0.1, 1.2, 3.0])),
        "dipole_polarizabilities": lambda: dipole_polarizabilities(2 * np.pi / 1064e-9, 230e-9, 3.46),
        "bi_isotropic_reflection_matrix": lambda: bi_isotropic_reflection_matrix(2.0, 2.0, 1.2, 0.1, 0.2, 4),
        "pemc_reflection_matrix": lambda: pemc_reflection_matrix(1.5, 0.4, 4),
        "sphere_reflection_matrix": lambda: jaxem.sphere_reflection_matrix(2.1e15, 200e-9, GOLD, 5),
        # Mie, imaginary frequency
        "reflection_matrix_imag": lambda: reflection_matrix_imag(xi, 1e-6, GOLD, 12),
        "reflection_matrix_imag_medium": lambda: reflection_matrix_imag(xi, 1e-6, SILICA, 8, medium=WATER),
        "reflection_matrix_imag_biiso": lambda: reflection_matrix_imag(xi, 1e-6, BIISO, 6),
        "reflection_coefficients_imag": lambda: reflection_coefficients_imag(2.5, 4.0, l_max=10),
        "perfect_conductor_reflection_imag": lambda: perfect_conductor_reflection_imag(0.7, 10),
        "pemc_reflection_imag": lambda: pemc_reflection_imag(0.7, 0.3, 6),
        # Green tensors, polarizabilities
        "green_tensor": lambda: jaxem.green_tensor(r1, r2, 2 * np.pi / 1064e-9),
        "green_tensor_em": lambda: green_tensor_em(r1, r2, 2 * np.pi / 1064e-9 + 1e4j),
        "dipole_propagator_imag": lambda: jaxem.dipole_propagator_imag(r1, r2, 3e6),
        "polarizability": lambda: jaxem.polarizability(1.77e15, 100e-9, SILICA, with_radiative_correction=True),
        "polarizability_imag": lambda: jaxem.polarizability_imag(xi, 100e-9, GOLD),
        "clausius_mossotti": lambda: clausius_mossotti(2.1 + 0.1j),
        "mie_polarizabilities": lambda: jaxem.mie_polarizabilities(1.77e15, 200e-9, SILICA),
        # two trapped nanospheres
        "casimir_polder_potential": lambda: jaxem.casimir_polder_potential(jnp.array([0.2e-6, 1e-6, 5e-6]), 300.0,
                                                                          100e-9, SILICA),
        "casimir_polder_potential_T_grad": lambda: jax.grad(
            lambda T: jaxem.casimir_polder_potential(1e-6, T, 100e-9, SILICA))(300.0),
        "casimir_polder_potential_zero_temperature": lambda: casimir_polder_potential_zero_temperature(
            1e-6, 100e-9, SILICA),
        "casimir_polder_potential_logdet": lambda: casimir_polder_potential_logdet(0.5e-6, 300.0, 100e-9, SILICA),
        "nanosphere_potentials": lambda: jaxem.nanosphere_potentials(r1, r2, 0.3, **nano),
        "nanosphere_forces": lambda: jaxem.nanosphere_forces(r1, r2, 0.3, **nano),
        "nanosphere_stiffness": lambda: jaxem.nanosphere_stiffness(r1, r2 * 2, 0.0, **nano),
        "optical_binding_potentials": lambda: jaxem.optical_binding_potentials(r1, r2, 0.5, alpha, alpha,
                                                                              1e10, 1e10),
        "gaussian_trap_potential": lambda: gaussian_trap_potential(r2, alpha, 1e10, 0.8e-6),
        # random light
        "random_light_potential": lambda: jaxem.random_light_potential(
            0.7e-6, 2 * np.pi / 1e-6, 1e-20 + 2e-21j, 3e-21 + 1e-21j),
        "random_light_cluster_potential": lambda: jaxem.random_light_cluster_potential(
            jnp.array([[0.0, 0, 0], [0.5e-6, 0, 0], [0, 0.6e-6, 0.1e-6]]), 2 * np.pi / 1e-6,
            1e-20 + 2e-21j, 3e-21 + 1e-21j),
        "reduced_lorentz_polarizabilities": lambda: reduced_lorentz_polarizabilities(
            jnp.array([0.9, 1.0, 1.1]), 8.0, 9.0, 0.2),
        "pair_potential_matrix": lambda: pair_potential_matrix(jnp.array([0.3, 0.7, 1.4]),
                                                               jnp.array([0.95, 1.05]), 8.0, 9.0, 0.2),
        "optimize_line_spectrum": lambda: jaxem.optimize_line_spectrum(
            pair_potential_matrix(jnp.linspace(0.3, 2.0, 40), jnp.linspace(0.9, 1.1, 12), 8.0, 9.0, 0.2)),
        # Casimir, any temperature (plane-wave engine)
        "casimir_free_energy_sp_300K": lambda: jaxem.casimir_free_energy(sp(5e-6, 1e-6, GOLD, GOLD), 300.0),
        "casimir_free_energy_ss_300K": lambda: jaxem.casimir_free_energy(ss(3e-6, 4e-6, 1e-6, GOLD, GOLD), 300.0),
        "casimir_free_energy_sp_T0": lambda: jaxem.casimir_free_energy(sp(4e-6, 1e-6, PEC, PEC), 0.0),
        "casimir_free_energy_psd": lambda: jaxem.casimir_free_energy(sp(4e-6, 1e-6, GOLD, GOLD), 300.0,
                                                                     engine=jaxem.PlaneWave(frequencies="psd")),
        "casimir_free_energy_water": lambda: jaxem.casimir_free_energy(sp(2e-6, 0.5e-6, SILICA, GOLD, medium=WATER),
                                                                       300.0),
        "casimir_free_energy_batch": lambda: jaxem.casimir_free_energy(
            sp(5e-6, jnp.array([1e-6, 1.3e-6, 1.7e-6]), GOLD, GOLD), 300.0),
        "casimir_force": lambda: jaxem.casimir_force(sp(5e-6, 1e-6, GOLD, GOLD), 300.0),
        "casimir_force_gradient": lambda: jaxem.casimir_force_gradient(sp(5e-6, 1e-6, GOLD, GOLD), 300.0),
        "casimir_entropy": lambda: jaxem.casimir_entropy(sp(5e-6, 1e-6, GOLD, GOLD), 300.0),
        "casimir_pfa_free_energy": lambda: jaxem.casimir_free_energy(sp(5e-6, 1e-6, GOLD, GOLD), 300.0,
                                                                     engine=jaxem.ProximityForce()),
        "casimir_pfa_force": lambda: jaxem.casimir_force(sp(5e-6, 1e-6, GOLD, GOLD), 300.0,
                                                         engine=jaxem.ProximityForce()),
        # Casimir, n = 0 term
        "casimir_free_energy_ht_multipole": lambda: jaxem.casimir_zero_frequency_term(sp(2.0, 1.0, GOLD, GOLD),
                                                                                      engine=jaxem.Multipole()),
        "casimir_free_energy_ht_planewave": lambda: jaxem.casimir_zero_frequency_term(
            sp(1.0, 0.1, PEC, PEC), engine=jaxem.StaticPlaneWave()),
        "casimir_free_energy_ht_ss": lambda: jaxem.casimir_zero_frequency_term(ss(1.0, 1.5, 0.5, GOLD, PEC)),
        "casimir_free_energy_ht_plasma": lambda: jaxem.casimir_zero_frequency_term(sp(1.0, 0.1, PLASMA, PLASMA)),
        "casimir_free_energy_ht_biiso": lambda: jaxem.casimir_zero_frequency_term(sp(1.0, 0.2, BIISO, PEC)),
        "casimir_free_energy_ht_pemc": lambda: jaxem.casimir_zero_frequency_term(
            ss(1.0, 1.0, 0.3, jaxem.PEMC(0.3), jaxem.PEMC(1.0))),
        "casimir_free_energy_ht_dirichlet": lambda: jaxem.casimir_zero_frequency_term(
            sp(1.0, 0.5, jaxem.Dirichlet(), jaxem.Dirichlet())),
        # -d(F_0/k_B T)/dL [1/m]: the high-temperature force over k_B T (any T > 0)
        "casimir_force_ht": lambda: jaxem.casimir_force(sp(1.0, 0.1, GOLD, GOLD), 300.0,
                                                        engine=jaxem.ZeroFrequency()) / (k_B * 300.0),
        "round_trip_traces": lambda: _casimir.round_trip_traces(sp(1.0, 0.5, PEC, PEC), 3),
        "casimir_free_energy_ht_distances": lambda: jaxem.casimir_zero_frequency_term(
            sp(1.0, jnp.array([0.05, 0.07, 0.09]), GOLD, GOLD), engine=jaxem.StaticPlaneWave()),
        "pemc_free_energy_ht_deltas": lambda: jaxem.casimir_zero_frequency_term(
            ss(1.0, 1.0, 0.3, jaxem.PEMC(jnp.array([0.0, 0.5, 1.2])), jaxem.PEMC(0.0)),
            engine=jaxem.StaticPlaneWave()),
        "log_det_one_minus": lambda: _casimir.logdet.log_det_one_minus(
            0.1 * jnp.cos(jnp.arange(16.0).reshape(4, 4)) + 0.05 * jnp.eye(4)),
        # PEMC and closed forms
        "pemc_pfa_free_energy_ht": lambda: _pemc.pemc_pfa_free_energy_ht(0.1, 1.0, 0.4),
        "pemc_dipole_dipole_free_energy_ht": lambda: _pemc.pemc_dipole_dipole_free_energy_ht(5.0, 1.0, 1.5, 0.4),
        "pemc_dipole_plane_free_energy_ht": lambda: _pemc.pemc_dipole_plane_free_energy_ht(5.0, 1.0, 0.4),
        "pemc_beyond_pfa_coefficient": lambda: _pemc.pemc_beyond_pfa_coefficient(0.4, 0.2),
        "pemc_sum_rule_ht": lambda: _pemc.pemc_sum_rule_ht(1.0, 1.0, INF),
        "drude_free_energy_ht": lambda: _cf.drude_free_energy_ht(0.3, 1.0, 2.0),
        "dirichlet_free_energy_ht": lambda: _cf.dirichlet_free_energy_ht(0.3, 1.0, INF),
        "sphere_plane_triple_round_trip_ht": lambda: _cf.sphere_plane_triple_round_trip_ht(0.4, 1.0),
        "drude_short_distance_coefficients": lambda: _cf.drude_short_distance_coefficients(0.2),
        "bernoulli_numbers": lambda: jaxem.special.bernoulli_numbers(10),
    }


def compute(names=None):
    out = {}
    for name, fn in cases().items():
        if names is None or name in names:
            out[name] = _flat(fn())
    return out


def main(argv):
    if "--write" not in argv:
        print(__doc__)
        return 2
    jax.config.update("jax_enable_x64", True)
    values = compute()
    DATA.parent.mkdir(parents=True, exist_ok=True)
    DATA.write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(values)} cases to {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
