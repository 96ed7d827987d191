"""termbase: a Chinese-English terminology service."""

__version__ = "0.1.0"
