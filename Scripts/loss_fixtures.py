#!/usr/bin/env python3
"""Writes the reference values the Losses tests compare against (Tests/LossesTests/Fixtures/).

An independent route to each loss: plain Python loops over the formulas of docs/method.md
("BSTriplet", "Compared losses") in float64 (numpy only for storage and random numbers),
and every gradient by central finite differences of those loops, never by the
hand-derived formulas the Swift code uses. Inputs
are rounded to float32 first, so the Swift side sees exactly the same numbers.

Usage: Scripts/loss_fixtures.py [output folder]   (default: Tests/LossesTests/Fixtures)
"""
import json
from fractions import Fraction
import math
import pathlib
import sys

import numpy as np

EPSILON = 1e-12  # norm floor of the L2 normalisation, as in the Swift code (and F.normalize)
STEP = 1e-6  # finite-difference step in float64
KINK_CLEARANCE = 1e-3  # hinge arguments must stay this far from 0 so differences are valid


def normalize(rows):
    out = []
    for row in rows:
        norm = math.sqrt(sum(x * x for x in row))
        out.append([x / max(norm, EPSILON) for x in row])
    return out


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b))


def square_function(name):
    return {"signed": lambda x: x * abs(x), "plain": lambda x: x * x, "linear": lambda x: x}[name]


def bst_hinges(units, labels, margin, square):
    """m − mean_P g(D_ij) − mean_Q g(D_ik) for every row, empty sets dropped."""
    g = square_function(square)
    hinges = []
    for i, (anchor, label) in enumerate(zip(units, labels)):
        positives = [g(cosine(anchor, units[j])) for j in range(len(units)) if j != i and labels[j] == label]
        negatives = [g(-cosine(anchor, units[k])) for k in range(len(units)) if labels[k] != label]
        hinge = Fraction(margin) if isinstance(anchor[0], Fraction) else margin
        if positives:
            hinge -= sum(positives) / len(positives)
        if negatives:
            hinge -= sum(negatives) / len(negatives)
        hinges.append(hinge)
    return hinges


def bst_loss(units, labels, margin, square):
    return sum(max(0, h) for h in bst_hinges(units, labels, margin, square)) / len(units)


def triplet_hinges(units, labels, margin):
    hinges = []
    count = len(units)
    for a in range(count):
        for p in range(count):
            if p == a or labels[p] != labels[a]:
                continue
            for n in range(count):
                if labels[n] == labels[a]:
                    continue
                m = Fraction(margin) if isinstance(units[a][0], Fraction) else margin
                hinges.append(m - cosine(units[a], units[p]) + cosine(units[a], units[n]))
    return hinges


def triplet_loss(units, labels, margin):
    active = [h for h in triplet_hinges(units, labels, margin) if h > 0]
    return sum(active) / len(active) if active else 0


def lifted_loss(units, labels, margin):
    def distance(a, b):
        return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))

    count = len(units)
    pairs = [(i, j) for i in range(count) for j in range(i + 1, count) if labels[i] == labels[j]]
    if not pairs:
        return 0.0
    total = 0.0
    for i, j in pairs:
        terms = [math.exp(margin - distance(units[i], units[k])) for k in range(count) if labels[k] != labels[i]]
        terms += [math.exp(margin - distance(units[j], units[k])) for k in range(count) if labels[k] != labels[j]]
        if not terms:
            continue
        objective = math.log(sum(terms)) + distance(units[i], units[j])
        total += max(0.0, objective) ** 2
    return total / (2 * len(pairs))


