"""services models arrive with their issues."""
