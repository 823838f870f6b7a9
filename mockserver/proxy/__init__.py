"""The contract held against real traffic: a validating proxy and an offline HAR check."""
