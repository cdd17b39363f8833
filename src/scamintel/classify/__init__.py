"""Message classification: is this message a scam, and which red flags show it."""
