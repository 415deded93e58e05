"""Three small training scripts for the code-similarity tests: an original, a copy in
disguise (renamed variables, reordered functions) and unrelated code."""

ORIGINAL = """
import numpy as np


def train(features, labels, epochs=10):
    weights = np.zeros(features.shape[1])
    for epoch in range(epochs):
        scores = features @ weights
        error = scores - labels
        weights -= 0.01 * features.T @ error / len(labels)
    return weights


def predict(features, weights):
    return (features @ weights > 0.5).astype(int)


def accuracy(truth, guess):
    hits = sum(1 for t, g in zip(truth, guess) if t == g)
    return hits / len(truth)
"""

# the same code, every variable renamed, comments added, functions in another order
DISGUISED = """
import numpy as np


def accuracy(y_true, y_hat):
    # how many we got right
    n_ok = sum(1 for a, b in zip(y_true, y_hat) if a == b)
    return n_ok / len(y_true)


def predict(X, w):
    return (X @ w > 0.5).astype(int)


def train(X, y, epochs=10):
    w = np.zeros(X.shape[1])
    for ep in range(epochs):
        s = X @ w
        diff = s - y
        w -= 0.01 * X.T @ diff / len(y)
    return w
"""

UNRELATED = """
import csv
from pathlib import Path


class Loader:
    def __init__(self, root):
        self.root = Path(root)
        self.cache = {}

    def rows(self, name):
        if name not in self.cache:
            with open(self.root / name, newline="") as handle:
                self.cache[name] = list(csv.DictReader(handle))
        return self.cache[name]

    def column(self, name, key):
        return [row[key] for row in self.rows(name) if row.get(key)]
"""
