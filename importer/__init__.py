"""importer: load price lists and customer part numbers from spreadsheets into Expandable ERP.

The package reads like the pipeline (docs/architecture.md):

    reading -> checks -> erp -> journal -> workbooks,  runs wires them,  cli and web talk to people

Ground modules at this level: entities (the registry), model (plain values between stages),
errors (what stops a run), rules (a price list's rule settings), settings/ (one frozen Settings),
humane (numbers and times as people read them), csvtext (the CSV formula guard).

Public names kept for scripts: ``importer.run_import`` (``importer.runs.runner.run_import``) and
``importer.read_table`` (``importer.reading.read_table``), loaded on first use.
"""

__version__ = "0.1.0"

_LAZY = {"run_import": ("importer.runs.runner", "run_import"),
         "ImportResult": ("importer.runs.runner", "ImportResult"),
         "read_table": ("importer.reading", "read_table")}


def __getattr__(name: str):
    """The public library names, imported when first asked for (keeps `import importer` light
    and the ground free of imports from later stages)."""
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'importer' has no attribute {name!r}")
