"""The composition root: builds the python-telegram-bot Application, wires the services, runs polling.
The only package that imports handlers/."""
