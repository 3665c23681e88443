"""RC2-CBC decryption (RFC 2268), with any effective key length.

PKCS#12 files of OpenSSL 1.x, ``openssl -legacy`` and older Windows encrypt
their certificates with 40-bit RC2; cryptography's RC2 takes 128-bit keys
only. This is decryption alone, for opening those certificate safes before
anything else derives a key from the file (``pbe``).

Every block of CBC ciphertext is deciphered independently, so the blocks are
deciphered together: each of RC2's four 16-bit words, of all blocks, is one
Python integer holding a 32-bit lane per block (the upper half of a lane
absorbs carries and borrows), and each step of the cipher is a handful of
integer operations over the whole input rather than a loop over its blocks.
"""

from __future__ import annotations

__all__ = ["rc2_cbc_decrypt"]

# RFC 2268 section 2: "PITABLE", a permutation of 0..255 based on the digits of pi.
_PITABLE = bytes.fromhex(
    """
    d9 78 f9 c4 19 dd b5 ed 28 e9 fd 79 4a a0 d8 9d
    c6 7e 37 83 2b 76 53 8e 62 4c 64 88 44 8b fb a2
    17 9a 59 f5 87 b3 4f 13 61 45 6d 8d 09 81 7d 32
    bd 8f 40 eb 86 b7 7b 0b f0 95 21 22 5c 6b 4e 82
    54 d6 65 93 ce 60 b2 1c 73 56 c0 14 a7 8c f1 dc
    12 75 ca 1f 3b be e4 d1 42 3d d4 30 a3 3c b6 26
    6f bf 0e da 46 69 07 57 27 f2 1d 9b bc 94 43 03
    f8 11 c7 f6 90 ef 3e e7 06 c3 d5 2f c8 66 1e d7
    08 e8 ea de 80 52 ee f7 84 aa 72 ac 35 4d 6a 2a
    96 1a d2 71 5a 15 49 74 4b 9f d0 5e 04 18 a4 ec
    c2 e0 41 6e 0f 51 cb cc 24 91 af 50 a1 f4 70 39
    99 7c 3a 85 23 b8 b4 7a fc 02 36 5b 25 55 97 31
    2d 5d fa 98 e3 8a 92 ae 05 df 29 10 67 6c ba c9
    d3 00 e6 cf e1 9e a8 2c 63 16 01 3f 58 e2 89 a9
    0d 38 34 1b ab 33 ff b0 bb 48 0c 5f b9 b1 cd 2e
    c5 f3 db 47 e5 a5 9c 77 0a a6 20 68 fe 7f c1 ad
    """
)
_ROTATIONS = (1, 2, 3, 5)  # of words 0..3 in a mixing round
_MASHING_AFTER = (4, 10)  # deciphering: the rounds (from 0) followed by a mashing round
_BLOCK = 8


def rc2_cbc_decrypt(key: bytes, effective_bits: int, iv: bytes, data: bytes) -> bytes:
    """``data`` (whole 8-byte blocks) deciphered with RC2 in CBC mode; padding is kept.

    >>> rc2_cbc_decrypt(key, 40, iv, ciphertext)   # doctest: +SKIP
    """
    if not 1 <= len(key) <= 128 or not 1 <= effective_bits <= 1024:
        raise ValueError("an RC2 key has 1 to 128 bytes, and 1 to 1024 effective bits")
    if len(iv) != _BLOCK or len(data) % _BLOCK:
        raise ValueError("RC2-CBC takes an 8-byte IV and whole 8-byte blocks")
    blocks = len(data) // _BLOCK
    if not blocks:
        return b""
    expanded = _expand_key(key, effective_bits)
    lanes = _Lanes(blocks)
    words = [lanes.gather(data, i) for i in range(4)]
    _decipher(words, expanded, lanes)
    previous = [lanes.previous(data, iv, i) for i in range(4)]
    return lanes.scatter([w ^ p for w, p in zip(words, previous, strict=True)])


