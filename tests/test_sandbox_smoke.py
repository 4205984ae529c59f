"""The sandbox starts, logs in and keeps a record (the fixtures other tests build on)."""
from conftest import login, post, records, stats

from importer.entities import PRODUCT_PRICE


def test_sandbox_fixture_creates_a_product_price_that_inspection_shows(sandbox):
    token = login(sandbox)
    response = post(sandbox.url, PRODUCT_PRICE.create_path,
                    {"AUTH_TOKEN": token, "PART_ID": "PUMP001", "PRICE_CODE": "SMOKE",
                     "EFFECTIVE_DATE": "2030-01-01", "ORDER_QTY": "1", "SO_UNIT_PRICE": "9.50"})
    assert response.status_code == 200, response.text
    held = [r for r in records(sandbox.url, "product-price") if r["PRICE_CODE"] == "SMOKE"]
    assert held == [response.json()]
    assert stats(sandbox.url)["calls"][PRODUCT_PRICE.create_path]["200"] >= 1


def test_factory_gives_each_test_its_own_empty_sandbox(sandbox_factory):
    sb = sandbox_factory(users={"ALICE": "pw"}, data_sources=("TEST",))
    assert records(sb.url, "customer-part") == []
    assert (sb.user, sb.password, sb.data_source) == ("ALICE", "pw", "TEST")
    assert login(sb)
