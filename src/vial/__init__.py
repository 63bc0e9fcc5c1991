"""vial."""
