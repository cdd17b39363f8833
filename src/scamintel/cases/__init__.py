"""Enforcement coordination: cases opened from operations, and cross-border requests to
partner nodes with their status workflow and SLA clocks."""
