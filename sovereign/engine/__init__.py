"""Offline engine: the Pulumi mock runtime with a recording monitor (see ``recorder``)."""
