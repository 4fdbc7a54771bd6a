"""One batch-size rule per backend (jaxem._batching) and power-of-two buckets for grouped distance batches
(issue #16 §5, second bullet)."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxem
from jaxem import _batching
from jaxem.casimir import free_energy as fe


def test_auto_batch_size_rule():
    # CPU: one element at a time (exactly lax.map without batch_size)
    assert _batching.auto_batch_size(1000, 2**20, backend="cpu") is None
    assert _batching.auto_batch_size(1, 2**20, backend="gpu") is None
    # accelerator: memory-bound, at most 256, at most n (16 GiB assumed where the device is not visible)
    mem = _batching.device_memory_bytes("gpu")
    share = int(_batching.ACCELERATOR_MEMORY_SHARE * mem)
    assert _batching.auto_batch_size(1000, 2**20, backend="gpu") == min(256, share // 2**20)
    assert _batching.auto_batch_size(10, 1, backend="gpu") == 10
    assert _batching.auto_batch_size(1000, 10 * mem, backend="gpu") == 1
    # batched_map equals lax.map on every backend rule
    xs = jnp.arange(7.0)
    np.testing.assert_array_equal(_batching.batched_map(jnp.sin, xs, 8), jax.lax.map(jnp.sin, xs))
    assert [_batching.bucket_size(n) for n in (1, 2, 3, 5, 7, 8, 9)] == [1, 2, 4, 8, 8, 8, 16]


def test_bucketed_groups_keep_order():
    Lg = np.array([[1.0, 1.2, 1.5, 1.0, 1.0], [3.0, 3.5, 3.0, 3.0, 3.0], [7.0, 7.0, 7.0, 7.0, 7.0]])
    gather = np.array([0, 1, 2, 5, 6, 10])
    out, g = fe._bucketed(Lg, gather)
    assert out.shape == (4, 8)
    np.testing.assert_array_equal(out.reshape(-1)[g], Lg.reshape(-1)[gather])
    np.testing.assert_array_equal(out[:3, 5:], np.repeat(Lg.min(axis=1, keepdims=True), 3, axis=1))


def test_group_sizes_5_and_7_share_one_compiled_program():
    gold = jaxem.Drude.gold()
    geometry = lambda L: jaxem.SpherePlane(radius=0.2e-6, distance=L, sphere=gold, plane=gold)  # noqa: E731
    L7 = jnp.linspace(1.0e-6, 1.6e-6, 7)
    engine = jaxem.PlaneWave().sized_for(geometry(L7), 300.0)
    size0 = fe._free_energy_groups._cache_size()
    f5 = jaxem.casimir_free_energy(geometry(L7[:5]), 300.0, engine=engine)
    size5 = fe._free_energy_groups._cache_size()
    f7 = jaxem.casimir_free_energy(geometry(L7), 300.0, engine=engine)
    assert fe._free_energy_groups._cache_size() == size5 <= size0 + 1
    # same group grid (L_min) for both batches: the common gaps agree to rounding
    np.testing.assert_allclose(np.asarray(f5), np.asarray(f7)[:5], rtol=1e-13)
    assert np.all(np.asarray(f7) < 0)


@pytest.mark.parametrize("n", [3, 6])
def test_thermal_sums_unchanged_on_cpu(n):
    # the frequency maps now go through batched_map: on the CPU exactly the former lax.map
    f = lambda xi: jnp.exp(-xi / 1e14) * jnp.cos(xi / 3e13)  # noqa: E731
    got = jaxem.thermal.thermal_sum(f, 300.0, n)
    xi, w = jaxem.thermal.thermal_nodes(300.0, n)
    ref = jaxem.constants.k_B * 300.0 * jnp.sum(w * jax.lax.map(f, xi))
    assert float(got) == float(ref)
