"""The entity registry: everything the tool knows about the Expandable API's record endpoints.

This is the only module that spells out a field list. Templates, reading, validation, the sandbox
server and the dispatcher all derive their facts from the definitions below, so a new endpoint is
one more ``Entity`` here, not five edits elsewhere.

Sources: the vendor's pages in ``shared/seeds`` and ``shared/API_CONTRACT.md``.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """What a field holds, as far as the name or documentation makes it unambiguous."""

    TEXT = "text"  # anything; sent as the person sees it
    ID = "id"  # text that must keep leading zeros (part numbers, codes)
    DATE = "date"  # YYYY-MM-DD
    INTEGER = "integer"  # whole number
    DECIMAL = "decimal"  # number; quantities and prices, never negative
    PERCENT = "percent"  # number from 0 to 100
    FLAG = "flag"  # Y or N
    LONG_TEXT = "long_text"  # NOTES: up to 32,765 characters
    ATTACHMENTS = "attachments"  # '|'-separated URLs or file paths

    @property
    def numeric(self) -> bool:
        return self in (Kind.INTEGER, Kind.DECIMAL, Kind.PERCENT)


NOTES_MAX_CHARS = 32765
ATTACHMENT_SEPARATOR = "|"
FLAG_VALUES = ("Y", "N")


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind = Kind.TEXT
    max_length: int | None = None
    example: str = ""
    description: str = ""
    currency: bool = False  # a currency code: three letters is expected (a warning otherwise)
    unit_price: bool = False  # the unit price that should not rise with the quantity break
    quantity_break: bool = False  # the quantity a price applies from
    aliases: tuple[str, ...] = ()  # common English headers that mean this field ('Unit Price')

    @property
    def numeric(self) -> bool:
        return self.kind.numeric


@dataclass(frozen=True)
class Entity:
    """One record type of the API, with its create and update endpoints."""

    name: str  # CLI name: product-price
    label: str  # documentation name: Product Price
    program: str  # Expandable program that owns it (SOEPL)
    fields: tuple[Field, ...]  # Full Request JSON fields in documented order, AUTH_TOKEN excluded
    response_fields: tuple[str, ...]  # success response fields in documented order
    key: tuple[str, ...]  # the fields that locate one record
    required_create: tuple[str, ...]  # required by create (besides AUTH_TOKEN)
    create_path: str
    update_path: str
    update_documented: bool = True  # False: known from an earlier version of the documentation
    # Fields the server fills in on create when they are omitted ([sandbox] defaults).
    create_defaults: tuple[str, ...] = ()
    # A field that, together with the key minus quantity_break, groups quantity breaks.
    end_date_field: str | None = None
    start_date_field: str | None = None
    # Record types whose records this one refers to: a workbook holding both imports those
    # sheets first (see import_order). None among today's two.
    depends_on: tuple[str, ...] = ()

    # --- derived facts -----------------------------------------------------------------------
    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required_update(self) -> tuple[str, ...]:
        """Update needs the key plus at least one other field (checked separately)."""
        return self.key

    @property
    def non_key_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.name not in self.key)

    def field(self, name: str) -> Field:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.label} has no field {name}") from None

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    @property
    def _by_name(self) -> dict[str, Field]:
        cache = self.__dict__.get("_by_name_cache")
        if cache is None:
            cache = {f.name: f for f in self.fields}
            object.__setattr__(self, "_by_name_cache", cache)
        return cache

    def aliases(self) -> dict[str, tuple[str, ...]]:
        """Field -> its built-in alternative headers (shown by `importer entities --aliases`)."""
        return {f.name: f.aliases for f in self.fields if f.aliases}

    def fields_of_kind(self, *kinds: Kind) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind in kinds)

    def key_of(self, values: dict[str, str]) -> tuple[str, ...]:
        """The record key of a request's values ('' for a key field not given), numbers in one
        spelling so that ORDER_QTY 1, 1.0 and 1.00 are one key (the values sent are unchanged)."""
        return self.canonical_key(tuple(values.get(k, "") for k in self.key))

    def canonical_key(self, key: tuple[str, ...]) -> tuple[str, ...]:
        numeric = self.__dict__.get("_numeric_keys")
        if numeric is None:
            numeric = tuple(self.field(k).numeric for k in self.key)
            object.__setattr__(self, "_numeric_keys", numeric)
        if not any(numeric):
            return key
        return tuple(canonical_number(v) if n else v for v, n in zip(key, numeric))

    def describe_key(self, key: tuple[str, ...]) -> str:
        return "/".join(key)

    @property
    def unit_price_field(self) -> str | None:
        return next((f.name for f in self.fields if f.unit_price), None)

    @property
    def quantity_break_field(self) -> str | None:
        return next((f.name for f in self.fields if f.quantity_break), None)


def _f(name: str, kind: Kind = Kind.TEXT, example: str = "", **kw) -> Field:
    return Field(name=name, kind=kind, example=example, **kw)


AUTH_TOKEN = "AUTH_TOKEN"

# ---------------------------------------------------------------------------------------------
# Auth and the token-free informational endpoints.
# ---------------------------------------------------------------------------------------------
AUTH_PATH = "/api/auth-token-get"
AUTH_REQUEST_FIELDS = ("DATA_SOURCE", "USER_NAME", "PASSWORD")
DATA_SOURCES_PATH = "/api/data-sources-get"
SERVER_TIME_PATH = "/api/server-time-get"
API_VERSION_PATH = "/api/api-version-get"
FAILURE_KEYS = ("MESSAGE", "MESSAGE_CODE")

# Common English headers shared by both record types (see Field.aliases).
_PART = ("Part Number", "Part No", "Part #", "Part", "Item", "Item Number", "Item No", "Item Code",
         "Article Number", "Product Code", "SKU")
_CURRENCY = ("Currency", "Currency Code", "Curr")
_DISCOUNT = ("Discount", "Discount %", "Discount Percent", "Disc %")

# ---------------------------------------------------------------------------------------------
# Product Price (SOEPL) - seeds 002 (create) and 004 (update).
# ---------------------------------------------------------------------------------------------
PRODUCT_PRICE = Entity(
    name="product-price",
    label="Product Price",
    program="SOEPL",
    fields=(
        _f("PART_ID", Kind.ID, "PUMP002", description="Part number (part master)",
           aliases=_PART),
        _f("PRICE_CODE", Kind.ID, "LP", description="Price code",
           aliases=("Price Code", "Price List", "Price List Code")),
        _f("EFFECTIVE_DATE", Kind.DATE, "2014-10-10", description="Date the price applies from",
           aliases=("Effective Date", "Effective From", "Valid From", "Start Date", "From Date")),
        _f("ORDER_QTY", Kind.DECIMAL, "1000", quantity_break=True,
           description="Order quantity the price applies from (quantity break)",
           aliases=("Quantity", "Qty", "Min Qty", "Min Quantity", "Minimum Quantity",
                    "Order Quantity", "Order Qty", "Quantity Break", "Break Qty")),
        _f("END_DATE", Kind.DATE, "2029-12-31", description="Last date the price applies",
           aliases=("End Date", "Valid To", "Valid Until", "Expiry Date", "Expiration Date",
                    "To Date")),
        _f("CURR_CODE", Kind.TEXT, "USD", currency=True, description="Currency code",
           aliases=_CURRENCY),
        _f("SO_UNIT_PRICE", Kind.DECIMAL, "10", unit_price=True, description="Unit price",
           aliases=("Unit Price", "Price", "Sales Price", "Selling Price", "Price Each")),
        _f("ITEM_DISC_PCT", Kind.PERCENT, "5", description="Item discount, percent",
           aliases=_DISCOUNT),
        _f("PRICE_CHG", Kind.TEXT, "", description="Price change"),
        _f("SALES_COMM", Kind.TEXT, "", description="Sales commission"),
        _f("NOTES", Kind.LONG_TEXT, "Notes can be up to 32,765 characters long.",
           max_length=NOTES_MAX_CHARS, description="Notes"),
        _f("ATTACHMENTS", Kind.ATTACHMENTS, "http://www.expandable.com/|C:\\Expandable.docx",
           description="'|'-separated URLs or file paths"),
    ),
    response_fields=(
        "PART_ID", "PART_TYPE", "PART_DESC", "PART_UM", "SO_ORDER_QTY", "MIN_SALES_QTY",
        "PART_STATUS", "STD_UNIT_COST", "PRODUCT_LINE", "PRICE_CODE", "EFFECTIVE_DATE",
        "ORDER_QTY", "END_DATE", "CURR_CODE", "SO_UNIT_PRICE", "ITEM_DISC_PCT", "PRICE_CHG",
        "SALES_COMM", "CREATED_BY", "DATE_CREATED", "MODIFIED_BY", "DATE_MODIFIED",
        "DATE_LAST_UPDT", "TIME_LAST_UPDT", "NOTES", "ATTACHMENTS",
    ),
    key=("PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY"),
    required_create=("PART_ID", "PRICE_CODE"),
    create_path="/api/product-price-create",
    update_path="/api/product-price-update",
    create_defaults=("EFFECTIVE_DATE", "ORDER_QTY"),
    start_date_field="EFFECTIVE_DATE",
    end_date_field="END_DATE",
)

# Response fields of Product Price that come from the part master record of PART_ID.
PART_MASTER_FIELDS = (
    "PART_ID", "PART_DESC", "PART_TYPE", "PART_UM", "PART_STATUS", "STD_UNIT_COST",
    "PRODUCT_LINE", "SO_ORDER_QTY", "MIN_SALES_QTY",
)
CUSTOMER_MASTER_FIELDS = ("CUSTOMER_ID", "CUST_NAME")

# Audit fields the server keeps on every record.
AUDIT_FIELDS = (
    "CREATED_BY", "DATE_CREATED", "MODIFIED_BY", "DATE_MODIFIED", "DATE_LAST_UPDT", "TIME_LAST_UPDT",
)

# ---------------------------------------------------------------------------------------------
# Customer Part (SOECP) - seed 000 (create); update from the earlier version's documentation.
# ---------------------------------------------------------------------------------------------
_CP_REQUEST = (
    _f("PART_ID", Kind.ID, "PUMP002", description="Part number (part master)", aliases=_PART),
    _f("CUSTOMER_ID", Kind.ID, "ABCCORP", description="Customer (customer master)",
       aliases=("Customer", "Customer Number", "Customer No", "Customer Code", "Account",
                "Account Number")),
    _f("CUST_PART_ID", Kind.ID, "LARGE-HYDRAULIC-PUMP", description="The customer's part number",
       aliases=("Customer Part Number", "Customer Part No", "Customer Part", "Cust Part No",
                "Customer Item Number", "Customer SKU")),
    _f("SALESMAN_ID", Kind.ID, "", description="Salesman", aliases=("Salesman", "Sales Rep")),
    _f("CONTRACT", Kind.TEXT, "", description="Contract"),
    _f("SALE_STATUS", Kind.TEXT, "", description="Sale status"),
    _f("REFERENCE", Kind.TEXT, "", description="Reference"),
    _f("SHIP_LT", Kind.DECIMAL, "", description="Shipping lead time"),
    _f("SO_DESC", Kind.TEXT, "", description="Sales order description"),
    _f("SO_UM", Kind.TEXT, "", description="Sales order unit of measure"),
    _f("SALE_CONV", Kind.DECIMAL, "", description="Sales unit conversion factor"),
    _f("SO_ORDER_QTY", Kind.DECIMAL, "", description="Sales order quantity",
       aliases=("Sales Order Qty", "Order Quantity", "Order Qty", "Quantity", "Qty")),
    _f("ECN", Kind.TEXT, "", description="Engineering change notice"),
    _f("PARTIAL_SHIP", Kind.FLAG, "Y", description="Partial shipments allowed (Y/N)"),
    _f("DWG_REV", Kind.TEXT, "", description="Drawing revision"),
    _f("DEF_STORES_CODE", Kind.ID, "", description="Default stores code"),
    _f("EARLY_SHIP", Kind.FLAG, "N", description="Early shipments allowed (Y/N)"),
    _f("SN_REQD", Kind.FLAG, "N", description="Serial number required (Y/N)"),
    _f("TAX_CODE", Kind.ID, "", description="Tax code"),
    _f("PRODUCT_LINE", Kind.TEXT, "", description="Product line"),
    _f("VAT_CODE", Kind.ID, "", description="VAT code"),
    _f("DATE_LAST_QUOTE", Kind.DATE, "", description="Date of the last quote"),
    _f("PRICE_CODE", Kind.ID, "", description="Price code",
       aliases=("Price Code", "Price List")),
    _f("QUOTE_QTY", Kind.DECIMAL, "", description="Quoted quantity",
       aliases=("Quote Qty", "Quoted Quantity", "Quantity", "Qty")),
    _f("CURR_CODE", Kind.TEXT, "USD", currency=True, description="Currency code",
       aliases=_CURRENCY),
    _f("QUOTE_UNIT_PRIC", Kind.DECIMAL, "", description="Quoted unit price",
       aliases=("Quote Unit Price", "Quoted Price", "Quote Price", "Unit Price", "Price")),
    _f("ITEM_DISC_PCT", Kind.PERCENT, "", description="Item discount, percent", aliases=_DISCOUNT),
    _f("PRICE_CHG", Kind.TEXT, "", description="Price change"),
    _f("LAST_SO_ENTERED", Kind.ID, "", description="Last sales order entered"),
    _f("DATE_LAST_SO", Kind.DATE, "", description="Date of the last sales order"),
    _f("LAST_SO_QTY", Kind.DECIMAL, "", description="Quantity of the last sales order"),
    _f("LAST_SO_UM", Kind.TEXT, "", description="Unit of measure of the last sales order"),
    _f("LAST_SO_PRICE", Kind.DECIMAL, "", description="Price of the last sales order"),
    _f("LAST_DISC_PCT", Kind.PERCENT, "", description="Discount of the last sales order, percent"),
    _f("LAST_PRICE_CODE", Kind.ID, "", description="Price code of the last sales order"),
    _f("COMMENT_ID", Kind.ID, "", description="Comment id"),
    *(_f(f"COMMENT_{i}", Kind.TEXT, "", description=f"Comment line {i}") for i in range(1, 5)),
    *(_f(f"SOFCP_USER_{i}", Kind.TEXT, "", description=f"User field {i}") for i in range(1, 15)),
    _f("NOTES", Kind.LONG_TEXT, "Notes can be up to 32,765 characters long.",
       max_length=NOTES_MAX_CHARS, description="Notes"),
    _f("ATTACHMENTS", Kind.ATTACHMENTS, "http://www.expandable.com/|C:\\Expandable.docx",
       description="'|'-separated URLs or file paths"),
)
_CP_AUDIT = ("CREATED_BY", "DATE_CREATED", "MODIFIED_BY", "DATE_MODIFIED", "OPERATOR_ID",
             "DATE_LAST_UPDT", "TIME_LAST_UPDT")
_CP_NAMES = tuple(f.name for f in _CP_REQUEST)
_CP_BEFORE_NOTES = _CP_NAMES[: _CP_NAMES.index("NOTES")]

CUSTOMER_PART = Entity(
    name="customer-part",
    label="Customer Part",
    program="SOECP",
    fields=_CP_REQUEST,
    response_fields=_CP_BEFORE_NOTES + _CP_AUDIT + ("NOTES", "ATTACHMENTS"),
    key=("PART_ID", "CUSTOMER_ID", "CUST_PART_ID"),
    required_create=("PART_ID", "CUSTOMER_ID", "CUST_PART_ID"),
    create_path="/api/customer-part-create",
    update_path="/api/customer-part-update",
    update_documented=False,
)

ENTITIES: dict[str, Entity] = {e.name: e for e in (PRODUCT_PRICE, CUSTOMER_PART)}


@functools.lru_cache(maxsize=65536)  # once per distinct value: a key's quantities repeat a lot
def canonical_number(text: str) -> str:
    """'1.0' -> '1', '1.50' -> '1.5', '1E3' -> '1000'; text that is no number is kept as is."""
    from decimal import Decimal, InvalidOperation

    if not text or not (text[:1].isdigit() or text[:1] in "+-."):
        return text
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    if not number:
        return "0"
    plain = format(number.normalize(), "f")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain


def import_order(entities: list[Entity] | tuple[Entity, ...] | None = None) -> list[Entity]:
    """``entities`` (default: all) in the order a workbook holding several imports them: each
    after those it ``depends_on``, otherwise in the registry's order."""
    wanted = list(ENTITIES.values()) if entities is None else list(entities)
    rank = {e.name: n for n, e in enumerate(ENTITIES.values())}
    pending = sorted(wanted, key=lambda e: rank.get(e.name, len(rank)))
    names = {e.name for e in pending}
    done: list[Entity] = []
    while pending:
        ready = next((e for e in pending if all(d not in names or d in {x.name for x in done}
                                                for d in e.depends_on)), None)
        if ready is None:
            raise ValueError("The record types depend on each other in a circle: "
                             + ", ".join(e.name for e in pending))
        done.append(ready)
        pending.remove(ready)
    return done


def normalize_name(text: str) -> str:
    """How a header or an entity name is compared: 'Part Id ' -> 'PART_ID'."""
    return re.sub(r"[\s\-]+", "_", str(text).strip()).upper()


def get_entity(name: str) -> Entity:
    """Look an entity up by its CLI name, label or sheet-like spelling ('Product Price')."""
    wanted = normalize_name(name)
    for entity in ENTITIES.values():
        if wanted in (normalize_name(entity.name), normalize_name(entity.label)):
            return entity
    known = ", ".join(ENTITIES)
    raise KeyError(f"Unknown entity {name!r}; choose one of: {known}.")
