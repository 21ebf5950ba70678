"""Custom Rasa actions and form validators: thin adapters from Rasa to the ticket core (bot/)."""
