"""Reports and verdicts: intake from every source, deduplication, and the check answer."""
