"""Waves, responses and contact details: where the instruments' answers are stored."""
