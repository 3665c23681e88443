"""Helpers shared by the tests: PKIs, TLS servers, oracles (one module per concern)."""
