"""Which call a row gets: pure decisions, tested with plain values."""
import threading

import pytest

from importer.erp.dispatch import (Job, KeyedQueue, dry_run_outcome, first_call, keys_collide,
                               next_call, resolve_action)
from importer.entities import CUSTOMER_PART, PRODUCT_PRICE
from importer.model import Action, Row, Status

C, U, UP, S = Action.CREATE, Action.UPDATE, Action.UPSERT, Action.SKIP


def _job(values, action=UP, row=2):
    return Job(Row(row, values, list(values.values())), action)


FULL = {"PART_ID": "PUMP001", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-01-01",
        "ORDER_QTY": "10", "SO_UNIT_PRICE": "9.50"}


def test_action_column_overrides_the_mode():
    assert resolve_action(Action.SKIP, "upsert") is S
    assert resolve_action(None, "create") is C
    assert resolve_action(None, "UPDATE") is U


@pytest.mark.parametrize("known,complete,expected", [
    (True, True, U), (False, True, C), (True, False, C), (False, False, C)])
def test_upsert_updates_only_keys_the_journal_knows(known, complete, expected):
    assert first_call(UP, complete, known) is expected


def test_explicit_create_and_update_ignore_the_journal():
    assert first_call(C, True, True) is C
    assert first_call(U, True, False) is U


def test_upsert_switches_once_between_create_and_update():
    kw = dict(maybe_sent=False)
    assert next_call(C, UP, exists=True, not_found=False, switched=False, **kw) == (U, True)
    assert next_call(U, UP, exists=False, not_found=True, switched=False, **kw) == (C, True)
    assert next_call(C, UP, exists=True, not_found=False, switched=True, **kw) == (None, True)


def test_create_mode_fails_on_an_existing_record():
    assert next_call(C, C, exists=True, not_found=False, maybe_sent=False,
                     switched=False)[0] is None


def test_lost_create_then_exists_is_applied_with_update_in_every_mode():
    for action in (C, UP):
        assert next_call(C, action, exists=True, not_found=False, maybe_sent=True,
                         switched=True) == (U, True)


def test_business_errors_other_than_exists_or_missing_are_final():
    assert next_call(C, UP, exists=False, not_found=False, maybe_sent=True,
                     switched=False)[0] is None
    assert next_call(U, U, exists=False, not_found=True, maybe_sent=False,
                     switched=False)[0] is None


def test_blank_defaulted_key_fields_collide_with_any_value():
    a = ("PUMP001", "LP", "", "")
    assert keys_collide(PRODUCT_PRICE, a, ("PUMP001", "LP", "2026-01-01", "10"))
    assert not keys_collide(PRODUCT_PRICE, a, ("PUMP002", "LP", "", ""))
    assert not keys_collide(PRODUCT_PRICE, ("P", "LP", "2026-01-01", "10"),
                            ("P", "LP", "2026-01-01", "20"))
    assert not keys_collide(CUSTOMER_PART, ("P", "C", ""), ("P", "C", "X"))


def test_dry_run_says_which_call_it_would_make():
    out = dry_run_outcome(PRODUCT_PRICE, _job(FULL), key_known=True)
    assert (out.status, out.action) == (Status.NOT_RUN, "UPDATE (dry run)")
    out = dry_run_outcome(PRODUCT_PRICE, _job(FULL), key_known=False)
    assert out.action == "CREATE (dry run)"
    assert dry_run_outcome(PRODUCT_PRICE, _job(FULL, S), True).status is Status.SKIPPED


def test_update_row_with_only_the_key_is_invalid_without_a_call():
    key_only = {k: FULL[k] for k in PRODUCT_PRICE.key}
    out = dry_run_outcome(PRODUCT_PRICE, _job(key_only, U), key_known=True)
    assert out.status is Status.INVALID
    assert out.issues[0].code == "nothing-to-update"


def test_update_row_without_whole_key_is_invalid():
    partial = {"PART_ID": "PUMP001", "PRICE_CODE": "LP", "SO_UNIT_PRICE": "1"}
    out = dry_run_outcome(PRODUCT_PRICE, _job(partial, U), key_known=False)
    assert out.status is Status.INVALID and "EFFECTIVE_DATE" in out.message


def test_rows_with_the_same_key_are_never_handed_out_together():
    jobs = [_job(FULL, row=2), _job(FULL, row=3), _job({**FULL, "ORDER_QTY": "20"}, row=4)]
    queue = KeyedQueue(PRODUCT_PRICE, jobs, window=10, stop=threading.Event())
    first, second = queue.take(), queue.take()
    assert (first.row.excel_row, second.row.excel_row) == (2, 4)
    queue.done(first)
    assert queue.take().row.excel_row == 3


def test_stopped_queue_hands_out_nothing_more():
    stop = threading.Event()
    queue = KeyedQueue(PRODUCT_PRICE, [_job(FULL)], window=10, stop=stop)
    stop.set()
    assert queue.take() is None and len(queue.remaining()) == 1
