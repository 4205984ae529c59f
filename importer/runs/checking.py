"""What a validation run checks besides each cell's own form: the check sets registered with
validation (reference checks against the master data, a price list's own rules), built from the
options, the settings ([masterdata], [rules.*]) and the journal's knowledge of the server the rows
go to. Used alike by `validate`, `import` (and its dry run) and the page's Check and Preview, so
all of them flag the same cells for the same file and target.

The target decides the facts: a sandbox (`--sandbox`, the page's sandbox) serves the admin's
master data files or else its demo parts and customers, and every id is checked against what it
serves; the journal's knowledge (learned ids, last known records) is that of the server's
journal name (``rehearsal_target`` for `--sandbox`) and data source."""
from __future__ import annotations

from pathlib import Path

from importer.checks.masterdata import load_master_data
from importer.checks.pricerules import PriceRuleChecks, PriceRules
from importer.checks.references import ReferenceChecks
from importer.entities import Entity
from importer.settings import Settings


def build_checks(entity: Entity, settings: Settings | None = None, *,
                 parts: Path | str | None = None, customers: Path | str | None = None,
                 journal_path: Path | str | None = None, server: str = "",
                 mode: str = "upsert", strict: bool = False, sandbox: bool = False) -> list:
    """The check sets for one file. ``parts``/``customers`` override the settings' files;
    ``server`` is what the journal calls the server (default: the settings' URL); ``sandbox``:
    the rows go to a sandbox, which serves its demo data where no file is given. Raises
    UnusableFile for a master-data file that cannot be read."""
    s = settings
    parts = parts or (s.parts if s else None)
    customers = customers or (s.customers if s else None)
    jpath = Path(journal_path) if journal_path else (s.journal if s else None)
    server = server or (s.url if s else "")
    sandbox = sandbox or is_sandbox(server)
    data_source = s.data_source if s else ""
    master = load_master_data(
        parts, customers, journal_path=jpath, server=server, data_source=data_source,
        part_codes=s.part_not_found_codes if s else ("PART_NOT_FOUND",),
        customer_codes=s.customer_not_found_codes if s else ("CUSTOMER_NOT_FOUND",),
        obsolete_statuses=s.obsolete_statuses if s else ("O",), sandbox_demo=sandbox,
        cache=masterdata_cache())
    checks: list = [ReferenceChecks(master)]
    rules = PriceRules.for_entity(entity, s.rules if s else None)
    if rules is not None:
        keys, records = _journal_records(jpath, server, data_source, entity)
        checks.append(PriceRuleChecks(entity, rules, mode=mode, known_keys=keys,
                                      known_records=records, strict=strict))
    return checks


def masterdata_cache() -> Path:
    """Where master-data files' columns are kept between runs (the user's cache folder)."""
    import platformdirs

    from importer.settings import APP_NAME

    return Path(platformdirs.user_cache_dir(APP_NAME)) / "masterdata"


def _journal_records(jpath: Path | None, server: str, data_source: str, entity: Entity):
    """The keys and last records the journal knows on this server (none without a journal)."""
    if not (jpath and server and Path(jpath).is_file()):
        return set(), []
    from importer.journal.store import Journal

    with Journal(jpath) as journal:
        return (journal.known_keys(server, data_source, entity.name),
                journal.latest_records(server, data_source, entity.name))


def rehearsal_target(data_source: str = "", db: Path | str | None = None) -> tuple[str, str]:
    """(the journal's name for the rehearsal sandbox of ``--sandbox``, its data source), without
    starting it or creating anything: what `validate --sandbox` checks against."""
    from importer.runs.rehearsal import peek_server_name, rehearsal_db
    from importer.sandbox.demo import DEMO_DATA_SOURCE

    data_source = data_source or DEMO_DATA_SOURCE
    return peek_server_name(rehearsal_db(data_source, db)), data_source


def is_sandbox(server: str) -> bool:
    """Whether the journal's name ``server`` is a sandbox kept in a file (its rows are checked
    against what it serves)."""
    return server.startswith("sandbox:")
