"""One board per page: what a page draws for a run (charts redrawn in place, numbers, bars)."""
