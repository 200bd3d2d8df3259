"""Benchmarks of firescore against the I/O floor and a naive stack (not part of the product)."""
