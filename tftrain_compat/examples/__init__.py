"""TF1's ``tensorflow.examples`` package, as far as legacy training scripts use it."""
