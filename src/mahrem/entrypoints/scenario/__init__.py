"""The scenario runner: a door that plays conformance stories through the use cases."""
