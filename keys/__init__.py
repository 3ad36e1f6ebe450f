"""Key and trust management: Management Authority signing keys, their certificates and the trust store."""
