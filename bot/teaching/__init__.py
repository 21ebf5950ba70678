"""The admins' loop: inbox, examples, intents, training, evaluation, model activation."""
