"""Sphinx configuration for the secpolicy documentation."""

from __future__ import annotations

from importlib.metadata import version as _version

project = "secpolicy"
author = "The secpolicy developers"
copyright = "2026, The secpolicy developers"
release = _version("secpolicy")
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx.ext.doctest",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
templates_path: list[str] = []
html_static_path = ["_static"]
# The policy file's JSON Schema, published at the root of the docs for editors.
html_extra_path = ["../src/secpolicy/policyfile/secpolicy.schema.json"]
html_theme = "furo"
html_title = f"secpolicy {release}"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

# The docs build runs without network, so there is no intersphinx inventory for
# the standard library or our dependencies; their names are left unlinked
# rather than failing the nitpicky build.
nitpicky = True
nitpick_ignore_regex = [
    # Literal type aliases, documented in prose on their area's API page.
    (
        r"py:class",
        (
            r"(Algorithm|Kind|Action|Decided|Semantics|HoldScope|Gender|re\.Pattern|Effect|"
            r"RuleEffect|EventHook|State|Clock|EventDict|WrappedLogger|Processor|Fsync|SigningKey|"
            r"VerifyKey|Outcome|ProblemKind|SinkKind|Status|SessionReason|pytest\..*)"
        ),
    ),
    # Private modules are implementation details (base classes, internal state).
    (r"py:class", r"secpolicy\.(\w+\.)*_\w+\..*"),
    (r"py:.*", r"(datetime|collections\.abc|typing|pathlib|os|io|enum|abc|logging)\..*"),
    (r"py:.*", r"(attrs|attr|cryptography|argon2|structlog|stdnum|dateutil|holidays)\..*"),
    (r"py:.*", r"(pyarrow|pa|pyspark|DataFrame|_Tabular|_MaskerSource)(\..*)?"),
    (
        r"py:class",
        (
            r"(bytes|str|int|float|bool|object|type|dict|list|tuple|set|frozenset|None|"
            r"Exception|ValueError|TypeError|OSError|LookupError|PermissionError|"
            r"BaseException|datetime|date|timedelta|timezone|tzinfo|Path|PathLike|"
            r"BinaryIO|IO|Iterable|Iterator|Mapping|Sequence|Callable|Any|Literal|Self|"
            r"memoryview|bytearray|NoneType|ellipsis)"
        ),
    ),
]
