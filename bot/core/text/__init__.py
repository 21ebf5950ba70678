"""Plain text helpers: addresses, phone numbers, languages, redaction."""
