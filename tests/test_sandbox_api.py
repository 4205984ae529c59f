"""The sandbox answers exactly as the API contract says, over real HTTP on loopback."""
from __future__ import annotations

import pytest
import requests
from conftest import login, post, records, unique_id

from importer.entities import (API_VERSION_PATH, AUTH_PATH, CUSTOMER_PART, DATA_SOURCES_PATH,
                               ENTITIES, FAILURE_KEYS, NOTES_MAX_CHARS, PART_MASTER_FIELDS,
                               PRODUCT_PRICE, SERVER_TIME_PATH)
from importer.sandbox import demo

PARTS = {p["PART_ID"]: p for p in demo.DEMO_PARTS}
RECORD_PATHS = [p for e in ENTITIES.values() for p in (e.create_path, e.update_path)]
INFO_PATHS = [DATA_SOURCES_PATH, SERVER_TIME_PATH, API_VERSION_PATH]
ALL_API_PATHS = [AUTH_PATH, *INFO_PATHS, *RECORD_PATHS]


@pytest.fixture(scope="module")
def token(sandbox):
    return login(sandbox)


def price(**values) -> dict:
    """A valid product-price request with a key no other test uses."""
    base = {"PART_ID": "PUMP002", "PRICE_CODE": unique_id("PP"), "EFFECTIVE_DATE": "2030-01-01",
            "ORDER_QTY": "1000", "CURR_CODE": "USD", "SO_UNIT_PRICE": "10.50"}
    base.update(values)
    return base


def customer_part(**values) -> dict:
    base = {"PART_ID": "PUMP002", "CUSTOMER_ID": "ABCCORP", "CUST_PART_ID": unique_id("CP"),
            "SO_DESC": "Large pump", "PARTIAL_SHIP": "Y"}
    base.update(values)
    return base


def call(sandbox, token, path, values):
    return post(sandbox.url, path, {"AUTH_TOKEN": token, **values})


def assert_failure(response, status: int, code: str, message: str | None = None):
    assert response.status_code == status, response.text
    body = response.json()
    assert tuple(body) == FAILURE_KEYS
    assert body["MESSAGE_CODE"] == code
    if message is not None:
        assert body["MESSAGE"] == message


# --- transport -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ALL_API_PATHS)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_any_method_but_post_is_refused_with_405(sandbox, path, method):
    response = requests.request(method, sandbox.url + path, json={}, timeout=10)
    assert_failure(response, 405, "METHOD_NOT_ALLOWED", "Request method must be POST.")


@pytest.mark.parametrize("path", [AUTH_PATH, *RECORD_PATHS])
@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"", b"{\"PART_ID\": "])
def test_a_body_that_is_not_a_json_object_is_refused_with_400(sandbox, path, body):
    response = requests.post(sandbox.url + path, data=body, timeout=10)
    assert_failure(response, 400, "INVALID_JSON", "Request JSON is invalid.")


@pytest.mark.parametrize("path", INFO_PATHS)
def test_informational_endpoints_refuse_a_json_array_too(sandbox, path):
    response = requests.post(sandbox.url + path, data=b"[]", timeout=10)
    assert_failure(response, 400, "INVALID_JSON", "Request JSON is invalid.")


@pytest.mark.parametrize("path", RECORD_PATHS)
@pytest.mark.parametrize("auth, code, message", [
    ({}, "AUTH_TOKEN_MISSING", "Auth Token was not provided."),
    ({"AUTH_TOKEN": ""}, "AUTH_TOKEN_MISSING", "Auth Token was not provided."),
    ({"AUTH_TOKEN": "not-a-token"}, "AUTH_TOKEN_MALFORMED", "Auth Token is malformed."),
    ({"AUTH_TOKEN": 12345}, "AUTH_TOKEN_MALFORMED", "Auth Token is malformed."),
    ({"AUTH_TOKEN": "0" * 32}, "AUTH_TOKEN_LOGIN_FAILURE", "Auth Token login failure."),
])
def test_every_record_endpoint_refuses_a_call_without_a_valid_token(sandbox, path, auth, code,
                                                                    message):
    entity = next(e for e in ENTITIES.values() if path in (e.create_path, e.update_path))
    values = price() if entity is PRODUCT_PRICE else customer_part()
    response = post(sandbox.url, path, {**auth, **values})
    assert_failure(response, 401, code, message)
    key_field = "PRICE_CODE" if entity is PRODUCT_PRICE else "CUST_PART_ID"
    assert not [r for r in records(sandbox.url, entity.name) if r[key_field] == values[key_field]]


