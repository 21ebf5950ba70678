"""The Telegram adapter: residents' chats and the dispatchers' group."""
