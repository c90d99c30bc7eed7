"""Whole-system fixtures: the three services as real gunicorn processes with relays and consumers."""

import pytest

from support.api_client import Client
from support.stack import Stack


@pytest.fixture(scope="module")
def stack():
    s = Stack()
    try:
        s.start()
        yield s
    finally:
        s.cleanup()


@pytest.fixture
def api(stack):
    return Client(stack.url(), emailed_token=stack.emailed_token)


@pytest.fixture
def training_admin(stack, api):
    return api.signed_in("training-admin@imatter.local", stack.admin_password)


@pytest.fixture
def cic_admin(stack, api):
    return api.signed_in("cic-admin@imatter.local", stack.admin_password)