def test_an_unknown_api_path_answers_404_with_the_failure_body(sandbox):
    assert_failure(post(sandbox.url, "/api/price-list-create", {}), 404, "UNKNOWN_ENDPOINT")


# --- auth and informational endpoints ------------------------------------------------------------
def test_login_gives_a_token_for_the_demo_credentials(sandbox):
    response = post(sandbox.url, AUTH_PATH, {"DATA_SOURCE": "DEMO", "USER_NAME": "APIUSER",
                                             "PASSWORD": "sandbox"})
    assert response.status_code == 200
    assert list(response.json()) == ["AUTH_TOKEN"]


@pytest.mark.parametrize("change", [{"PASSWORD": "wrong"}, {"DATA_SOURCE": "LIVE"},
                                    {"USER_NAME": "NOBODY"}])
def test_refused_credentials_or_data_source_answer_login_failed(sandbox, change):
    payload = {"DATA_SOURCE": "DEMO", "USER_NAME": "APIUSER", "PASSWORD": "sandbox", **change}
    assert_failure(post(sandbox.url, AUTH_PATH, payload), 500, "LOGIN_FAILED",
                   f"Login failed for user {payload['USER_NAME']}.")


@pytest.mark.parametrize("missing", ["DATA_SOURCE", "USER_NAME", "PASSWORD"])
def test_login_needs_all_three_fields(sandbox, missing):
    payload = {"DATA_SOURCE": "DEMO", "USER_NAME": "APIUSER", "PASSWORD": "sandbox"}
    del payload[missing]
    assert_failure(post(sandbox.url, AUTH_PATH, payload), 500, "REQUIRED_FIELD",
                   f"{missing} is required.")


def test_informational_endpoints_answer_without_a_token(sandbox):
    assert post(sandbox.url, DATA_SOURCES_PATH, {}).json() == {"DATA_SOURCES": ["DEMO"]}
    server_time = post(sandbox.url, SERVER_TIME_PATH, {}).json()["SERVER_TIME"]
    assert len(server_time) == 19 and server_time[10] == "T"
    assert post(sandbox.url, API_VERSION_PATH, {}).json()["API_VERSION"]


# --- the business errors of the contract's table -------------------------------------------------
def test_create_without_a_required_field_answers_required_field(sandbox, token):
    values = price()
    del values["PRICE_CODE"]
    assert_failure(call(sandbox, token, PRODUCT_PRICE.create_path, values), 500,
                   "REQUIRED_FIELD", "PRICE_CODE is required.")


@pytest.mark.parametrize("field", CUSTOMER_PART.required_create)
def test_an_empty_required_field_counts_as_missing(sandbox, token, field):
    values = customer_part(**{field: ""})
    assert_failure(call(sandbox, token, CUSTOMER_PART.create_path, values), 500,
                   "REQUIRED_FIELD", f"{field} is required.")


@pytest.mark.parametrize("path", RECORD_PATHS)
def test_a_field_the_endpoint_does_not_know_answers_unknown_field(sandbox, token, path):
    assert_failure(call(sandbox, token, path, {"PART_ID": "PUMP002", "PRICE": "10"}), 500,
                   "UNKNOWN_FIELD", "Field PRICE is not accepted.")


def test_creating_an_existing_key_answers_record_exists(sandbox, token):
    values = price(PART_ID="PUMP002", ORDER_QTY="1000", EFFECTIVE_DATE="2014-10-10")
    assert call(sandbox, token, PRODUCT_PRICE.create_path, values).status_code == 200
    assert_failure(call(sandbox, token, PRODUCT_PRICE.create_path, values), 500, "RECORD_EXISTS",
                   f"Product Price PUMP002/{values['PRICE_CODE']}/2014-10-10/1000 already exists.")


def test_creating_an_existing_customer_part_answers_record_exists(sandbox, token):
    values = customer_part()
    assert call(sandbox, token, CUSTOMER_PART.create_path, values).status_code == 200
    assert_failure(call(sandbox, token, CUSTOMER_PART.create_path, values), 500,
                   "RECORD_EXISTS")


def test_updating_a_key_nobody_created_answers_record_not_found(sandbox, token):
    values = price(EFFECTIVE_DATE="2014-10-10", ORDER_QTY="1000")
    assert_failure(call(sandbox, token, PRODUCT_PRICE.update_path, values), 500,
                   "RECORD_NOT_FOUND",
                   f"Product Price PUMP002/{values['PRICE_CODE']}/2014-10-10/1000 does not exist.")


