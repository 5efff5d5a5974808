"""Piles: one provider's claims in one billing month, vetted as a batch."""
