"""The package version (one home: the package, the sweeps' run records and the docs read it here)."""
__version__ = "0.1.0"
