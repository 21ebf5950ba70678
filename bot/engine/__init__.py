"""The Rasa side: its HTTP client, its processes (train, run), their supervision and health."""
