"""Write docs/policyfile-reference.md from the policy loader's key declarations.

Run after changing a key of ``secpolicy.toml`` (``make schema`` does)::

    .venv/bin/python scripts/build_policy_reference.py
"""

from __future__ import annotations

from pathlib import Path

from secpolicy.policyfile._load import reference_markdown

TARGET = Path(__file__).parents[1] / "docs" / "policyfile-reference.md"


def main() -> None:
    """Write the page."""
    TARGET.write_text(reference_markdown(), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
