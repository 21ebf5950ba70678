"""Adapters between residents' channels (web chat, terminal, Telegram) and the conversation engine."""