def gradient(loss_of_units, embeddings, rational):
    """dL/df by central differences through the normalisation.

    A zero row has no derivative (f/‖f‖ jumps there); it gets the clamped branch's
    convention dL/df̂ / ε, with dL/df̂ by central differences in f̂. The 1/ε = 1e12 factor
    would magnify a float64 difference's truncation error (O(step) for the signed square,
    whose true value there is 0) beyond any tolerance, so for losses that are rational in f̂
    (`rational`: BSTriplet, triplet) that difference is taken in exact rational arithmetic
    with a 1e-30 step; the lifted loss (sqrt, exp, log) stays in float64, where its non-zero
    derivative dwarfs the error.
    """
    rows = [list(row) for row in embeddings]
    result = []
    for r, row in enumerate(rows):
        zero = all(x == 0 for x in row)
        out = []
        for c in range(len(row)):
            if zero and rational:
                step = Fraction(1, 10**30)
                units = [[Fraction(x) for x in unit] for unit in normalize(rows)]
            else:
                step = STEP
                units = normalize(rows)

            def shifted(delta):
                if zero:
                    moved = [list(unit) for unit in units]
                    moved[r][c] += delta
                    return loss_of_units(moved)
                moved = [list(x) for x in rows]
                moved[r][c] += delta
                return loss_of_units(normalize(moved))
            derivative = float((shifted(step) - shifted(-step)) / (2 * step))
            out.append(derivative / EPSILON if zero else derivative)
        result.append(out)
    return result


def check_clear_of_kinks(name, hinges):
    near = [h for h in hinges if abs(h) < KINK_CLEARANCE]
    if near:
        sys.exit(f"loss_fixtures: case {name!r} has a hinge argument {near[0]:.2e} within "
                 f"{KINK_CLEARANCE} of its kink; finite differences would be wrong there. Change the seed.")


def as_float32(array):
    return np.asarray(array, dtype=np.float32).astype(np.float64)


def embedding_cases():
    """(name, labels, embeddings) batches covering the edge cases of docs/method.md ("Edge cases")."""
    rng = np.random.default_rng(1)
    cases = [
        ("pair_same_class", [0, 0], rng.normal(size=(2, 3))),
        ("pair_two_classes", [0, 1], rng.normal(size=(2, 3))),
        ("single_class", [1, 1, 1, 1, 1], rng.normal(size=(5, 4))),
        ("rows_without_positives", [0, 0, 1, 2, 2, 3], rng.normal(size=(6, 5))),
        ("three_classes", [0, 1, 2, 0, 1, 2, 0, 1, 2], rng.normal(size=(9, 6))),
        ("nonnegative_three_classes", [2, 0, 1, 1, 0, 2, 0], np.abs(rng.normal(size=(7, 5)))),
    ]
    centers = rng.normal(size=(3, 8)) * 2
    labels = [0, 0, 1, 1, 1, 2, 2, 0]
    cases.append(("separated_classes", labels, centers[labels] + rng.normal(size=(8, 8))))
    with_zero = rng.normal(size=(5, 4))
    with_zero[2] = 0
    cases.append(("zero_vector", [0, 1, 0, 1, 2], with_zero))
    return [(name, labels, as_float32(embeddings)) for name, labels, embeddings in cases]


def metric_case(name, labels, embeddings, loss_of_units, hinges, rational, **settings):
    check_clear_of_kinks(name, hinges)
    return {
        "name": name,
        **settings,
        "labels": labels,
        "embeddings": embeddings.tolist(),
        "loss": float(loss_of_units(normalize(embeddings.tolist()))),
        "gradient": gradient(loss_of_units, embeddings.tolist(), rational),
    }


def bst_cases():
    cases = []
    for name, labels, embeddings in embedding_cases():
        variants = [("signed", 0.9)]
        if name == "three_classes":
            variants += [("plain", 0.5), ("linear", 1.0)]
        if name == "separated_classes":
            variants = [("signed", 0.9), ("signed", 0.7)]  # 0.7 leaves some rows inactive
        if name == "zero_vector":
            variants += [("linear", 0.9)]  # a zero row with a non-zero dL/df̂: the 1/ε convention
        for square, margin in variants:
            suffix = "" if (square, margin) == ("signed", 0.9) else f"_{square}_{margin}"
            units = normalize(embeddings.tolist())
            cases.append(metric_case(
                name + suffix, labels, embeddings,
                lambda u, l=labels, m=margin, s=square: bst_loss(u, l, m, s),
                bst_hinges(units, labels, margin, square), rational=True, margin=margin, square=square))
    return cases


