"""No log line carries a self-entry link's token (issue 17, point 5): Django's request
warnings and gunicorn's access lines name /self/[token] instead."""

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from django.test import Client
from gunicorn.config import Config

from audit.log_filters import redact_self_entry_tokens
from config.gunicorn_logger import RedactingLogger

TOKEN = "Zq3kM0r4nd0mT0k3nThatOpensAPatientsForm_abc"


def test_link_tokens_are_replaced_but_the_other_patient_paths_are_kept():
    line = f"GET /self/{TOKEN}/ HTTP/1.1 ref /self/{TOKEN}/?x=1 then /self/entry/ /self/done/"
    assert redact_self_entry_tokens(line) == (
        "GET /self/[token]/ HTTP/1.1 ref /self/[token]/?x=1 then /self/entry/ /self/done/"
    )


@pytest.mark.django_db
def test_a_refused_link_is_logged_without_its_token(caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get(f"/self/{TOKEN}/")
    assert response.status_code == 410
    messages = [record.getMessage() for record in caplog.records]
    assert any("/self/[token]/" in message for message in messages)
    assert all(TOKEN not in message for message in messages)


def test_gunicorns_access_line_names_no_token():
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/self/{TOKEN}/",
        "PATH_INFO": f"/self/{TOKEN}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://screen.example/self/{TOKEN}/",
        "REMOTE_ADDR": "192.0.2.1",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, dt.timedelta(0))
    assert atoms["r"] == "GET /self/[token]/ HTTP/1.1"
    assert TOKEN not in str(atoms)
