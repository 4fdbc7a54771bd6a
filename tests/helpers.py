"""Shared test helpers: jit / vmap / grad consistency of a kernel, checked the same way everywhere."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def _real_leaves(value):
    out = []
    for leaf in jax.tree_util.tree_leaves(value):
        a = np.asarray(leaf)
        out.append(np.concatenate([a.real.ravel(), a.imag.ravel()]) if np.iscomplexobj(a) else a.ravel())
    return np.concatenate(out)


def assert_transforms(fn, x0, batch, *, h=None, rtol=1e-13, grad_rtol=1e-7, grad=True, project=None):
    """Check one scalar argument x of ``fn(x)`` (close over the others):

    * ``jax.jit(fn)(x0)`` equals ``fn(x0)`` (rtol);
    * ``jax.vmap(fn)(batch)`` equals a Python loop over ``batch`` (rtol);
    * when ``grad``: ``jax.grad(project(fn(x)))(x0)`` equals central differences with step ``h`` (default
      1e-6 |x0|) to ``grad_rtol``; ``project`` maps the result to a real scalar (default: the sum of the real
      parts of every leaf).
    """
    eager = _real_leaves(fn(x0))
    np.testing.assert_allclose(_real_leaves(jax.jit(fn)(x0)), eager, rtol=rtol, atol=1e-300)
    batch = jnp.asarray(batch)
    mapped = jax.vmap(fn)(batch)
    loop = [fn(x) for x in batch]
    for i in range(batch.shape[0]):
        got = _real_leaves(jax.tree_util.tree_map(lambda a, i=i: a[i], mapped))
        np.testing.assert_allclose(got, _real_leaves(loop[i]), rtol=rtol, atol=1e-300)
    if not grad:
        return
    if project is None:
        def project(value):
            return sum(jnp.sum(jnp.real(leaf)) for leaf in jax.tree_util.tree_leaves(value))
    scalar = lambda x: project(fn(x))  # noqa: E731
    h = 1e-6 * abs(float(x0)) if h is None else h
    fd = (float(scalar(x0 + h)) - float(scalar(x0 - h))) / (2 * h)
    g = float(jax.jit(jax.grad(scalar))(jnp.asarray(x0, jnp.float64)))
    np.testing.assert_allclose(g, fd, rtol=grad_rtol)


def geometry(L, R1, R2, material1, material2=None, medium=None):
    """The Casimir face's geometry of a sphere of radius R1 [m] at surface distance L [m] from a second body:
    :class:`jaxem.SpherePlane` when R2 is +inf (a plane), else :class:`jaxem.SphereSphere` (R2 may be traced);
    material2 defaults to material1.  For tests that sweep the second body between a plane and a sphere."""
    import jaxem

    material2 = material1 if material2 is None else material2
    plane = isinstance(R2, (int, float, np.floating)) and bool(np.isinf(R2))
    if plane:
        return jaxem.SpherePlane(radius=R1, distance=L, sphere=material1, plane=material2, medium=medium)
    return jaxem.SphereSphere(radius1=R1, radius2=R2, distance=L, sphere1=material1, sphere2=material2,
                              medium=medium)


def zero_frequency_force(geometry, engine=None, temperature=300.0):
    """-d(F_0/k_B T)/dL [1/m] of the zero-frequency term, through the face: the high-temperature force
    casimir_force(geometry, T, engine) divided by k_B T (independent of T > 0)."""
    import jaxem
    from jaxem.constants import k_B

    return jaxem.casimir_force(geometry, temperature, engine=engine) / (k_B * temperature)
