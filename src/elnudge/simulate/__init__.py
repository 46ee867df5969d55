"""Simulated storefront traffic for the demo, the tests and the benchmarks."""

from elnudge.simulate.catalogue import CATALOGUE, Product
from elnudge.simulate.traffic import SimulatedSession, simulate_sessions

__all__ = ["CATALOGUE", "Product", "SimulatedSession", "simulate_sessions"]
