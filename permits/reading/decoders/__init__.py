"""QR decoders behind one interface: zxing-cpp and zbar (pyzbar)."""