def _expand_key(key: bytes, effective_bits: int) -> list[int]:
    """RFC 2268 section 2: the 64 16-bit words K[0..63] of the expanded key."""
    table = bytearray(128)
    table[: len(key)] = key
    for i in range(len(key), 128):
        table[i] = _PITABLE[(table[i - 1] + table[i - len(key)]) & 0xFF]
    t8 = (effective_bits + 7) // 8
    table[128 - t8] = _PITABLE[table[128 - t8] & (0xFF >> (8 * t8 - effective_bits))]
    for i in range(127 - t8, -1, -1):
        table[i] = _PITABLE[table[i + 1] ^ table[i + t8]]
    return [table[2 * i] | table[2 * i + 1] << 8 for i in range(64)]


class _Lanes:
    """Integers holding one 32-bit lane per block, a 16-bit word in each lane's low half."""

    def __init__(self, blocks: int) -> None:
        self.blocks = blocks
        self.ones = int.from_bytes(b"\x01\x00\x00\x00" * blocks, "little")
        self.words = self.ones * 0xFFFF

    def gather(self, data: bytes, word: int) -> int:
        """Word ``word`` (0..3, little-endian) of every block."""
        lanes = bytearray(4 * self.blocks)
        lanes[0::4] = data[2 * word :: _BLOCK]
        lanes[1::4] = data[2 * word + 1 :: _BLOCK]
        return int.from_bytes(lanes, "little")

    def previous(self, data: bytes, iv: bytes, word: int) -> int:
        """Word ``word`` of the block before each block (the IV before the first)."""
        shifted = self.gather(data, word) << 32 | int.from_bytes(
            iv[2 * word : 2 * word + 2], "little"
        )
        return shifted & ((1 << 32 * self.blocks) - 1)

    def scatter(self, words: list[int]) -> bytes:
        """The blocks whose four words these are."""
        out = bytearray(_BLOCK * self.blocks)
        for word, value in enumerate(words):
            lanes = value.to_bytes(4 * self.blocks, "little")
            out[2 * word :: _BLOCK] = lanes[0::4]
            out[2 * word + 1 :: _BLOCK] = lanes[1::4]
        return bytes(out)

    def lookup(self, value: int, tables: tuple[bytes, bytes]) -> int:
        """``table[word & 63]`` in every lane, from a table's low and high bytes."""
        indexes = (value & self.ones * 63).to_bytes(4 * self.blocks, "little")
        lane_bytes = self.ones * 0xFF
        low = int.from_bytes(indexes.translate(tables[0]), "little") & lane_bytes
        high = int.from_bytes(indexes.translate(tables[1]), "little") & lane_bytes
        return low | high << 8


def _decipher(r: list[int], expanded: list[int], lanes: _Lanes) -> None:
    """RFC 2268 section 4: sixteen reversed mixing rounds, two reversed mashing rounds."""
    mask, ones = lanes.words, lanes.ones
    three_borrows = ones * 0x30000  # added before three subtractions of 16-bit values
    tables = (
        bytes(k & 0xFF for k in expanded) + bytes(192),
        bytes(k >> 8 for k in expanded) + bytes(192),
    )
    j = 63
    for round_number in range(16):  # in deciphering order
        for i in (3, 2, 1, 0):
            s, a, b, c = _ROTATIONS[i], r[(i - 1) % 4], r[(i - 2) % 4], r[(i - 3) % 4]
            rotated = (r[i] >> s | r[i] << (16 - s)) & mask
            r[i] = (
                rotated + three_borrows - expanded[j] * ones - (a & b) - ((a ^ mask) & c)
            ) & mask
            j -= 1
        if round_number in _MASHING_AFTER:
            for i in (3, 2, 1, 0):
                r[i] = (r[i] + ones * 0x10000 - lanes.lookup(r[(i - 1) % 4], tables)) & mask
