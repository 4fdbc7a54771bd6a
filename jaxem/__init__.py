"""jaxem: differentiable, batched optical and Casimir forces on spheres and nanoparticles.

Importing jaxem switches JAX to 64-bit floats (``jax_enable_x64``): results are float64,
internals complex128.
"""
import jax as _jax

_jax.config.update("jax_enable_x64", True)

__version__ = "0.1.0"

# Curated public API (re-exports) -- extended as modules land.
