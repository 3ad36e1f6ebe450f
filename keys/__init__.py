"""Key and trust management: Management Authority signing keys and their certificates (``keyfile``), the signed
JSON documents (``signed``), trust (``trust/``) and revoked-permit lists (``revocation/``)."""
