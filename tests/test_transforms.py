"""jit / vmap / grad consistency over the public kernels, through the one helper (tests/helpers.py).

For each kernel, one continuous argument: jit equals eager and vmap equals a loop to 1e-13 relative, and the
autodiff derivative equals central differences (step 1e-6 relative unless stated) to 1e-7 (2e-6 where the
second-order truncation of the difference quotient is larger).
"""
import math

import jax.numpy as jnp
import pytest

import jaxem
import jaxem.special
from helpers import assert_transforms
from jaxem.casimir.pemc import pemc_pfa_free_energy_ht
from jaxem.mie import reflection_matrix_imag
from jaxem.polarizabilities import clausius_mossotti

GOLD = jaxem.Drude.gold()
SILICA = jaxem.LorentzOscillators.silica()
XI = 2.5e14
R1, R2 = jnp.array([0.0, 0.0, 0.0]), jnp.array([0.3e-6, 0.2e-6, 0.9e-6])
ZF = jaxem.ZeroFrequency()
_SP = jaxem.SpherePlane(radius=1.0, distance=0.1, sphere=GOLD, plane=GOLD)

CASES = {
    # name: (fn of one scalar, x0, batch, options)
    "mie_coefficients/x": (lambda x: jaxem.mie_coefficients(x, 1.5 + 0.01j, 6), 2.3, [0.5, 2.3, 7.0], {}),
    "mie_efficiencies/x": (lambda x: jaxem.mie_efficiencies(x, 1.33 + 1e-3j, 20).q_ext, 3.1, [1.0, 3.1, 9.0], {}),
    # log|r| of the diagonal (TM, TE) entries; the off-diagonal ones are exact zeros (log = -inf)
    "reflection_matrix_imag/xi": (lambda xi: reflection_matrix_imag(xi, 1e-6, GOLD, 8)[0][:, (0, 1), (0, 1)], XI,
                                  [1e13, XI, 1e16], {}),
    "green_tensor/k": (lambda k: jaxem.green_tensor(R1, R2, k), 5e6, [1e6, 5e6, 9e6], {}),
    "dipole_propagator_imag/kappa": (lambda k: jaxem.dipole_propagator_imag(R1, R2, k), 3e6, [0.0, 3e6, 1e7], {}),
    "polarizability_imag/xi": (lambda xi: jaxem.polarizability_imag(xi, 100e-9, SILICA), 3e15, [0.0, 1e14, 3e15],
                               {}),
    "clausius_mossotti/eps": (clausius_mossotti, 2.1, [1.5, 2.1, 12.0], {}),
    "casimir_polder_potential/r": (lambda r: jaxem.casimir_polder_potential(r, 300.0, 100e-9, SILICA), 1e-6,
                                   [0.2e-6, 1e-6, 5e-6], {}),
    "random_light_potential/r": (lambda r: jaxem.random_light_potential(r, 2 * math.pi / 1e-6, 1e-20 + 2e-21j,
                                                                        3e-21 + 1e-21j), 0.7e-6,
                                 [0.3e-6, 0.7e-6, 1.5e-6], {}),
    "clausen_cl2/phi": (jaxem.special.clausen_cl2, 0.7, [0.1, 0.7, 2.5], {}),
    "re_li3_unit_circle/phi": (jaxem.special.re_li3_unit_circle, 0.7, [0.0, 0.7, 2.5], {}),
    "polylog2/x": (jaxem.special.polylog2, 0.3, [-0.9, 0.3, 0.8], {}),
    "pemc_pfa_free_energy_ht/delta": (lambda d: pemc_pfa_free_energy_ht(0.1, 1.0, d), 0.4, [0.0, 0.4, 1.2],
                                      {}),
    "casimir_zero_frequency_term/distance": (
        lambda d: jaxem.casimir_zero_frequency_term(jaxem.SpherePlane(radius=1.0, distance=d, sphere=GOLD,
                                                                      plane=GOLD), engine=ZF.sized_for(_SP)),
        0.1, [0.1, 0.12, 0.15], {"grad_rtol": 2e-6}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_public_kernel_transforms(name):
    fn, x0, batch, options = CASES[name]
    assert_transforms(fn, x0, batch, **options)
