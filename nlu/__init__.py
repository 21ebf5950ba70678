"""Rasa pipeline components of the hotline (loaded by the Rasa server, Python 3.10)."""
