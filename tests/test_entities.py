"""The registry matches the vendor's documented field lists."""
import json
from pathlib import Path

import pytest

from importer.entities import CUSTOMER_PART, ENTITIES, PRODUCT_PRICE, get_entity

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _seed_blocks(name: str) -> list[dict]:
    """The JSON objects of a seed page, in order (example request, full request, response)."""
    text = (SEEDS / name).read_text()
    blocks, depth, start = [], 0, None
    for i, ch in enumerate(text):
        if ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                blocks.append(json.loads(text[start : i + 1]))
    return blocks


def test_product_price_fields_in_documented_order():
    assert PRODUCT_PRICE.field_names[:4] == ("PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY")
    assert len(PRODUCT_PRICE.fields) == 12
    assert len(PRODUCT_PRICE.response_fields) == 26


def test_customer_part_has_56_request_and_63_response_fields():
    assert len(CUSTOMER_PART.fields) == 56
    assert len(CUSTOMER_PART.response_fields) == 63
    assert CUSTOMER_PART.response_fields[-2:] == ("NOTES", "ATTACHMENTS")


@pytest.mark.skipif(not SEEDS.exists(), reason="shared/seeds is not beside this clone")
@pytest.mark.parametrize(
    "seed,entity",
    [("000_37b60758dcdcda83.txt", CUSTOMER_PART), ("002_a4a8351cf4c2962d.txt", PRODUCT_PRICE),
     ("004_65e334f210744c3c.txt", PRODUCT_PRICE)],
)
def test_registry_equals_the_seed_pages(seed, entity):
    example, full, response = _seed_blocks(seed)[:3]
    assert tuple(k for k in full if k != "AUTH_TOKEN") == entity.field_names
    assert tuple(response) == entity.response_fields
    assert set(example) - {"AUTH_TOKEN"} <= set(entity.field_names)


def test_entities_are_found_by_name_or_label():
    assert get_entity("Product Price") is PRODUCT_PRICE
    assert get_entity("customer_part") is CUSTOMER_PART
    with pytest.raises(KeyError):
        get_entity("vendor")
    assert set(ENTITIES) == {"product-price", "customer-part"}
