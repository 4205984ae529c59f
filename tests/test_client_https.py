"""https: the server's certificate is checked unless --ca-bundle trusts it or --insecure is given.

The sandbox's app is served over TLS on loopback with a self-signed certificate made by openssl.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
import warnings

import pytest
import uvicorn
from click.testing import CliRunner
from urllib3.exceptions import InsecureRequestWarning

from importer.cli import main
from importer.erp.client import ErpClient
from importer.entities import PRODUCT_PRICE
from importer.errors import ConnectionFailed
from importer.sandbox.server import bind_socket
from importer.settings import Settings

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def self_signed_certificate(directory) -> tuple[str, str]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return str(cert), str(key)


@pytest.fixture(scope="module")
def https_server(sandbox, tmp_path_factory):
    """(https URL, certificate path) of the session sandbox's app served over TLS."""
    cert, key = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(sandbox.app.build(), ssl_certfile=cert,
                                           ssl_keyfile=key, lifespan="off", log_level="critical"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the TLS server did not start"
    yield f"https://127.0.0.1:{sock.getsockname()[1]}", cert
    server.should_exit = True
    thread.join(10)
    sock.close()


def settings_for(sandbox, url: str, **changes) -> Settings:
    return Settings(url=url, data_source=sandbox.data_source, user=sandbox.user,
                    password=sandbox.password, **changes)


def test_self_signed_certificate_is_refused_by_default(sandbox, https_server):
    url, _ = https_server
    with ErpClient(settings_for(sandbox, url)) as client:
        with pytest.raises(ConnectionFailed) as caught:
            client.login()
    message = str(caught.value)
    assert message.startswith(f"Cannot reach {url}: ")
    assert "certificate" in message and "--ca-bundle" in message


def test_ca_bundle_trusts_the_servers_certificate(sandbox, https_server):
    url, cert = https_server
    with ErpClient(settings_for(sandbox, url, verify=cert)) as client:
        client.login()
        result = client.call(PRODUCT_PRICE.create_path, {
            "PART_ID": "PUMP002", "PRICE_CODE": "TLS", "EFFECTIVE_DATE": "2030-02-02",
            "ORDER_QTY": "1", "SO_UNIT_PRICE": "3"})
    assert result.ok


def test_insecure_connects_and_warns_once_in_the_log_not_per_request(sandbox, https_server,
                                                                     caplog):
    url, _ = https_server
    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ErpClient(settings_for(sandbox, url, verify=False)) as client:
            client.login()
            for _ in range(3):
                client.server_info()
    assert not [w for w in caught if issubclass(w.category, InsecureRequestWarning)]
    assert caplog.text.count("certificate checking is OFF") == 1


def test_check_command_with_and_without_the_ca_bundle(sandbox, https_server, tmp_path,
                                                      monkeypatch):
    url, cert = https_server
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    env = {"IMPORTER_PASSWORD": sandbox.password, "IMPORTER_DATA_SOURCE": sandbox.data_source,
           "IMPORTER_USER": sandbox.user, "IMPORTER_URL": url}
    runner = CliRunner()
    refused = runner.invoke(main, ["check"], env=env)
    assert refused.exit_code == 3
    assert "--ca-bundle" in refused.output and "Traceback" not in refused.output
    trusted = runner.invoke(main, ["check", "--ca-bundle", cert], env=env)
    assert trusted.exit_code == 0, trusted.output
    assert f"CA bundle {cert}" in trusted.output
    insecure = runner.invoke(main, ["check", "--insecure"], env=env)
    assert insecure.exit_code == 0, insecure.output
    assert "off (--insecure)" in insecure.output
