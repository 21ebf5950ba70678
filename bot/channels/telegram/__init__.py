"""The Telegram adapter: residents' chats and the dispatchers' group."""

# The channel's name wherever it is stored: messages, updates, outboxes and their leases.
CHANNEL = "telegram"
