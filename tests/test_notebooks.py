"""The notebooks run end to end (code cells executed in order in one namespace, Agg backend).

Slow (each notebook takes ~1-3 min): run with ``make test-slow`` or ``pytest -m slow tests/test_notebooks.py``.
A notebook that raises fails its test; each notebook also contains its own numerical checks (printed
ratios to closed forms, central differences), which are asserted here where they are cheap to read back.
"""
import json
import pathlib

import matplotlib
import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _run(path):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = json.loads(path.read_text())
    namespace = {"__name__": "__notebook__"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}", "exec"), namespace)  # noqa: S102
    plt.close("all")
    return namespace


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path):
    ns = _run(path)
    if path.stem == "casimir":
        rows = ns["rows"]
        assert max(abs(rows[:, 1] / rows[:, 4] - 1)) <= 3e-8          # Drude engine vs exact 9.59
        assert abs(ns["force"] / ns["fd_force"] - 1) <= 1e-7           # autodiff vs central difference
        assert abs(ns["gradient"] / ns["fd_gradient"] - 1) <= 1e-6
    if path.stem == "optical_tweezers":
        # Ch. 7 section: the fit from a start in the wrong period lands on the truth (within 5 sigma of the noisy
        # data), and chi^2(R) has a neighbouring minimum lambda0/(4 n) ~ 0.17 um from the best one (Fig. 7.7; the
        # same loose window, 0.04 um, as tests/test_optics_fits.py)
        fit, r_true = ns["fit"], ns["R_TRUE"]
        assert abs(fit.values["radius"] - r_true) <= 5 * fit.errors["radius"], (fit.values, r_true)
        best = fit.alternatives[0]["radius"]
        period = ns["LAM"] / (4 * ns["N_PS"])
        others = [a["radius"] for a in fit.alternatives[1:]]
        assert others and min(abs(abs(r - best) - period) for r in others) < 0.04e-6, (best, others)
