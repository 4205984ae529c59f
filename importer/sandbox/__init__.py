"""The sandbox: a local Expandable-compatible API server for rehearsals, the demo and the tests."""
