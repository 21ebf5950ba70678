"""The ticket core: no web, chat, Rasa or template imports (import-linter keeps it so)."""
