"""Message classification: is this message a scam, and which red flags show it.

``model`` scores a message (scam, spam or ham) with the shipped model file, ``training`` makes
that file, ``language`` and ``scam_types`` name the message's language and likely scam type,
``redflags`` finds the red flags.
"""
