"""Service views by subject: requests, reception point, library, statistics and the register."""
