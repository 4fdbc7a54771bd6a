"""Bad input, one table: every public function of ``jaxem.__all__`` raises a ValueError naming the parameter.

Each row is (callable, keyword arguments, the parameter the message must name).  Every call fails on concrete
values in the Python wrapper, before anything is traced or compiled, so the whole table runs in seconds
(``pytest --durations`` on this file).  Classes of bad input covered: out-of-range values (negative, zero,
NaN, inf), wrong types (strings, None, objects), complex where a real value is expected, arrays where a
scalar is expected, wrong shapes, malformed sizes and tolerances of the engines, malformed tables.
"""
import re

import numpy as np
import pytest

import jaxem
from jaxem import (PEMC, BiIsotropic, Dielectric, Drude, FocusedBeam, LorentzOscillators, Multipole, PlaneWave,
                   Plasma, ProximityForce, SpherePlane, SphereSphere, StaticPlaneWave, TabulatedEpsilon,
                   TweezerPair, ZeroFrequency)

GOLD = Drude.gold()
SILICA = LorentzOscillators.silica()
GEOM = SpherePlane(radius=1e-6, distance=1e-7, sphere=GOLD, plane=GOLD)
PAIR = SphereSphere(radius1=1e-6, radius2=2e-6, distance=1e-7, sphere1=GOLD, sphere2=GOLD)
BEAM = FocusedBeam(1064e-9, 1.25, 1.51, 1.33, 1.0)
ORIGIN, X1 = [0.0, 0.0, 0.0], [1e-6, 0.0, 0.0]
RA, RB = [-1e-6, 0.0, 0.0], [1e-6, 0.0, 0.0]


def _case(fn, expect, /, **kwargs):
    label = f"{getattr(fn, '__name__', fn)}-{expect}-" + ",".join(f"{k}={v!r}"[:28] for k, v in kwargs.items())
    return pytest.param(fn, kwargs, expect, id=label)


def _method(obj, method):
    """A bound method as a keyword-callable with a readable name."""
    fn = getattr(obj, method)

    def call(**kwargs):
        return fn(**kwargs)

    call.__name__ = f"{type(obj).__name__}.{method}"
    return call


def _free_energy(**kwargs):
    return jaxem.casimir_free_energy(kwargs.pop("geometry", GEOM), **kwargs)


def _force(**kwargs):
    return jaxem.casimir_force(kwargs.pop("geometry", GEOM), **kwargs)


def _force_gradient(**kwargs):
    return jaxem.casimir_force_gradient(kwargs.pop("geometry", GEOM), **kwargs)


def _entropy(**kwargs):
    return jaxem.casimir_entropy(kwargs.pop("geometry", GEOM), **kwargs)


def _energy_and_force(**kwargs):
    return jaxem.casimir_energy_and_force(kwargs.pop("geometry", GEOM), **kwargs)


def _nano(fn):
    def call(**kwargs):
        args = {"r_a": RA, "r_b": RB, "dphi": 0.0}
        args.update(kwargs)
        return fn(**args)

    call.__name__ = fn.__name__
    return call


def _cp(**kwargs):
    args = dict(r=1e-6, temperature=300.0, radius=1e-7, material=SILICA)
    args.update(kwargs)
    return jaxem.casimir_polder_potential(**args)


def _mie(fn, **base):
    def call(**kwargs):
        return fn(**dict(base, **kwargs))

    call.__name__ = fn.__name__
    return call


def _sphere_plane(**kwargs):
    return SpherePlane(**dict(dict(radius=1e-6, distance=1e-7, sphere=GOLD, plane=GOLD), **kwargs))


def _sphere_sphere(**kwargs):
    return SphereSphere(**dict(dict(radius1=1e-6, radius2=1e-6, distance=1e-7, sphere1=GOLD, sphere2=GOLD),
                               **kwargs))


_sphere_plane.__name__, _sphere_sphere.__name__ = "SpherePlane", "SphereSphere"
_free_energy.__name__, _force.__name__ = "casimir_free_energy", "casimir_force"
_force_gradient.__name__, _entropy.__name__ = "casimir_force_gradient", "casimir_entropy"
_energy_and_force.__name__ = "casimir_energy_and_force"
_cp.__name__ = "casimir_polder_potential"

