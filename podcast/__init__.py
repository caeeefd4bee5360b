"""Production and publishing pipeline for the "Code Severe" podcast."""

__version__ = "0.1.0"
