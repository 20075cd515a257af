"""The shipped data: reviews, their catalogue and the book manifest (data only, no code)."""
