"""The package version, importable without the package root (whose entry points import the server and
the magics): modules that report the version import it from here."""

__version__ = "0.1.0"
