"""Citizen protection: what a node publishes of its verdicts (listings), and the private ways
to look them up: hash-prefix ranges, downloadable bundles and blocklists."""
