"""Winnowing fingerprints on hand-made code (pure: no database)."""

import json

from challenges.insights import winnowing
from challenges.insights.winnowing import fingerprints, jaccard, similar_pairs
from tests.code_samples import DISGUISED, ORIGINAL, UNRELATED


def prints(source):
    return {h for h, _ in fingerprints(source)}


def test_renamed_variables_and_reordered_functions_still_match():
    assert jaccard(prints(ORIGINAL), prints(DISGUISED)) >= 0.6


def test_unrelated_code_does_not_match():
    assert jaccard(prints(ORIGINAL), prints(UNRELATED)) < 0.1


def test_identifiers_become_one_symbol_but_keywords_and_attributes_stay():
    texts = [t.text for t in winnowing.normalised_tokens("x = np.mean(y, 'a') + 3  # c\n")]
    assert texts == ["V", "=", "V", ".", "mean", "(", "V", ",", "S", ")", "+", "N"]


def test_every_window_of_hashes_keeps_its_minimum():
    tokens = winnowing.normalised_tokens(ORIGINAL)
    k, w = 5, 4
    hashes = [
        winnowing.kgram_hash([t.text for t in tokens[i : i + k]])
        for i in range(len(tokens) - k + 1)
    ]
    chosen = {h for h, _ in fingerprints(ORIGINAL, k=k, w=w)}
    assert all(min(hashes[i : i + w]) in chosen for i in range(len(hashes) - w + 1))
    assert len(chosen) < len(set(hashes))  # winnowing keeps a fraction


def test_a_notebooks_code_cells_are_compared_and_its_text_and_magics_are_not():
    notebook = {
        "nbformat": 4,
        "cells": [
            {"cell_type": "markdown", "source": ["# My model\n", "It trains fast."]},
            {"cell_type": "code", "source": ["%matplotlib inline\n", "x = 1\n"]},
            {"cell_type": "code", "source": "print(x)"},
        ],
    }
    source = winnowing.code_source(json.dumps(notebook).encode(), "ipynb")
    assert source == "x = 1\nprint(x)\n"


def test_a_copy_is_paired_and_an_unrelated_file_is_not():
    files = {
        1: fingerprints(ORIGINAL),
        2: fingerprints(DISGUISED),
        3: fingerprints(UNRELATED),
    }
    pairs = similar_pairs(files)
    assert [(p.a, p.b) for p in pairs] == [(1, 2)]
    assert pairs[0].shared >= winnowing.MIN_SHARED and pairs[0].lines_a and pairs[0].lines_b


def test_code_most_of_the_class_shares_is_boilerplate_and_never_flags_a_pair():
    starter = fingerprints(ORIGINAL)
    files = {n: starter + fingerprints(f"value_{n} = {n}\n") for n in range(10)}
    assert similar_pairs(files) == []


def test_a_syntax_error_ends_the_tokens_instead_of_failing():
    assert winnowing.normalised_tokens("x = (1,\n") == winnowing.normalised_tokens("x = (1,")
