"""`ponte` and its sub-commands, and the shell."""