@pytest.mark.parametrize("entity", ENTITIES.values(), ids=ENTITIES)
def test_update_with_only_the_key_answers_nothing_to_update(sandbox, token, entity):
    values = price() if entity is PRODUCT_PRICE else customer_part()
    assert call(sandbox, token, entity.create_path, values).status_code == 200
    key_only = {k: values[k] for k in entity.key}
    assert_failure(call(sandbox, token, entity.update_path, key_only), 500, "NOTHING_TO_UPDATE",
                   "At least one field to update is required.")


@pytest.mark.parametrize("entity", ENTITIES.values(), ids=ENTITIES)
def test_update_without_a_key_field_answers_required_field(sandbox, token, entity):
    values = price() if entity is PRODUCT_PRICE else customer_part()
    missing = entity.key[-1]
    del values[missing]
    assert_failure(call(sandbox, token, entity.update_path, values), 500, "REQUIRED_FIELD",
                   f"{missing} is required.")


@pytest.mark.parametrize("path", RECORD_PATHS)
def test_a_part_missing_from_the_part_master_answers_part_not_found(sandbox, token, path):
    values = price(PART_ID="PUMP999") if "price" in path else customer_part(PART_ID="PUMP999")
    assert_failure(call(sandbox, token, path, values), 500, "PART_NOT_FOUND",
                   "Part PUMP999 does not exist.")


def test_a_part_id_that_lost_its_leading_zeros_is_not_found(sandbox, token):
    kept = call(sandbox, token, PRODUCT_PRICE.create_path, price(PART_ID="000417"))
    assert kept.status_code == 200
    assert_failure(call(sandbox, token, PRODUCT_PRICE.create_path, price(PART_ID="417")), 500,
                   "PART_NOT_FOUND", "Part 417 does not exist.")


def test_an_unknown_customer_answers_customer_not_found(sandbox, token):
    response = call(sandbox, token, CUSTOMER_PART.create_path, customer_part(CUSTOMER_ID="XYZ"))
    assert_failure(response, 500, "CUSTOMER_NOT_FOUND", "Customer XYZ does not exist.")


@pytest.mark.parametrize("value", ["2014-13-01", "10/10/2014", "2014-02-30", "2014-1-1", "today"])
def test_a_date_that_is_not_yyyy_mm_dd_answers_invalid_date(sandbox, token, value):
    assert_failure(call(sandbox, token, PRODUCT_PRICE.create_path, price(END_DATE=value)), 500,
                   "INVALID_DATE", f"END_DATE {value} is not a valid date.")


@pytest.mark.parametrize("field, value", [("ORDER_QTY", "ten"), ("SO_UNIT_PRICE", "10,50"),
                                          ("ITEM_DISC_PCT", "5%"), ("SO_UNIT_PRICE", "1.2.3")])
def test_a_number_field_with_text_answers_invalid_number(sandbox, token, field, value):
    assert_failure(call(sandbox, token, PRODUCT_PRICE.create_path, price(**{field: value})), 500,
                   "INVALID_NUMBER", f"{field} {value} is not a number.")


def test_a_customer_part_number_field_with_text_answers_invalid_number(sandbox, token):
    assert_failure(call(sandbox, token, CUSTOMER_PART.create_path, customer_part(SHIP_LT="soon")),
                   500, "INVALID_NUMBER", "SHIP_LT soon is not a number.")


def test_notes_longer_than_the_field_holds_answer_field_too_long(sandbox, token):
    too_long = price(NOTES="x" * (NOTES_MAX_CHARS + 1))
    assert_failure(call(sandbox, token, PRODUCT_PRICE.create_path, too_long), 500,
                   "FIELD_TOO_LONG", f"NOTES is longer than {NOTES_MAX_CHARS} characters.")
    just_fits = price(NOTES="x" * NOTES_MAX_CHARS)
    response = call(sandbox, token, PRODUCT_PRICE.create_path, just_fits)
    assert response.status_code == 200 and len(response.json()["NOTES"]) == NOTES_MAX_CHARS


@pytest.mark.parametrize("value", [1000, 10.5, None, True, ["1000"]])
def test_a_value_that_is_not_a_json_string_is_refused(sandbox, token, value):
    assert_failure(call(sandbox, token, PRODUCT_PRICE.create_path, price(ORDER_QTY=value)), 500,
                   "VALUE_NOT_STRING")


