"""Code similarity by winnowing (Schleimer, Wilkerson and Aiken, 2003), pure Python.

Source is cut into Python tokens (the `tokenize` module) and normalised so that renaming
does not hide a copy: every identifier becomes "V" (except attribute names after a dot,
which are usually library calls), strings "S" and numbers "N"; comments, blank lines and
indentation tokens are dropped. Each run of K consecutive tokens is hashed; of every window
of W consecutive hashes the smallest is kept (the rightmost on a tie), which guarantees that
any common run of at least K + W - 1 tokens shares a fingerprint. Two files are compared
by the Jaccard index of their fingerprint sets, so moving functions around changes little.
"""

from __future__ import annotations

import hashlib
import io
import json
import keyword
import tokenize
from dataclasses import dataclass

K = 12  # tokens in a k-gram
W = 8  # hashes in a window
SKIPPED = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}

STRINGS = {tokenize.STRING} | {
    getattr(tokenize, name)
    for name in ("FSTRING_START", "FSTRING_MIDDLE")
    if hasattr(tokenize, name)
}
SHARED_BY_MANY = 0.2  # a fingerprint in more than this share of the files is boilerplate
MIN_SHARED = 8  # fewer shared fingerprints than this is never flagged
THRESHOLD = 0.4  # Jaccard index from which a pair is flagged


@dataclass(frozen=True)
class Token:
    text: str
    line: int


def normalised_tokens(source: str) -> list[Token]:
    """The normalised tokens of Python source; a syntax error ends the list where it is."""
    tokens: list[Token] = []
    previous = ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type in SKIPPED:
                continue
            tokens.append(Token(normalise(tok, previous), tok.start[0]))
            previous = tok.string
    except (tokenize.TokenError, SyntaxError):
        pass
    return tokens


def normalise(tok: tokenize.TokenInfo, previous: str) -> str:
    if tok.type == tokenize.NAME:
        if keyword.iskeyword(tok.string) or previous == ".":
            return tok.string
        return "V"
    if tok.type in STRINGS:
        return "S"
    if tok.type == tokenize.NUMBER:
        return "N"
    return tok.string


def kgram_hash(texts: list[str]) -> int:
    digest = hashlib.blake2b("\x1f".join(texts).encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big")  # < 2**48: exact in JSON and JavaScript


def fingerprints(source: str, k: int = K, w: int = W) -> list[tuple[int, int]]:
    """(hash, line) of the k-grams winnowing selects, in source order, without repeats of
    the same selected position."""
    tokens = normalised_tokens(source)
    hashes = [
        (kgram_hash([t.text for t in tokens[i : i + k]]), tokens[i].line)
        for i in range(len(tokens) - k + 1)
    ]
    if not hashes:
        return []
    if len(hashes) <= w:
        return [min(hashes, key=lambda h: h[0])]
    chosen: list[tuple[int, int]] = []
    last = -1
    for start in range(len(hashes) - w + 1):
        window = hashes[start : start + w]
        low = min(h for h, _ in window)
        pick = start + max(i for i, (h, _) in enumerate(window) if h == low)
        if pick != last:
            chosen.append(hashes[pick])
            last = pick
    return chosen


def jaccard(a: set[int], b: set[int]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def notebook_source(data: dict) -> str:
    """The code cells of a parsed notebook, one after another; IPython magics (%…) and shell
    escapes (!…) are left out since they are not Python."""
    parts = []
    for cell in data.get("cells", ()):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        lines = [line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))]
        parts.append("\n".join(lines))
    return "\n".join(parts) + "\n"


def code_source(content: bytes, kind: str) -> str:
    """The Python code of an attachment: a script's text, or a notebook's code cells."""
    text = content.decode("utf-8")
    return notebook_source(json.loads(text)) if kind == "ipynb" else text


@dataclass(frozen=True)
class CodePair:
    a: int
    b: int
    similarity: float
    shared: int
    lines_a: list[int]
    lines_b: list[int]


def boilerplate(prints: dict[int, set[int]]) -> set[int]:
    """Fingerprints in more than SHARED_BY_MANY of the files (and in at least 3): starter
    code and common idioms, which say nothing about copying."""
    counts: dict[int, int] = {}
    for hashes in prints.values():
        for h in hashes:
            counts[h] = counts.get(h, 0) + 1
    limit = max(2, SHARED_BY_MANY * len(prints))
    return {h for h, n in counts.items() if n > limit}


def similar_pairs(
    files: dict[int, list[tuple[int, int]]], threshold: float = THRESHOLD
) -> list[CodePair]:
    """Pairs of owners whose fingerprint sets (boilerplate removed) have a Jaccard index of
    at least `threshold` and share at least MIN_SHARED fingerprints, most similar first.
    Counting shared fingerprints through an inverted index costs what the shared ones cost,
    not a comparison of every pair."""
    raw = {owner: {h for h, _ in fp} for owner, fp in files.items()}
    common = boilerplate(raw)
    prints = {owner: hashes - common for owner, hashes in raw.items()}
    owners_of: dict[int, list[int]] = {}
    for owner in sorted(prints):
        for h in prints[owner]:
            owners_of.setdefault(h, []).append(owner)
    shared: dict[tuple[int, int], int] = {}
    for owners in owners_of.values():
        for i, a in enumerate(owners):
            for b in owners[i + 1 :]:
                shared[a, b] = shared.get((a, b), 0) + 1
    pairs = []
    for (a, b), n in shared.items():
        similarity = n / len(prints[a] | prints[b])
        if n >= MIN_SHARED and similarity >= threshold:
            both = prints[a] & prints[b]
            pairs.append(
                CodePair(
                    a, b, round(similarity, 3), n, lines(files[a], both), lines(files[b], both)
                )
            )
    return sorted(pairs, key=lambda p: (-p.similarity, p.a, p.b))


def lines(fingerprints_: list[tuple[int, int]], wanted: set[int], most: int = 12) -> list[int]:
    """The first lines where the wanted fingerprints start, for the evidence shown."""
    return sorted({line for h, line in fingerprints_ if h in wanted})[:most]
