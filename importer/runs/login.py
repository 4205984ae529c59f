"""One login to the ERP with given settings, to learn whether it takes them: the page tries a
password typed in it before keeping it, so a mistyped one is refused at once, in plain words, and
the admin can type it again (nothing is kept, nothing is sent)."""
from __future__ import annotations

from importer.settings import Settings


def try_login(settings: Settings) -> None:
    """Log in once and log out of the session; raises LoginFailed (the ERP refused the user,
    password or data source) or ConnectionFailed (it cannot be reached)."""
    from importer.erp.client import ErpClient

    with ErpClient(settings) as client:
        client.login()
