"""Test configuration: float64 everywhere, as in the library."""
import jax

jax.config.update("jax_enable_x64", True)
