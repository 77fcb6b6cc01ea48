"""The package version, in a base module so that any layer may name it (exports sign with it)."""

__version__ = "0.1.0"
