"""Phases of the policy brief generator, in the order generate.py runs them:
load -> validate -> theme -> compose -> pdf."""

__version__ = "0.1.0"
