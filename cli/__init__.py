"""The ``cites`` command-line interface: thin Typer commands that wire the domain library together."""
