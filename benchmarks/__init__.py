"""vial's benchmark harness: the same endpoints in vial and its peers, measured in process."""
