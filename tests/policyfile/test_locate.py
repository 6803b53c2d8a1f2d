"""The TOML line index behind line-numbered errors."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.policyfile._locate import find_line, line_index

DOC = '''# comment
[service]
name = "a # not a comment"

[password]
min_length = 8
lockout = { max_failures = 3, window = "30 min", duration = "30 min" }
max_age = false
context_words = [
  "one",
  'two',
]

[pii.paths]
"user.contact.phone" = "CN_MOBILE"
'身份证' = "redact"

[[rbac.grants]]
role = "a"
resource = """multi
line"""

[[rbac.grants]]
role = "b"
a.b.c = 1

[rbac.roles.admin]
privileged = true
'''


class TestLineIndex:
    def test_keys_tables_and_array_elements(self) -> None:
        """Keys, inline tables, arrays, quoted keys and arrays of tables get their lines."""
        tomllib.loads(DOC)
        lines = line_index(DOC)
        assert lines["service"] == 2
        assert lines["service.name"] == 3
        assert lines["password.min_length"] == 6
        assert lines["password.lockout.window"] == 7
        assert lines["password.lockout.duration"] == 7
        assert lines["password.max_age"] == 8
        assert lines["password.context_words[1]"] == 11
        assert lines["pii.paths.user.contact.phone"] == 15
        assert lines["pii.paths.身份证"] == 16
        assert lines["rbac.grants[0]"] == 18
        assert lines["rbac.grants[0].resource"] == 20
        assert lines["rbac.grants[1].role"] == 24
        assert lines["rbac.grants[1].a.b.c"] == 25
        assert lines["rbac.roles.admin.privileged"] == 28

    def test_find_line_falls_back_to_the_enclosing_key(self) -> None:
        """A path the file does not write resolves to its nearest written parent."""
        lines = line_index(DOC)
        assert find_line(lines, "password.idle_timeout") == 5
        assert find_line(lines, "rbac.grants[1].resource") == 23
        assert find_line(lines, "retention.rules") is None
        assert find_line(lines, "") is None

    def test_escaped_quotes_and_multiline_literals(self) -> None:
        """Escapes and quotes inside strings do not end them early."""
        doc = 'a = "x \\" [y]"\nb = \'\'\'one\n"two" \'\'\'\nc = """q\\"""\nr"""\nd = 1\n'
        tomllib.loads(doc)
        lines = line_index(doc)
        assert (lines["a"], lines["b"], lines["c"], lines["d"]) == (1, 2, 4, 6)

    @settings(max_examples=200, deadline=None)
    @given(
        st.dictionaries(
            st.text("abcdef_", min_size=1, max_size=5),
            st.one_of(st.integers(), st.text(max_size=8), st.lists(st.integers(), max_size=3)),
            min_size=1,
            max_size=6,
        )
    )
    def test_every_top_level_key_is_found(self, table: dict[str, object]) -> None:
        """Every key of a generated document is indexed at the line it is written on."""
        body = []
        for key, value in table.items():
            if isinstance(value, str):
                text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
                text = text.encode("unicode_escape").decode().replace('\\\\"', '\\"')
            else:
                text = str(value).replace("'", '"')
            body.append(f"{key} = {text}")
        doc = "\n".join(body) + "\n"
        try:
            tomllib.loads(doc)
        except tomllib.TOMLDecodeError:
            return  # the generator wrote something TOML does not allow; nothing to index
        lines = line_index(doc)
        for number, key in enumerate(table, start=1):
            assert lines[key] == number
