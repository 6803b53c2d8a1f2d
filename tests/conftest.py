"""Shared pytest configuration: pytester runs the secpolicy plugin in isolated projects."""

pytest_plugins = ["pytester"]
