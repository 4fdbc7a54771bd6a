"""Public results equal the values recorded before the renovation (tests/reference_cases.py), to 1e-12.

Re-recorded on purpose since: casimir_force, casimir_force_gradient and casimir_entropy (2026-12-07), when the
derivatives got the sizes of their order (more frequencies, finer angular grid; docs/accuracy.md, "Convergence of
energy, force and force gradient") and the node grid held at the gap: changes 1.6e-7, 2.4e-6 and 6.3e-5.

Each element must satisfy |new - recorded| <= 1e-12 |recorded| + 1e-15 max|recorded of that case| (the
absolute floor only covers elements that are zero or cancel to rounding, e.g. imaginary parts of real
quantities).
"""
import json

import numpy as np
import pytest

import reference_cases as rc

RECORDED = json.loads(rc.DATA.read_text())
CASES = rc.cases()


def test_every_case_is_recorded():
    assert sorted(CASES) == sorted(RECORDED)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_public_result_equals_recorded_value(name):
    got = np.asarray(rc._flat(CASES[name]()))
    ref = np.asarray(RECORDED[name])
    assert got.shape == ref.shape, (got.shape, ref.shape)
    assert not np.isnan(ref).any(), f"{name}: NaN recorded"
    finite = np.isfinite(ref)
    scale = np.max(np.abs(ref[finite])) if finite.any() else 0.0
    with np.errstate(invalid="ignore"):
        close = finite & (np.abs(got - ref) <= 1e-12 * np.abs(ref) + 1e-15 * scale)
    bad = ~(close | (got == ref))        # infinities (log|r| of an exact zero) must match exactly
    assert not bad.any(), (f"{name}: {bad.sum()} of {bad.size} entries differ, e.g. got {got[bad][:3]} "
                           f"recorded {ref[bad][:3]}")
