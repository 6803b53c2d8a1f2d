"""Breach checkers: the offline sorted-file search and the k-anonymity client."""

from __future__ import annotations

import asyncio
import hashlib
import random
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError, PolicyConfigError
from secpolicy.password import (
    MAX_PASSWORD_LENGTH,
    AsyncOnlineBreachChecker,
    BreachChecker,
    OfflineBreachChecker,
    OnlineBreachChecker,
    PasswordContext,
    PasswordPolicy,
    sha1_hex,
    urllib_transport,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

KNOWN = {"password": 9_545_824, "123456": 37_359_195, "qwerty": 3_946_737, "zaq12wsx": 17}


def write_corpus(path: Path, *, extra: int = 5_000, seed: int = 7) -> dict[str, int]:
    """A sorted HASH:COUNT file with the KNOWN passwords among *extra* random hashes."""
    rng = random.Random(seed)
    counts = {sha1_hex(word): count for word, count in KNOWN.items()}
    while len(counts) < len(KNOWN) + extra:
        counts[f"{rng.getrandbits(160):040X}"] = rng.randint(1, 500)
    path.write_text("".join(f"{h}:{counts[h]}\r\n" for h in sorted(counts)), encoding="ascii")
    return counts


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A 5,004-line corpus shared by the module's tests."""
    path = tmp_path_factory.mktemp("breach") / "pwned.txt"
    return path, write_corpus(path)


class TestSha1:
    def test_matches_the_corpus_key(self) -> None:
        """The key is the upper-case SHA-1 hex the corpus uses."""
        assert sha1_hex("password") == "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8"

    def test_normalises_first(self) -> None:
        """Full-width forms hash like their NFKC form."""
        assert sha1_hex("ｐａｓｓｗｏｒｄ") == sha1_hex("password")

    def test_lone_surrogates_do_not_raise(self) -> None:
        """A lone surrogate is hashed, not an error."""
        assert len(sha1_hex("\ud800x")) == 40


class TestOffline:
    def test_finds_every_line(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """Every line of the file is found with its count."""
        path, counts = corpus
        with OfflineBreachChecker(path) as checker:
            assert all(checker.count_hash(h) == c for h, c in counts.items())

    def test_known_passwords(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """Passwords are found through their hash; unknown ones count 0."""
        with OfflineBreachChecker(corpus[0]) as checker:
            assert {w: checker.count(w) for w in KNOWN} == KNOWN
            assert checker.count("correct horse battery staple 1987!") == 0
            assert isinstance(checker, BreachChecker)

    def test_absent_hashes_around_every_line(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """Hashes one above and below each line are absent."""
        path, counts = corpus
        with OfflineBreachChecker(path) as checker:
            for digest in list(counts)[:500]:
                value = int(digest, 16)
                for near in (value - 1, value + 1):
                    candidate = f"{near % 16**40:040X}"
                    assert checker.count_hash(candidate) == counts.get(candidate, 0)

    def test_extremes_and_lower_case(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """The first and last lines, both ends of the space, lower-case digests."""
        path, counts = corpus
        first, last = min(counts), max(counts)
        with OfflineBreachChecker(path) as checker:
            assert checker.count_hash("0" * 40) == counts.get("0" * 40, 0)
            assert checker.count_hash("F" * 40) == counts.get("F" * 40, 0)
            assert checker.count_hash(first.lower()) == counts[first]
            assert checker.count_hash(last) == counts[last]

    def test_malformed_digests_are_not_found(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """A digest of the wrong length or alphabet counts 0."""
        with OfflineBreachChecker(corpus[0]) as checker:
            assert checker.count_hash("5BAA61") == 0
            assert checker.count_hash("Z" * 40) == 0

    def test_skewed_file(self, tmp_path: Path) -> None:
        """Interpolation assumes even hashes; a skewed file must still be searched right."""
        hashes = sorted({f"{i:08X}" + "0" * 32 for i in range(3_000)} | {"F" * 40})
        path = tmp_path / "skewed.txt"
        path.write_text("".join(f"{h}:{n}\n" for n, h in enumerate(hashes, 1)), encoding="ascii")
        with OfflineBreachChecker(path) as checker:
            assert all(checker.count_hash(h) == n for n, h in enumerate(hashes, 1))
            assert checker.count_hash("00000BB9" + "1" * 32) == 0

    def test_missing_count_is_refused_at_open(self, tmp_path: Path) -> None:
        """A line without a count is not the corpus format: refused when opened."""
        path = tmp_path / "bare.txt"
        path.write_text(f"{sha1_hex('password')}\n", encoding="ascii")
        with pytest.raises(PolicyConfigError, match="upper-case SHA-1 hex"):
            OfflineBreachChecker(path)

    @settings(max_examples=50, deadline=None)
    @given(st.lists(st.integers(0, 16**40 - 1), min_size=1, max_size=300, unique=True))
    def test_any_sorted_file(self, values: list[int]) -> None:
        """Any sorted file: every hash is found."""
        import tempfile
        from pathlib import Path

        hashes = sorted(f"{v:040X}" for v in values)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "f.txt"
            path.write_text("".join(f"{h}:2\n" for h in hashes), encoding="ascii")
            with OfflineBreachChecker(path) as checker:
                assert all(checker.count_hash(h) == 2 for h in hashes)
                neighbour = f"{(values[0] + 1) % 16**40:040X}"
                assert checker.count_hash(neighbour) == (2 if neighbour in hashes else 0)

    def test_missing_and_empty_files(self, tmp_path: Path) -> None:
        """A missing or empty file is a configuration error naming it."""
        with pytest.raises(PolicyConfigError, match="does not exist"):
            OfflineBreachChecker(tmp_path / "nope.txt")
        (tmp_path / "empty.txt").write_bytes(b"")
        with pytest.raises(PolicyConfigError, match="is empty"):
            OfflineBreachChecker(tmp_path / "empty.txt")

    def test_repr_names_the_file_only(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """The repr names the file."""
        with OfflineBreachChecker(corpus[0]) as checker:
            assert "pwned.txt" in repr(checker)


def range_body(*passwords: str, padding: int = 800) -> str:
    """What the range API answers for the prefix of the first password."""
    prefix = sha1_hex(passwords[0])[:5]
    rows = [f"{sha1_hex(p)[5:]}:{KNOWN.get(p, 3)}" for p in passwords if sha1_hex(p)[:5] == prefix]
    rows += [
        f"{hashlib.sha1(str(i).encode(), usedforsecurity=False).hexdigest()[5:].upper()}:0"
        for i in range(padding)
    ]
    return "\r\n".join(rows)


class TestClosedChecker:
    def test_a_closed_checker_is_named(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """count() after close() is a PolicyConfigError, not a bare ValueError."""
        path, _ = corpus
        with OfflineBreachChecker(path) as checker:
            assert checker.count("password") == KNOWN["password"]
        with pytest.raises(PolicyConfigError, match="closed"):
            checker.count("password")
        checker.close()  # closing twice is harmless

    def test_a_closed_checker_never_passes_a_password(
        self, corpus: tuple[Path, dict[str, int]]
    ) -> None:
        """A fail-open policy with a closed checker refuses: it is a mistake, not an outage."""
        path, _ = corpus
        with OfflineBreachChecker(path) as checker:
            pass
        policy = PasswordPolicy(min_length=4, check_breached=True)  # fail-open
        context = PasswordContext(breach_checker=checker)
        assert policy.check("password", context=context).codes[-1] == "breach_check_unavailable"
        result = asyncio.run(policy.acheck("Harbor-Lantern-58", context=context))
        assert result.codes == ("breach_check_unavailable",)


class TestLengthCap:
    """Every checker's ``count`` refuses an over-long password before normalising it."""

    @pytest.fixture
    def checkers(
        self, corpus: tuple[Path, dict[str, int]]
    ) -> Iterator[list[OfflineBreachChecker | OnlineBreachChecker]]:
        """An offline and an online checker whose transport must never be called."""

        def transport(prefix: str) -> str:
            raise AssertionError(prefix)  # never reached: the cap comes first

        with OfflineBreachChecker(corpus[0]) as offline:
            yield [offline, OnlineBreachChecker(transport)]

    @pytest.mark.parametrize("length", [MAX_PASSWORD_LENGTH + 1, 1_000_000])
    def test_over_long_input_is_a_typed_error(
        self, checkers: list[OfflineBreachChecker | OnlineBreachChecker], length: int
    ) -> None:
        """Past the hasher's cap, count() raises InvalidArgumentError, naming no password."""
        secret = "\ufdfa" * length
        for checker in checkers:
            with pytest.raises(InvalidArgumentError) as raised:
                checker.count(secret)
            assert "\ufdfa" not in str(raised.value)
            assert raised.value.argument == "password"
        with pytest.raises(InvalidArgumentError):
            sha1_hex(secret)

    def test_async_checker_refuses_too(self) -> None:
        """The asyncio checker applies the same cap before calling its transport."""
        called: list[str] = []

        async def transport(prefix: str) -> str:
            called.append(prefix)
            return ""

        checker = AsyncOnlineBreachChecker(transport)
        with pytest.raises(InvalidArgumentError):
            asyncio.run(checker.count("x" * (MAX_PASSWORD_LENGTH + 1)))
        assert called == []

    def test_at_the_cap_is_counted(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """A password of exactly MAX_PASSWORD_LENGTH characters is still looked up."""
        with OfflineBreachChecker(corpus[0]) as checker:
            assert checker.count("a" * MAX_PASSWORD_LENGTH) == 0

    def test_non_text_is_a_type_error(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """bytes or None are ArgumentTypeError, not an AttributeError from deep inside."""
        with OfflineBreachChecker(corpus[0]) as checker:
            for value in (b"password", None):
                with pytest.raises(ArgumentTypeError):
                    checker.count(value)  # type: ignore[arg-type]  # what an untyped caller sends

    def test_policy_with_a_longer_max_length_treats_it_as_unknown(
        self, corpus: tuple[Path, dict[str, int]]
    ) -> None:
        """A policy allowing more than the cap gets "unknown" (fail closed refuses), no raise."""
        with OfflineBreachChecker(corpus[0]) as checker:
            policy = PasswordPolicy(
                min_length=1,
                max_length=MAX_PASSWORD_LENGTH * 2,
                blocklist=None,
                check_breached=True,
                breach_fail_closed=True,
                min_score=0,
            )
            context = PasswordContext(breach_checker=checker)
            result = policy.check("Zq8!" * (MAX_PASSWORD_LENGTH // 4 + 1), context=context)
            assert "breach_check_unavailable" in result.codes


class TestOnline:
    def test_sends_only_the_prefix(self) -> None:
        """Only the 5-character prefix leaves the process."""
        sent: list[str] = []

        def transport(prefix: str) -> str:
            sent.append(prefix)
            return range_body("password")

        assert OnlineBreachChecker(transport).count("password") == KNOWN["password"]
        assert sent == ["5BAA6"]

    def test_unknown_password_counts_zero(self) -> None:
        """A suffix the service does not list counts 0."""
        checker = OnlineBreachChecker(lambda prefix: range_body("password"))
        assert checker.count("a password nobody has ever used 8317") == 0

    def test_padding_rows_do_not_count(self) -> None:
        """Padding rows (count 0) are not breaches."""
        digest = sha1_hex("padded")
        body = f"{digest[5:]}:0\r\n" + range_body("password")
        assert OnlineBreachChecker(lambda prefix: body).count("padded") == 0

    @pytest.mark.parametrize("error", [OSError("down"), TimeoutError(), ValueError("bad body")])
    def test_unreachable_is_unknown(self, error: Exception) -> None:
        """Network errors, timeouts and bad bodies give None (unknown)."""

        def transport(prefix: str) -> str:
            raise error

        assert OnlineBreachChecker(transport).count("password") is None

    def test_timeout_must_be_positive(self) -> None:
        """A zero timeout is refused."""
        with pytest.raises(PolicyConfigError, match="timeout"):
            OnlineBreachChecker(timeout=0)

    def test_default_transport_requests_padding(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The default transport asks for padding, with the timeout."""
        seen: dict[str, object] = {}

        class Response:
            def __enter__(self) -> Response:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def read(self) -> bytes:
                return range_body("password").encode("ascii")

        def urlopen(request: object, timeout: float) -> Response:
            seen["url"] = request.full_url  # type: ignore[attr-defined]
            seen["padding"] = request.get_header("Add-padding")  # type: ignore[attr-defined]
            seen["timeout"] = timeout
            return Response()

        monkeypatch.setattr("urllib.request.urlopen", urlopen)
        assert OnlineBreachChecker(timeout=1.5).count("password") == KNOWN["password"]
        assert seen == {
            "url": "https://api.pwnedpasswords.com/range/5BAA6",
            "padding": "true",
            "timeout": 1.5,
        }
        assert urllib_transport(url="https://mirror.example/range/")  # a callable
        assert repr(OnlineBreachChecker(lambda p: "")) == "OnlineBreachChecker()"


class FixedChecker:
    def __init__(self, answer: int | None) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def count(self, password: str) -> int | None:
        """Answer the fixed count and remember what was asked."""
        self.asked.append(password)
        return self.answer


STRONG = "violet tractor amber 58 clouds"


class TestPolicy:
    def test_off_by_default(self) -> None:
        """Policies do not consult the checker unless asked."""
        checker = FixedChecker(100)
        assert PasswordPolicy().check(STRONG, context=PasswordContext(breach_checker=checker)).ok
        assert checker.asked == []

    def test_breached_password_is_refused_with_its_count(self) -> None:
        """A breached password is refused, with its count."""
        policy = PasswordPolicy(check_breached=True)
        result = policy.check(STRONG, context=PasswordContext(breach_checker=FixedChecker(12)))
        assert result.codes == ("breached",)
        assert result.violations[0].params == {"count": 12}
        assert "12" in result.violations[0].message("en")
        assert "泄露" in result.violations[0].message("zh-CN")

    def test_threshold(self) -> None:
        """Counts under the threshold pass; the threshold is at least 1."""
        policy = PasswordPolicy(check_breached=True, breach_threshold=10)
        assert policy.check(STRONG, context=PasswordContext(breach_checker=FixedChecker(9))).ok
        with pytest.raises(PolicyConfigError, match="breach_threshold"):
            PasswordPolicy(breach_threshold=0)

    def test_checker_sees_the_normalised_password(self) -> None:
        """The checker sees the NFKC form."""
        checker = FixedChecker(0)
        PasswordPolicy(check_breached=True).check(
            "ｖｉｏｌｅｔ tractor amber 58", context=PasswordContext(breach_checker=checker)
        )
        assert checker.asked == ["violet tractor amber 58"]

    @pytest.mark.parametrize("context", [None, PasswordContext(), "unreachable"])
    def test_fail_open_and_fail_closed(self, context: PasswordContext | str | None) -> None:
        """No answer lets the password through unless the policy fails closed."""
        if context == "unreachable":
            context = PasswordContext(breach_checker=FixedChecker(None))
        assert not isinstance(context, str)
        open_policy = PasswordPolicy(check_breached=True)
        closed = PasswordPolicy(check_breached=True, breach_fail_closed=True)
        assert open_policy.check(STRONG, context=context).ok
        assert closed.check(STRONG, context=context).codes == ("breach_check_unavailable",)

    def test_with_the_offline_corpus(self, corpus: tuple[Path, dict[str, int]]) -> None:
        """End to end with the offline checker."""
        policy = PasswordPolicy(min_length=6, check_breached=True, forbid_sequences=False)
        with OfflineBreachChecker(corpus[0]) as checker:
            context = PasswordContext(breach_checker=checker)
            assert "breached" in policy.check("zaq12wsx", context=context).codes
            assert policy.check(STRONG, context=context).ok


class TestFormatAtOpen:
    def _write(self, path: Path, lines: list[str]) -> Path:
        path.write_text("".join(f"{line}\r\n" for line in lines), encoding="ascii")
        return path

    def test_lower_case_file_is_refused(self, tmp_path: Path) -> None:
        """A lower-case corpus would find nothing: refused at open."""
        hashes = sorted(f"{random.Random(i).getrandbits(160):040x}" for i in range(500))
        path = self._write(tmp_path / "lower.txt", [f"{h}:3" for h in hashes])
        with pytest.raises(PolicyConfigError, match="upper-case"):
            OfflineBreachChecker(path)

    def test_count_sorted_file_is_refused(self, tmp_path: Path) -> None:
        """The ordered-by-prevalence download is refused: lookups need hash order."""
        rng = random.Random(3)
        rows = [(f"{rng.getrandbits(160):040X}", rng.randint(1, 10**6)) for _ in range(2000)]
        rows.sort(key=lambda row: -row[1])
        path = self._write(tmp_path / "by-count.txt", [f"{h}:{n}" for h, n in rows])
        with pytest.raises(PolicyConfigError, match="not sorted by hash"):
            OfflineBreachChecker(path)

    def test_ntlm_file_is_refused(self, tmp_path: Path) -> None:
        """The NTLM corpus (32 hex digits) is not the SHA-1 one."""
        hashes = sorted(f"{random.Random(i).getrandbits(128):032X}" for i in range(500))
        path = self._write(tmp_path / "ntlm.txt", [f"{h}:3" for h in hashes])
        with pytest.raises(PolicyConfigError, match="40 upper-case"):
            OfflineBreachChecker(path)

    def test_garbage_is_refused_and_file_closed(self, tmp_path: Path) -> None:
        """Any other text is refused, and the file handle is released."""
        path = tmp_path / "page.html"
        path.write_text("<html><body>rate limited</body></html>\n", encoding="ascii")
        with pytest.raises(PolicyConfigError):
            OfflineBreachChecker(path)

    def test_a_count_too_long_to_be_a_number(self, tmp_path: Path) -> None:
        """A file whose count has thousands of digits is refused at open, or found as breached."""
        digest = sha1_hex("password")
        with pytest.raises(PolicyConfigError, match="count"):
            OfflineBreachChecker(self._write(tmp_path / "one.txt", [f"{digest}:{'9' * 5000}"]))
        rng = random.Random(3)
        rows = {f"{rng.getrandbits(160):040X}": "7" for _ in range(20_000)}
        rows[digest] = "9" * 5000  # between the sampled lines
        path = self._write(tmp_path / "big.txt", [f"{h}:{rows[h]}" for h in sorted(rows)])
        with OfflineBreachChecker(path) as checker:
            assert checker.count("password") >= 10**18

    def test_single_line_file_opens(self, tmp_path: Path) -> None:
        """A one-line corpus with or without its final newline is accepted."""
        digest = sha1_hex("password")
        for body in (f"{digest}:5\n", f"{digest}:5"):
            path = tmp_path / "one.txt"
            path.write_text(body, encoding="ascii")
            with OfflineBreachChecker(path) as checker:
                assert checker.count("password") == 5


class TestMalformedReplies:
    @pytest.mark.parametrize(
        "body",
        ["", "<html><body>Service unavailable</body></html>", "\n\n", "OK", "ABC:1\n", None, 42],
    )
    def test_malformed_reply_is_unknown(self, body: object) -> None:
        """HTML, empty or malformed replies are unknown (None), never "not breached"."""
        checker = OnlineBreachChecker(lambda prefix: body)  # type: ignore[arg-type,return-value]
        assert checker.count("password") is None

    @pytest.mark.parametrize("body", ["", "<html>503</html>"])
    def test_fail_closed_refuses_on_a_malformed_reply(self, body: str) -> None:
        """With breach_fail_closed, a malformed reply refuses the password."""
        policy = PasswordPolicy(min_length=4, check_breached=True, breach_fail_closed=True)
        context = PasswordContext(breach_checker=OnlineBreachChecker(lambda prefix: body))
        assert (
            "breach_check_unavailable" in policy.check("Harbor-Lantern-58", context=context).codes
        )

    @pytest.mark.parametrize(
        "error", [RuntimeError("bug"), KeyError("x"), UnicodeDecodeError("ascii", b"", 0, 1, "x")]
    )
    def test_any_transport_error_is_unknown(self, error: Exception) -> None:
        """Errors that are not OSError do not escape count()."""

        def transport(prefix: str) -> str:
            raise error

        assert OnlineBreachChecker(transport).count("password") is None

    def test_a_count_too_long_to_be_a_number_is_unknown(self) -> None:
        """A matching row whose count has thousands of digits is malformed, not a ValueError."""
        suffix = sha1_hex("password")[5:]
        body = f"{suffix}:{'9' * 5000}\r\n"
        assert OnlineBreachChecker(lambda prefix: body).count("password") is None

        async def transport(prefix: str) -> str:
            return body

        assert asyncio.run(AsyncOnlineBreachChecker(transport).count("password")) is None

    def test_a_raising_checker_does_not_escape_check(self) -> None:
        """check() never raises, even when a custom checker does."""

        class Broken:
            def count(self, password: str) -> int | None:
                raise RuntimeError("bug")

        policy = PasswordPolicy(min_length=4, check_breached=True, breach_fail_closed=True)
        result = policy.check("Harbor-Lantern-58", context=PasswordContext(breach_checker=Broken()))
        assert result.codes == ("breach_check_unavailable",)

    @pytest.mark.parametrize("answer", [-1, True, "12", 1.5])
    def test_odd_answers_are_unknown(self, answer: object) -> None:
        """A checker answer that is not a non-negative int counts as unknown."""

        class Odd:
            def count(self, password: str) -> object:
                return answer

        policy = PasswordPolicy(min_length=4, check_breached=True, breach_fail_closed=True)
        context = PasswordContext(breach_checker=Odd())  # type: ignore[arg-type]
        assert policy.check("Harbor-Lantern-58", context=context).codes == (
            "breach_check_unavailable",
        )


class TestAsyncChecker:
    def test_async_checker_with_acheck(self) -> None:
        """acheck awaits an asyncio checker and refuses a breached password."""

        async def transport(prefix: str) -> str:
            return range_body("password")

        policy = PasswordPolicy(min_length=4, check_breached=True)
        context = PasswordContext(breach_checker=AsyncOnlineBreachChecker(transport))
        result = asyncio.run(policy.acheck("password", context=context))
        assert "breached" in result.codes
        fine = asyncio.run(policy.acheck("Harbor-Lantern-58", context=context))
        assert "breached" not in fine.codes

    def test_async_failures_are_unknown(self) -> None:
        """A failing or malformed async reply is unknown; fail-closed refuses."""

        async def down(prefix: str) -> str:
            raise TimeoutError

        async def html(prefix: str) -> str:
            return "<html></html>"

        policy = PasswordPolicy(min_length=4, check_breached=True, breach_fail_closed=True)
        for transport in (down, html):
            context = PasswordContext(breach_checker=AsyncOnlineBreachChecker(transport))
            result = asyncio.run(policy.acheck("Harbor-Lantern-58", context=context))
            assert result.codes == ("breach_check_unavailable",)

    def test_async_checker_in_blocking_check_is_unknown(self) -> None:
        """The blocking check() cannot await: the lookup is unknown and nothing leaks."""

        async def transport(prefix: str) -> str:
            return range_body("password")

        policy = PasswordPolicy(min_length=4, check_breached=True, breach_fail_closed=True)
        context = PasswordContext(breach_checker=AsyncOnlineBreachChecker(transport))
        assert policy.check("password", context=context).codes[-1] == "breach_check_unavailable"

    def test_async_checker_in_blocking_check_is_never_a_pass(self) -> None:
        """Fail-open covers an outage, not a checker check() can never call: it refuses."""

        async def transport(prefix: str) -> str:
            return range_body("password")

        policy = PasswordPolicy(min_length=4, check_breached=True)  # fail-open
        context = PasswordContext(breach_checker=AsyncOnlineBreachChecker(transport))
        result = policy.check("Harbor-Lantern-58", context=context)
        assert result.codes == ("breach_check_unavailable",)
        assert asyncio.run(policy.acheck("Harbor-Lantern-58", context=context)).ok

    def test_acheck_without_breach_checks_is_check(self) -> None:
        """With check_breached off, acheck gives check()'s result; too long stops early."""
        policy = PasswordPolicy(min_length=4, max_length=8, check_breached=True)
        assert asyncio.run(policy.acheck("x" * 50)).codes == ("too_long",)
        plain = PasswordPolicy(min_length=4)
        assert asyncio.run(plain.acheck("abc")).codes == plain.check("abc").codes

    def test_default_transport_runs_in_a_thread(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a transport, the blocking one runs through asyncio.to_thread."""
        calls: list[str] = []

        def fake(*, timeout: float, url: str = "") -> object:
            def fetch(prefix: str) -> str:
                calls.append(prefix)
                return range_body("password")

            return fetch

        monkeypatch.setattr("secpolicy.password._breach.urllib_transport", fake)
        checker = AsyncOnlineBreachChecker(timeout=1.0)
        assert asyncio.run(checker.count("password")) == KNOWN["password"]
        assert calls == [sha1_hex("password")[:5]]
        with pytest.raises(PolicyConfigError, match="timeout"):
            AsyncOnlineBreachChecker(timeout=0)
        assert repr(checker) == "AsyncOnlineBreachChecker()"


class TestAsyncEdges:
    def test_a_hung_custom_transport_is_unknown_after_the_timeout(self) -> None:
        """A custom transport that never answers is cancelled at the timeout: unknown, no hang."""
        cancelled: list[bool] = []

        async def hung(prefix: str) -> str:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append(True)
                raise
            return ""  # pragma: no cover (never reached)

        checker = AsyncOnlineBreachChecker(hung, timeout=0.001)
        assert asyncio.run(checker.count("password")) is None
        assert cancelled == [True]
        policy = PasswordPolicy(min_length=4, check_breached=True, breach_fail_closed=True)
        context = PasswordContext(breach_checker=checker)
        result = asyncio.run(policy.acheck("Harbor-Lantern-58", context=context))
        assert result.codes == ("breach_check_unavailable",)

    def test_a_raising_async_checker_is_unknown(self) -> None:
        """acheck never raises, whatever an async checker does."""

        class Broken:
            async def count(self, password: str) -> int | None:
                raise RuntimeError("bug")

        policy = PasswordPolicy(min_length=4, check_breached=True, breach_fail_closed=True)
        context = PasswordContext(breach_checker=Broken())
        result = asyncio.run(policy.acheck("Harbor-Lantern-58", context=context))
        assert result.codes == ("breach_check_unavailable",)

    def test_acheck_with_a_blocking_checker(self) -> None:
        """A blocking checker works with acheck too; no checker fails closed when asked."""
        policy = PasswordPolicy(min_length=4, check_breached=True, breach_fail_closed=True)
        context = PasswordContext(
            breach_checker=OnlineBreachChecker(lambda prefix: range_body("password"))
        )
        assert "breached" in asyncio.run(policy.acheck("password", context=context)).codes
        assert asyncio.run(policy.acheck("Harbor-Lantern-58")).codes == (
            "breach_check_unavailable",
        )
