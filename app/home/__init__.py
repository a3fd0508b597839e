"""Each role's home page after login: what it works on, within its organisations."""
