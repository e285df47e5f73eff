"""Mahrem: who may see a person's health data in Turkey, and the record of who did."""
