"""Vetbridge: France-Ukraine cooperation platform for veterans."""

__version__ = "0.1.0"
