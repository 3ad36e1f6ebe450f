"""The cites-permits domain library: permit model, signed envelope, QR, documents, verification.

Nothing in this package prints or exits; the command-line layer in ``cli`` wires these pieces together.
"""
