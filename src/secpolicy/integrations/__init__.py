"""Glue between secpolicy and the frameworks and data tools services run on.

Each integration is an optional extra and is imported on its own
(``secpolicy.integrations.arrow`` needs ``secpolicy[arrow]``); importing this
package imports none of them.
"""
