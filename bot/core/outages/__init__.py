"""Outages and mass incidents (R10): the register, detection, the desk, announcements."""
