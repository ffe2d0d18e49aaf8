"""Private implementation of tftrain_compat. Public names live in the package's thin fronts."""