mie_c = _mie(jaxem.mie_coefficients, x=1.0, m=1.5, l_max=4)
mie_e = _mie(jaxem.mie_efficiencies, x=1.0, m=1.5)
amp = _mie(jaxem.amplitude_matrix, x=1.0, m=1.5, theta=0.3)
refl = _mie(jaxem.sphere_reflection_matrix, omega=1e15, radius=1e-7, material=GOLD, l_max=3)
green = _mie(jaxem.green_tensor, r1=ORIGIN, r2=X1, k=1e7)
prop = _mie(jaxem.dipole_propagator_imag, r1=ORIGIN, r2=X1, kappa=1e6)
pol = _mie(jaxem.polarizability, omega=1e15, radius=1e-7, material=SILICA)
pol_i = _mie(jaxem.polarizability_imag, xi=1e15, radius=1e-7, material=SILICA)
pol_m = _mie(jaxem.mie_polarizabilities, omega=1e15, radius=1e-7, material=SILICA)
pol_l = _mie(jaxem.lorentz_polarizability, omega=1.0, omega_res=1.1, Q=10.0, k=1.0)
lorentz = _mie(LorentzOscillators, eps_inf=1.0, strengths=[1e15], resonances=[2e15], dampings=[1e13])
tab = _mie(TabulatedEpsilon, xi=[1e13, 1e14, 1e15], eps=[3.0, 2.5, 2.0])
rl = _mie(jaxem.random_light_potential, r=1.0, k=6.0, alpha_e=0.01 + 0.01j, alpha_m=0.01 + 0.01j)
rlc = _mie(jaxem.random_light_cluster_potential, positions=[ORIGIN, [1.0, 0.0, 0.0]], k=6.0,
           alpha_e=0.01 + 0.01j, alpha_m=0.01 + 0.01j)
spec = _mie(jaxem.optimize_line_spectrum, V=np.ones((4, 3)))
fit = _mie(jaxem.fit_lorentz_to_mie, radius=100e-9, eps_particle=6.0, eps_host=1.77, wavelengths=[5e-7, 6e-7])
obind = _mie(jaxem.optical_binding_potentials, r_a=RA, r_b=RB, dphi=0.0, alpha_a=0.27, alpha_b=0.27,
             intensity_a=1e10, intensity_b=1e10)
trap = _mie(jaxem.trap_potential, intensity=1e10, alpha=1e-32)
zf = _mie(jaxem.casimir_zero_frequency_term, geometry=GEOM)
bi = _mie(BiIsotropic, eps=2.0)
drude = _mie(Drude, omega_p=1.4e16, gamma=5e13)
diel = _mie(Dielectric, eps=2.0)
beam = _mie(FocusedBeam, wavelength=1064e-9, numerical_aperture=1.25, n_immersion=1.51, n_medium=1.33,
            filling=1.0)
ofe = _mie(jaxem.optical_force_efficiency, beam=BEAM, radius=1e-6, n_sphere=1.57, position=[0.0, 0.0, 0.0])
mfn = jaxem.material_from_name
nano_pot = _nano(jaxem.nanosphere_potentials)
nano_force = _nano(jaxem.nanosphere_forces)
nano_stiff = _nano(jaxem.nanosphere_stiffness)
nano_pair = _nano(jaxem.pair_potential)

