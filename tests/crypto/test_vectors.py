"""Known-answer tests: our primitive wiring reproduces published vectors."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from secpolicy.crypto._primitives import (
    HMAC_SHA256,
    HMAC_SM3,
    InvalidTag,
    Sm4Gcm,
    mac,
    make_aead,
    make_siv,
)

H = bytes.fromhex


class TestAesGcm:
    def test_gcm_spec_test_case_16(self) -> None:
        """AES-256-GCM, test case 16 of the GCM specification (McGrew and Viega)."""
        key = H("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        iv = H("cafebabefacedbaddecaf888")
        aad = H("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        pt = H(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
        )
        ct = H(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        )
        tag = H("76fc6ece0f4e1768cddf8853bb2d551b")
        aead = make_aead("AES-256-GCM", key)
        assert aead.encrypt(iv, pt, aad) == ct + tag
        assert aead.decrypt(iv, ct + tag, aad) == pt


class TestSm4Gcm:
    KEY = H("0123456789ABCDEFFEDCBA9876543210")
    IV = H("00001234567800000000ABCD")
    AAD = H("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    PT = H(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    CT = H(
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    TAG = H("83DE3541E4C2B58177E065A9BF7B62EC")

    def test_rfc8998_a1(self) -> None:
        """SM4-GCM reproduces RFC 8998, appendix A.1."""
        aead = make_aead("SM4-GCM", self.KEY)
        assert aead.encrypt(self.IV, self.PT, self.AAD) == self.CT + self.TAG
        assert aead.decrypt(self.IV, self.CT + self.TAG, self.AAD) == self.PT

    @pytest.mark.parametrize("index", [0, 63, 64, 79])
    def test_rejects_tampering(self, index: int) -> None:
        """A flipped bit anywhere in ciphertext or tag fails authentication."""
        sealed = bytearray(self.CT + self.TAG)
        sealed[index] ^= 1
        with pytest.raises(InvalidTag):
            Sm4Gcm(self.KEY).decrypt(self.IV, bytes(sealed), self.AAD)

    def test_rejects_wrong_aad_and_short_input(self) -> None:
        """Other associated data, or input shorter than a tag, fails."""
        aead = Sm4Gcm(self.KEY)
        with pytest.raises(InvalidTag):
            aead.decrypt(self.IV, self.CT + self.TAG, self.AAD + b"x")
        with pytest.raises(InvalidTag):
            aead.decrypt(self.IV, b"short", None)

    def test_no_aad_round_trip(self) -> None:
        """Without associated data the tag still covers the ciphertext."""
        aead = Sm4Gcm(self.KEY)
        assert aead.decrypt(self.IV, aead.encrypt(self.IV, b"abc", None), None) == b"abc"


class TestAesSiv:
    def test_rfc5297_a1(self) -> None:
        """AES-SIV reproduces RFC 5297, appendix A.1 (deterministic mode)."""
        key = H("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
        ad = H("101112131415161718191a1b1c1d1e1f2021222324252627")
        pt = H("112233445566778899aabbccddee")
        expected = H("85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c")
        assert make_siv(key).encrypt(pt, [ad]) == expected


class TestMac:
    def test_hmac_sha256_rfc4231_case_2(self) -> None:
        """HMAC-SHA256 reproduces RFC 4231 test case 2."""
        digest = mac(HMAC_SHA256, b"Jefe", b"what do ya want for nothing?")
        assert digest.hex() == ("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")

    @pytest.mark.skipif("sm3" not in hashlib.algorithms_available, reason="no SM3 in hashlib")
    def test_hmac_sm3_agrees_with_hashlib(self) -> None:
        """HMAC-SM3 through cryptography agrees with OpenSSL's SM3 in hashlib."""
        key, msg = b"k" * 32, b"message"
        assert mac(HMAC_SM3, key, msg) == hmac.digest(key, msg, "sm3")
