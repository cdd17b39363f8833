"""Network analysis: reports linked through shared values into scam operations, their
summaries and ranking, and dossiers for investigators."""