# --- successful calls -----------------------------------------------------------------------------
def test_product_price_create_answers_every_response_field_with_the_part_master(sandbox, token):
    values = price(PART_ID="4711", NOTES="Première ligne\n  indented ", SO_UNIT_PRICE="010.50")
    body = call(sandbox, token, PRODUCT_PRICE.create_path, values).json()
    assert list(body) == list(PRODUCT_PRICE.response_fields)
    assert all(isinstance(v, str) for v in body.values())
    for name in PART_MASTER_FIELDS:
        assert body[name] == PARTS["4711"][name]
    for name, value in values.items():
        assert body[name] == value  # exactly as sent
    assert body["CREATED_BY"] == sandbox.user and body["DATE_CREATED"]
    assert body["END_DATE"] == "" and body["ATTACHMENTS"] == ""


def test_product_price_update_answers_every_response_field(sandbox, token):
    values = price()
    call(sandbox, token, PRODUCT_PRICE.create_path, values)
    key = {k: values[k] for k in PRODUCT_PRICE.key}
    body = call(sandbox, token, PRODUCT_PRICE.update_path, {**key, "SO_UNIT_PRICE": "9"}).json()
    assert list(body) == list(PRODUCT_PRICE.response_fields)
    assert body["PART_DESC"] == PARTS["PUMP002"]["PART_DESC"]
    assert body["MODIFIED_BY"] == sandbox.user and body["DATE_MODIFIED"]
    assert body["CREATED_BY"] == sandbox.user


def test_customer_part_create_and_update_answer_every_response_field(sandbox, token):
    values = customer_part(CUSTOMER_ID="00042", PART_ID="00123", SALE_CONV="1.000")
    created = call(sandbox, token, CUSTOMER_PART.create_path, values).json()
    assert list(created) == list(CUSTOMER_PART.response_fields)
    assert {k: created[k] for k in values} == values
    assert created["OPERATOR_ID"] == sandbox.user and created["CREATED_BY"] == sandbox.user
    key = {k: values[k] for k in CUSTOMER_PART.key}
    updated = call(sandbox, token, CUSTOMER_PART.update_path, {**key, "COMMENT_1": "hi"}).json()
    assert list(updated) == list(CUSTOMER_PART.response_fields)
    assert updated["COMMENT_1"] == "hi" and updated["MODIFIED_BY"] == sandbox.user


def test_update_leaves_fields_it_was_not_sent_unchanged(sandbox, token):
    values = price(NOTES="keep me", ITEM_DISC_PCT="5", END_DATE="2031-12-31")
    call(sandbox, token, PRODUCT_PRICE.create_path, values)
    key = {k: values[k] for k in PRODUCT_PRICE.key}
    body = call(sandbox, token, PRODUCT_PRICE.update_path, {**key, "SO_UNIT_PRICE": "12"}).json()
    assert body["SO_UNIT_PRICE"] == "12"
    for name in ("NOTES", "ITEM_DISC_PCT", "END_DATE", "CURR_CODE"):
        assert body[name] == values[name]
    held = [r for r in records(sandbox.url, "product-price")
            if r["PRICE_CODE"] == values["PRICE_CODE"]]
    assert held == [body]


def test_update_with_an_empty_string_clears_that_field(sandbox, token):
    values = price(NOTES="old note")
    call(sandbox, token, PRODUCT_PRICE.create_path, values)
    key = {k: values[k] for k in PRODUCT_PRICE.key}
    body = call(sandbox, token, PRODUCT_PRICE.update_path, {**key, "NOTES": ""}).json()
    assert body["NOTES"] == "" and body["SO_UNIT_PRICE"] == values["SO_UNIT_PRICE"]


def test_create_without_effective_date_and_quantity_uses_server_date_and_zero(sandbox, token):
    before = post(sandbox.url, SERVER_TIME_PATH, {}).json()["SERVER_TIME"][:10]
    values = price()
    del values["EFFECTIVE_DATE"], values["ORDER_QTY"]
    body = call(sandbox, token, PRODUCT_PRICE.create_path, values).json()
    after = post(sandbox.url, SERVER_TIME_PATH, {}).json()["SERVER_TIME"][:10]
    assert body["EFFECTIVE_DATE"] in (before, after)
    assert body["ORDER_QTY"] == "0"


def test_inspection_lists_records_shaped_like_the_response(sandbox, token):
    values = customer_part()
    body = call(sandbox, token, CUSTOMER_PART.create_path, values).json()
    held = [r for r in records(sandbox.url, "customer-part")
            if r["CUST_PART_ID"] == values["CUST_PART_ID"]]
    assert held == [body]
    assert requests.get(sandbox.url + "/_sandbox/records/price-list", timeout=10).status_code == 404
