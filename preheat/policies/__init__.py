"""Preheat policies: which images of a project go to which provider instance."""
