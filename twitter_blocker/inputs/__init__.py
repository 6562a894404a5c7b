"""What the user hands us: cookie exports and target lists."""