def triplet_cases():
    cases = []
    for name, labels, embeddings in embedding_cases():
        for margin in ([1.0, 0.3] if name == "separated_classes" else [1.0]):
            suffix = "" if margin == 1.0 else f"_{margin}"
            units = normalize(embeddings.tolist())
            cases.append(metric_case(
                name + suffix, labels, embeddings,
                lambda u, l=labels, m=margin: triplet_loss(u, l, m),
                triplet_hinges(units, labels, margin), rational=True, margin=margin))
    return cases


def lifted_cases():
    # max(0, J)² is continuously differentiable, so no kink check is needed.
    return [
        metric_case(name, labels, embeddings, lambda u, l=labels: lifted_loss(u, l, 1.0), [], rational=False, margin=1.0)
        for name, labels, embeddings in embedding_cases()
    ]


def cross_entropy(logits, labels, normalizer, label_smoothing=0.0):
    """PyTorch's CrossEntropyLoss(label_smoothing=eps) summed over rows, divided by normalizer:
    -sum_c q_c log softmax(o)_c with q = (1 - eps) one-hot + eps / K."""
    total = 0.0
    for row, label in zip(logits, labels):
        largest = max(row)
        log_sum = math.log(sum(math.exp(x - largest) for x in row)) + largest
        classes = len(row)
        for c, x in enumerate(row):
            target = (1 - label_smoothing) * (c == label) + label_smoothing / classes
            total -= target * (x - log_sum)
    return total / normalizer


def cross_entropy_cases():
    rng = np.random.default_rng(2)
    specs = [
        ("small_batch", rng.normal(size=(4, 3)), [0, 2, 1, 2], 4.0),
        ("share_of_global_batch", rng.normal(size=(3, 5)) * 3, [4, 0, 4], 12.0),
        ("large_logits", 1000 + rng.normal(size=(3, 4)) * 5, [1, 3, 0], 3.0),
        ("one_class", rng.normal(size=(2, 1)), [0, 0], 2.0),
    ]
    specs = [spec + (0.0,) for spec in specs] + [
        ("smoothed_small_batch", rng.normal(size=(4, 3)), [0, 2, 1, 2], 4.0, 0.1),
        ("smoothed_two_classes_confident", rng.normal(size=(3, 2)) * 8, [1, 0, 1], 6.0, 0.2),
        ("smoothed_share_of_global_batch", rng.normal(size=(3, 5)) * 3, [4, 0, 4], 12.0, 0.05),
    ]
    cases = []
    for name, logits, labels, normalizer, smoothing in specs:
        logits = as_float32(logits).tolist()
        grad = []
        for r, row in enumerate(logits):
            out = []
            for c in range(len(row)):
                plus = [list(x) for x in logits]
                minus = [list(x) for x in logits]
                plus[r][c] += STEP
                minus[r][c] -= STEP
                out.append((cross_entropy(plus, labels, normalizer, smoothing)
                            - cross_entropy(minus, labels, normalizer, smoothing)) / (2 * STEP))
            grad.append(out)
        probabilities = []
        for row in logits:
            largest = max(row)
            exps = [math.exp(x - largest) for x in row]
            probabilities.append([e / sum(exps) for e in exps])
        cases.append({
            "name": name, "labels": labels, "logits": logits, "normalizer": normalizer, "label_smoothing": smoothing,
            "loss": cross_entropy(logits, labels, normalizer, smoothing), "gradient": grad,
            "probabilities": probabilities,
        })
    return cases


def main():
    folder = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else \
        pathlib.Path(__file__).resolve().parent.parent / "Tests" / "LossesTests" / "Fixtures"
    folder.mkdir(parents=True, exist_ok=True)
    for file, cases in [
        ("bst.json", bst_cases()),
        ("triplet.json", triplet_cases()),
        ("lifted.json", lifted_cases()),
        ("cross_entropy.json", cross_entropy_cases()),
    ]:
        document = {"generator": "Scripts/loss_fixtures.py", "cases": cases}
        (folder / file).write_text(json.dumps(document, indent=1) + "\n")
        print(f"loss_fixtures: wrote {len(cases)} cases to {folder / file}")


if __name__ == "__main__":
    main()
