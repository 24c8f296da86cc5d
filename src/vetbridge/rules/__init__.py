"""Reparation rights as code. Pure Python: no Django import anywhere in this package."""
