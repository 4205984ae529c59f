"""importer: load price lists and customer part numbers from spreadsheets into Expandable ERP."""

__version__ = "0.1.0"
