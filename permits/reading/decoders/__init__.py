"""QR decoders behind one interface (``interface.Decoder``): zxing-cpp (``zxing``) and zbar (``zbar``)."""
