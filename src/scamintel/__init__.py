"""scamintel: a node that checks, collects and shares scam intelligence across borders."""

__version__ = "0.1.0"
