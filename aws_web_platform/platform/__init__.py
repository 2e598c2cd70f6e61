"""Platform: the whole environment of one stack, composed from the other packages."""
