"""A small Django project that the integration tests run against."""
