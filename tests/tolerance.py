"""The one float tolerance of the test suite (exact checks use fractions and no tolerance)."""

#: Largest accepted float rounding error in a checked inequality or identity.
FLOAT_TOLERANCE = 1e-9
