"""Residents' conversations: texts, the outbox, buttons, chat links, updates, attachments, privacy."""
