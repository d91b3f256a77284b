"""Pulumi dynamic provider for useapi.net PixVerse v1 accounts."""
