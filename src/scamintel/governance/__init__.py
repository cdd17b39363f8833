"""Data governance: the tamper-evident audit log and, later, retention and data-subject rights."""
