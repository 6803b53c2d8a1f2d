"""Glue between secpolicy and the frameworks and data tools services run on.

Each framework's integration is an optional extra and a sub-module of its own;
this package imports none of them:

- :mod:`secpolicy.integrations.django` (``pip install 'secpolicy[django]'``):
  a password validator, login lockout, an RBAC permission backend, login and
  logout audit, a correlation-id middleware.
- :mod:`secpolicy.integrations.starlette` (``pip install 'secpolicy[fastapi]'``):
  ASGI middleware that binds the request's addresses and correlation id to the
  audit log and records denials, and the ``Require`` dependency for FastAPI.
- :mod:`secpolicy.integrations.sqlalchemy` (``pip install 'secpolicy[sqlalchemy]'``):
  encrypted column types, blind indexes and a key-rotation sweep.
- :mod:`secpolicy.integrations.arrow` (``pip install 'secpolicy[arrow]'``) and
  :mod:`secpolicy.integrations.spark` (``pip install 'secpolicy[spark]'``):
  masking, scanning, pseudonyms and retention over Arrow tables, Parquet
  datasets, Polars and pandas frames and Spark DataFrames.

Importing an integration without its extra raises :class:`ImportError` naming
the extra to install.

What they share lives here and needs no framework: :class:`TrustedProxies`
turns the peer address and ``X-Forwarded-For`` into a :class:`ClientAddress`
(the client before and after address translation, trusting forwarded headers
only from the proxies you name), and :func:`correlation_id` accepts an incoming
request id only from a trusted peer.
"""

from __future__ import annotations

from secpolicy.integrations._net import ClientAddress, TrustedProxies, correlation_id

__all__ = ["ClientAddress", "TrustedProxies", "correlation_id"]

from secpolicy._public import set_module as _set_module

_set_module(globals())
