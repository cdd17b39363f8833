"""Fuzz targets: run for minutes with ``make fuzz``; their bounded runs are in the tests."""
