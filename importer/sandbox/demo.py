"""Built-in demo master data: the parts and customers the sandbox knows and `sample_data/` uses.

Some ids look like numbers on purpose (``000417``, ``4711``): a loader that turns them into numbers
loses the leading zeros or adds a ``.0``, and the sandbox then answers PART_NOT_FOUND.
"""
from __future__ import annotations

from importer.entities import CUSTOMER_MASTER_FIELDS, PART_MASTER_FIELDS

# One tuple per part, in the order of entities.PART_MASTER_FIELDS.
_PARTS = [
    ("PUMP001", "Small hydraulic pump", "M", "EA", "A", "120.50", "PUMPS", "1", "1"),
    ("PUMP002", "Large hydraulic pump", "M", "EA", "A", "410.00", "PUMPS", "1", "1"),
    ("PUMP003", "Hydraulic pump, stainless", "M", "EA", "A", "655.25", "PUMPS", "1", "1"),
    ("PUMP004", "Diaphragm pump 1/2 in", "M", "EA", "A", "88.10", "PUMPS", "5", "5"),
    ("PUMP005", "Diaphragm pump 1 in", "M", "EA", "A", "132.40", "PUMPS", "5", "5"),
    ("PUMP006", "Gear pump 12 cc", "P", "EA", "A", "74.95", "PUMPS", "1", "1"),
    ("PUMP007", "Gear pump 25 cc", "P", "EA", "A", "97.30", "PUMPS", "1", "1"),
    ("PUMP008", "Centrifugal pump 3 kW", "M", "EA", "A", "512.00", "PUMPS", "1", "1"),
    ("VALVE-100", "Ball valve 1/4 in brass", "P", "EA", "A", "4.12", "VALVES", "10", "10"),
    ("VALVE-101", "Ball valve 1/2 in brass", "P", "EA", "A", "5.87", "VALVES", "10", "10"),
    ("VALVE-102", "Ball valve 1 in brass", "P", "EA", "A", "9.64", "VALVES", "10", "10"),
    ("VALVE-200", "Check valve 1/2 in", "P", "EA", "A", "7.05", "VALVES", "10", "10"),
    ("VALVE-201", "Check valve 1 in", "P", "EA", "A", "11.48", "VALVES", "10", "10"),
    ("VALVE-300", "Solenoid valve 24 V", "P", "EA", "A", "38.90", "VALVES", "1", "1"),
    ("HOSE-050", "Hydraulic hose 1/2 in", "P", "FT", "A", "1.35", "HOSES", "100", "50"),
    ("HOSE-075", "Hydraulic hose 3/4 in", "P", "FT", "A", "1.92", "HOSES", "100", "50"),
    ("HOSE-100", "Hydraulic hose 1 in", "P", "FT", "A", "2.64", "HOSES", "100", "50"),
    ("FIT-1001", "JIC fitting 1/2 in", "P", "EA", "A", "0.84", "FITTINGS", "50", "25"),
    ("FIT-1002", "JIC fitting 3/4 in", "P", "EA", "A", "1.12", "FITTINGS", "50", "25"),
    ("FIT-1003", "NPT adapter 1/2 in", "P", "EA", "A", "0.67", "FITTINGS", "50", "25"),
    ("SEAL-KIT-A", "Seal kit, small pumps", "P", "KT", "A", "6.20", "SPARES", "1", "1"),
    ("SEAL-KIT-B", "Seal kit, large pumps", "P", "KT", "A", "9.75", "SPARES", "1", "1"),
    ("FILTER-10", "Return filter 10 micron", "P", "EA", "A", "14.30", "FILTERS", "6", "6"),
    ("FILTER-25", "Return filter 25 micron", "P", "EA", "A", "12.10", "FILTERS", "6", "6"),
    ("MOTOR-1HP", "Electric motor 1 hp", "P", "EA", "A", "145.00", "MOTORS", "1", "1"),
    ("MOTOR-3HP", "Electric motor 3 hp", "P", "EA", "A", "289.00", "MOTORS", "1", "1"),
    ("TANK-20L", "Reservoir 20 l", "M", "EA", "A", "61.40", "TANKS", "1", "1"),
    ("TANK-50L", "Reservoir 50 l", "M", "EA", "A", "103.80", "TANKS", "1", "1"),
    ("000417", "Gasket, pump housing", "P", "EA", "A", "0.31", "SPARES", "100", "100"),
    ("000418", "O-ring 32 x 2.5", "P", "EA", "A", "0.07", "SPARES", "100", "100"),
    ("00123", "Coupling insert", "P", "EA", "A", "2.15", "SPARES", "10", "10"),
    ("4711", "Pressure gauge 0-250 bar", "P", "EA", "A", "18.60", "GAUGES", "1", "1"),
    ("4712", "Pressure gauge 0-400 bar", "P", "EA", "A", "21.90", "GAUGES", "1", "1"),
    ("CYL-50-200", "Cylinder 50 bore 200 stroke", "M", "EA", "A", "182.00", "CYLINDERS", "1", "1"),
    ("CYL-63-300", "Cylinder 63 bore 300 stroke", "M", "EA", "A", "236.50", "CYLINDERS", "1", "1"),
    ("OBS-9000", "Obsolete pump, do not sell", "M", "EA", "O", "99.00", "PUMPS", "1", "1"),
]

PART_COLUMNS = PART_MASTER_FIELDS
DEMO_PARTS: list[dict[str, str]] = [dict(zip(PART_COLUMNS, p)) for p in _PARTS]

CUSTOMER_COLUMNS = CUSTOMER_MASTER_FIELDS
DEMO_CUSTOMERS: list[dict[str, str]] = [
    dict(zip(CUSTOMER_COLUMNS, c))
    for c in [
        ("ABCCORP", "ABC Corporation"),
        ("ACME", "Acme Industrial Supply"),
        ("BLUEWATER", "Bluewater Marine"),
        ("DELTAFAB", "Delta Fabrication"),
        ("EUROHYD", "Euro Hydraulik GmbH"),
        ("GREENFARM", "Green Farm Equipment"),
        ("NORTHSTAR", "Northstar Mining"),
        ("PACIFIC", "Pacific Pumps & Valves"),
        ("00042", "Customer 00042 (numeric id)"),
        ("1001", "Municipal Water Works"),
        ("TRI-STATE", "Tri-State Irrigation"),
        ("ZENITH", "Zenith Automation"),
    ]
]

DEMO_DATA_SOURCE = "DEMO"
DEMO_USER = "APIUSER"
DEMO_PASSWORD = "sandbox"
