"""Side-by-side benchmarks of secpolicy and the libraries it replaces."""