CASES = [
    # -- materials -------------------------------------------------------------------------------------
    _case(drude, "omega_p", omega_p=-1.0),
    _case(drude, "omega_p", omega_p=float("nan")),
    _case(drude, "omega_p", omega_p="9 eV"),
    _case(drude, "omega_p", omega_p=1e16 + 1e10j),
    _case(drude, "omega_p", omega_p=None),
    _case(drude, "gamma", gamma=-1.0),
    _case(drude, "gamma", gamma=float("inf")),
    _case(Plasma, "omega_p", omega_p=0.0),
    _case(Plasma, "omega_p", omega_p=[1e16, -1.0]),
    _case(diel, "eps", eps=-2.0),
    _case(diel, "eps", eps=2.0 - 0.1j),
    _case(diel, "eps", eps="glass"),
    _case(diel, "eps", eps=float("nan")),
    _case(diel, "mu", mu=0.0),
    _case(lorentz, "eps_inf", eps_inf=0.0),
    _case(lorentz, "strengths", strengths=[-1e15]),
    _case(lorentz, "resonances", resonances=[0.0]),
    _case(lorentz, "resonances", resonances=[1e15, 2e15]),
    _case(lorentz, "dampings", dampings=[-1.0]),
    _case(lorentz, "strengths", strengths="many"),
    _case(tab, "xi", xi=[1e15, 1e14, 1e13]),
    _case(tab, "xi", xi=[1e13, 1e13, 1e15]),
    _case(tab, "xi", xi=[0.0, 1e14, 1e15]),
    _case(tab, "xi", xi=[1e13]),
    _case(tab, "xi", xi="abc"),
    _case(tab, "eps", eps=[3.0, 2.5]),
    _case(tab, "eps", eps=[3.0, -2.5, 2.0]),
    _case(tab, "eps", eps=[3.0 + 0.1j, 2.5, 2.0]),
    _case(PEMC, "theta", theta=2.0),
    _case(PEMC, "theta", theta=-0.1),
    _case(PEMC, "theta", theta="pec"),
    _case(bi, "eps", eps=-1.0),
    _case(bi, "chi", chi=2.0),
    _case(bi, "kappa", kappa=float("nan")),
    _case(bi, "mu", mu=1j),
    _case(mfn, "name", name="unobtainium"),
    _case(mfn, "name", name=3),
    _case(mfn, "gamma", name="drude", omega_p=1e16),
    _case(mfn, "colour", name="drude", omega_p=1e16, gamma=0.0, colour="red"),
    _case(mfn, "omega_p", name="drude", omega_p=-1.0, gamma=0.0),
    _case(_method(GOLD, "epsilon"), "omega", omega=float("nan")),
    _case(_method(GOLD, "epsilon_imaginary_frequency"), "xi", xi=-1.0),
    _case(_method(GOLD, "epsilon_imaginary_frequency"), "xi", xi=1e15 + 1j),
    # -- Mie scattering ------------------------------------------------------------------------------------
    _case(mie_c, "x", x=-1.0),
    _case(mie_c, "x", x=0.0),
    _case(mie_c, "x", x=float("nan")),
    _case(mie_c, "x", x=1.0 + 1.0j),
    _case(mie_c, "x", x="1"),
    _case(mie_c, "m", m=0.0),
    _case(mie_c, "m", m=float("nan")),
    _case(mie_c, "m", m="glass"),
    _case(mie_c, "l_max", l_max=0),
    _case(mie_c, "l_max", l_max=2.5),
    _case(mie_c, "l_max", l_max=None),
    _case(mie_c, "mu", mu=0.0),
    _case(mie_c, "m", m=[1.5, 1.6, 1.7], x=[1.0, 2.0]),
    _case(mie_e, "x", x=[1.0, -1.0]),
    _case(mie_e, "x", x=float("inf")),
    _case(mie_e, "m", m=0j),
    _case(mie_e, "l_max", l_max=-1),
    _case(mie_e, "mu", mu=float("nan")),
    _case(amp, "theta", theta=float("nan")),
    _case(amp, "theta", theta="forward"),
    _case(amp, "m", m=float("inf")),
    _case(amp, "theta", theta=0.3 + 0.1j),
    _case(refl, "omega", omega=-1.0),
    _case(refl, "omega", omega=1e15 + 1e10j),
    _case(refl, "radius", radius=0.0),
    _case(refl, "radius", radius="100 nm"),
    _case(refl, "material", material="gold"),
    _case(refl, "material", material=None),
    _case(refl, "l_max", l_max=0),
    _case(refl, "medium", medium=jaxem.PerfectConductor()),
    # -- Green tensors and polarizabilities --------------------------------------------------------------------
    _case(green, "r1", r2=ORIGIN),
    _case(green, "r1", r1=[0.0, 0.0]),
    _case(green, "r1", r1=[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]),
    _case(green, "r2", r2=[float("nan"), 0.0, 0.0]),
    _case(green, "r1", r1="origin"),
    _case(green, "r2", r2=[1e-6 + 1e-9j, 0.0, 0.0]),
    _case(green, "k", k=float("nan")),
    _case(green, "k", k=0.0),
    _case(green, "k", k="1e7"),
    _case(prop, "kappa", kappa=-1.0),
    _case(prop, "kappa", kappa=float("nan")),
    _case(prop, "kappa", kappa=1e6 + 1j),
    _case(prop, "r2", r2=[1e-6, 0.0, 0.0, 0.0]),
    _case(pol, "omega", omega=-1.0),
    _case(pol, "radius", radius=-1e-7),
    _case(pol, "radius", radius="1e-7"),
    _case(pol, "material", material="silica"),
    _case(pol_i, "xi", xi=-1.0),
    _case(pol_i, "radius", radius=0.0),
    _case(pol_i, "material", material=None),
    _case(pol_m, "omega", omega=float("nan")),
    _case(pol_m, "radius", radius=1e-7 + 1e-9j),
    _case(pol_m, "material", material=1.5),
    _case(pol_l, "Q", Q=0.0),
    _case(pol_l, "omega_res", omega_res=-1.0),
    _case(pol_l, "k", k=float("nan")),
    _case(pol_l, "omega", omega=1.0 + 0.1j),
    # -- two trapped nanospheres ------------------------------------------------------------------------------
    _case(nano_pot, "r_a", r_a=RB),
    _case(nano_pot, "r_a", r_a=[0.0, 0.0]),
    _case(nano_pot, "r_b", r_b="far away"),
    _case(nano_pot, "r_a", r_a=[-1e-6 + 1e-8j, 0.0, 0.0]),
    _case(nano_pot, "dphi", dphi=0.5j),
    _case(nano_pot, "dphi", dphi=float("nan")),
    _case(nano_pot, "radius", radius=-1e-7),
    _case(nano_pot, "radius", radius=[1e-7, 2e-7]),
    _case(nano_pot, "radius", radius=1e-7 + 1e-9j),
    _case(nano_pot, "temperature", temperature=-1.0),
    _case(nano_pot, "wavelength", wavelength=0.0),
    _case(nano_pot, "intensity_a", intensity_a=-1.0),
    _case(nano_pot, "material", material="silica"),
    _case(nano_pot, "n_matsubara", n_matsubara=0),
    _case(nano_pot, "profile", profile="round"),
    _case(nano_pot, "waist", waist=1e-6),
    _case(nano_pot, "foo", foo=1.0),
    _case(nano_pot, "alpha_tilde", alpha_tilde=0.2 + 0.1j),
    _case(nano_pot, "jones_a", jones_a=(0.0, 0.0)),
    _case(nano_pot, "setup", setup="paper"),
    _case(nano_force, "dphi", dphi="0"),
    _case(nano_force, "temperature", temperature=float("nan")),
    _case(nano_stiff, "radius", radius=0.0),
    _case(nano_stiff, "jones_b", jones_b=(1.0, 0.0, 0.0)),
    _case(nano_pair, "dphi", dphi=1.0),
    _case(nano_pair, "r_b", r_b=[float("inf"), 0.0, 0.0]),
    _case(trap, "intensity", intensity=-1.0),
    _case(trap, "alpha", alpha=1e-32j),
    _case(obind, "wavelength", wavelength=-1.0),
    _case(obind, "r_a", r_a=RB),
    _case(obind, "intensity_b", intensity_b=float("nan")),
    _case(obind, "alpha_a", alpha_a="big"),
    _case(TweezerPair, "radius", radius=-1e-7),
    _case(TweezerPair, "radius", radius="100 nm"),
    _case(TweezerPair, "wavelength", wavelength=float("nan")),
    _case(TweezerPair, "temperature", temperature=-1.0),
    _case(TweezerPair, "profile", profile="x"),
    _case(TweezerPair, "n_matsubara", n_matsubara=0),
    _case(TweezerPair, "material", material="silica"),
    _case(TweezerPair, "intensity_a", intensity_a=-1.0),
    _case(_cp, "r", r=-1e-6),
    _case(_cp, "r", r=1e-6 + 1e-9j),
    _case(_cp, "r", r="1 um"),
    _case(_cp, "temperature", temperature=-1.0),
    _case(_cp, "temperature", temperature=300.0 + 1j),
    _case(_cp, "radius", radius=[1e-7, 2e-7]),
    _case(_cp, "radius", radius=0.0),
    _case(_cp, "material", material="silica"),
    _case(_cp, "radius_b", radius_b=-1e-7),
    _case(_cp, "material_b", material_b=3),
    _case(_cp, "n_matsubara", n_matsubara=0),
    _case(_cp, "n_matsubara", n_matsubara=8.5),
    # -- random light ----------------------------------------------------------------------------------------
    _case(rl, "r", r=-1.0),
    _case(rl, "r", r=1.0 + 1j),
    _case(rl, "k", k=0.0),
    _case(rl, "k", k=float("nan")),
    _case(rl, "alpha_e", alpha_e=float("nan")),
    _case(rl, "alpha_m", alpha_m="small"),
    _case(rlc, "positions", positions=[ORIGIN]),
    _case(rlc, "positions", positions=[ORIGIN, ORIGIN]),
    _case(rlc, "positions", positions=ORIGIN),
    _case(rlc, "k", k=-6.0),
    _case(rlc, "positions", positions=[ORIGIN, [1.0 + 0.5j, 0.0, 0.0]]),
    _case(spec, "V", V=np.full((4, 3), np.nan)),
    _case(spec, "V", V=np.ones(3)),
    _case(spec, "V", V=np.ones((4, 3)) * 1j),
    _case(spec, "n_iter", n_iter=0),
    _case(fit, "radius", radius=-1.0),
    _case(fit, "eps_host", eps_host=0.0),
    _case(fit, "wavelengths", wavelengths=[-5e-7, 6e-7]),
    _case(fit, "eps_particle", eps_particle=float("nan")),
    # -- Casimir geometries, engines and energies -----------------------------------------------------------------
    _case(_sphere_plane, "radius", radius=-1e-6),
    _case(_sphere_plane, "radius", radius="1 um"),
    _case(_sphere_plane, "distance", distance=0.0),
    _case(_sphere_plane, "distance", distance=1e-7 + 1e-9j),
    _case(_sphere_plane, "distance", distance=float("nan")),
    _case(_sphere_plane, "sphere", sphere="gold"),
    _case(_sphere_plane, "plane", plane=None),
    _case(_sphere_plane, "medium", medium="water"),
    _case(_sphere_sphere, "radius1", radius1=0.0),
    _case(_sphere_sphere, "radius2", radius2=float("inf")),
    _case(_sphere_sphere, "distance", distance=-1e-7),
    _case(_sphere_sphere, "sphere2", sphere2=1.5),
    _case(PlaneWave, "rtol", rtol=0.0),
    _case(PlaneWave, "rtol", rtol=-1e-6),
    _case(PlaneWave, "rtol", rtol=2.0),
    _case(PlaneWave, "eta", eta=0.0),
    _case(PlaneWave, "eta", eta=-1.0),
    _case(PlaneWave, "eta", eta="fine"),
    _case(PlaneWave, "frequencies", frequencies="fast"),
    _case(PlaneWave, "truncation", truncation=(10, 10)),
    _case(PlaneWave, "truncation", truncation=(10, 10, 0)),
    _case(PlaneWave, "truncation", truncation=12),
    _case(PlaneWave, "n_frequencies", n_frequencies=0),
    _case(PlaneWave, "n_t0", n_t0=0),
    _case(PlaneWave, "t0_step", t0_step=-0.1),
    _case(PlaneWave, "chunk_size", chunk_size=0),
    _case(PlaneWave, "group_spread", group_spread=0.5),
    _case(PlaneWave, "screened", screened="yes"),
    _case(ZeroFrequency, "eta", eta=0.0),
    _case(Multipole, "eta", eta=-10.0),
    _case(Multipole, "l_max", l_max=0),
    _case(Multipole, "l_max", l_max=(5, 0, 2)),
    _case(Multipole, "m_max", m_max=-1),
    _case(StaticPlaneWave, "n_k", n_k=0),
    _case(StaticPlaneWave, "n_phi", n_phi=2.5),
    _case(StaticPlaneWave, "group_spread", group_spread=0.5),
    _case(StaticPlaneWave, "batch_size", batch_size=0),
    _case(StaticPlaneWave, "batch_size", batch_size="big"),
    _case(ProximityForce, "rtol", rtol=0.0),
    _case(ProximityForce, "n_k", n_k=1),
    _case(ProximityForce, "n_frequencies", n_frequencies=0),
    _case(ProximityForce, "n_t0", n_t0=-3),
    _case(_free_energy, "geometry", geometry="sphere-plane"),
    _case(_free_energy, "geometry", geometry=1e-6),
    _case(_free_energy, "temperature", temperature=-1.0),
    _case(_free_energy, "temperature", temperature=float("nan")),
    _case(_free_energy, "temperature", temperature=300.0 + 1j),
    _case(_free_energy, "temperature", temperature="room"),
    _case(_free_energy, "engine", engine="planewave"),
    _case(_free_energy, "temperature", temperature=0.0, engine=ZeroFrequency()),
    _case(_free_energy, "foo", temperature=300.0, foo=1),
    _case(_force, "temperature", temperature=-1.0),
    _case(_force, "engine", engine=PlaneWave),
    _case(_force, "geometry", geometry=None),
    _case(_force_gradient, "temperature", temperature=float("inf")),
    _case(_entropy, "temperature", temperature=0.0),
    _case(_energy_and_force, "temperature", temperature=-1.0),
    _case(_energy_and_force, "force_gradient", temperature=300.0, force_gradient="yes"),
    _case(_energy_and_force, "geometry", geometry=None),
    _case(zf, "geometry", geometry=3),
    _case(zf, "engine", engine=PlaneWave()),
    _case(zf, "engine", engine="multipole"),
    # -- optical tweezers (validated in the optics wing; a few rows) ------------------------------------------------
    _case(beam, "wavelength", wavelength=-1.0),
    _case(beam, "numerical_aperture", numerical_aperture=0.0),
    _case(beam, "helicity", helicity=0),
    _case(ofe, "radius", radius=-1e-6),
    _case(ofe, "n_sphere", n_sphere=float("nan")),
    _case(ofe, "l_max", l_max=0),
]


