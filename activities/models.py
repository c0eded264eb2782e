"""activities models arrive with their issues."""
