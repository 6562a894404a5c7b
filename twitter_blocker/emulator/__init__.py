"""A faithful loopback emulator of X's web API, built from x-api.md alone."""