@pytest.mark.parametrize("fn, kwargs, name", CASES)
def test_bad_input_raises_value_error_naming_the_parameter(fn, kwargs, name):
    with pytest.raises(ValueError) as exc:
        fn(**kwargs)
    assert re.search(rf"\b{re.escape(name)}\b", str(exc.value)), str(exc.value)


def test_table_covers_every_public_function_outside_optics():
    """Every public callable of jaxem.__all__ outside the optics wing has at least one row."""
    covered = {getattr(p.values[0], "__name__", "") for p in CASES}
    covered |= {getattr(p.values[0], "__name__", "").split(".")[0] for p in CASES}
    skip = {"Float64Required", "Material", "MieEfficiencies", "PerfectConductor", "Dirichlet", "__version__"}
    missing = []
    for name in jaxem.__all__:
        obj = getattr(jaxem, name)
        if name in skip or not callable(obj) or obj.__module__.startswith("jaxem.optics"):
            continue
        if name not in covered:
            missing.append(name)
    assert not missing, missing


def test_checks_let_traced_values_through():
    """Inside jit / grad / vmap the values are unknown: the checks pass tracers through (shapes are still checked)."""
    import jax
    import jax.numpy as jnp

    from jaxem import _checks

    def f(x):
        _checks.check_positive("x", x)
        _checks.check_real("x", x)
        _checks.check_nonzero("x", x)
        _checks.check_range("x", x, 0.0, 1.0)
        _checks.check_scalar("x", x)
        _checks.check_shape("v", jnp.stack([x, x, x]), (3,), batch=False)
        _checks.check_broadcast(x=x, y=jnp.ones(3))
        return 2.0 * x

    assert float(jax.jit(f)(5.0)) == 10.0          # out of (0, 1), but traced: not the checks' business
    assert float(jax.grad(f)(-3.0)) == 2.0
    with pytest.raises(ValueError, match="v must have shape"):
        jax.jit(lambda x: _checks.check_shape("v", jnp.stack([x, x]), (3,), batch=False))(1.0)
    r2 = jnp.array([[1e-6, 0.0, 0.0], [0.0, 2e-6, 0.0]])
    g = jax.vmap(lambda r: jaxem.green_tensor(jnp.zeros(3), r, 1e7))(r2)
    np.testing.assert_allclose(g[1], jaxem.green_tensor([0.0, 0.0, 0.0], [0.0, 2e-6, 0.0], 1e7))
