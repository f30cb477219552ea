"""Pair the cahier's bank lines with the bank statement's operations (« pointage »).

Rules (issue 17):

* same amount to the cent, same direction (a receipt with money in, an expense with money out);
* when both sides have a cheque number, they must be the same — and a cheque found by its number is paired first;
* dates within a window: ``days`` either side, and for a cheque (a cheque number or mode CHQ on either side)
  up to ``cheque_days`` after the date of the cahier (cheques clear days or weeks later); a line of the « En
  attente » sheet was still outstanding at the previous 31 August, so its window after counts from the first day of
  the exercice (:attr:`BankLine.since`) when that is later than its date;
* one-to-one, and deterministic: the operations are taken in the order of their content (date, amount, cheque,
  label), never in the order of the file, and the cahier's lines in date then row order. Among lines of the same
  amount, each takes the earliest operation still free in its window: two cash deposits of the same amount in the
  same week are paired in date order, and the pairing says so (:attr:`Matching.in_date_order`);
* what is left is compared once more for near misses: the same direction and window, and an amount off by at most
  ``near_cents`` or by two swapped digits (the gap in cents is then a multiple of 9). Those are never ticked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from workbook_tools.statement import Operation, cheque_key


@dataclass(frozen=True)
class BankLine:
    """One line of the cahier's bank: ``amount`` in cents, positive = receipt (Banque recette)."""

    row: int
    date: dt.date
    amount: int
    label: str = ""
    cheque: str | None = None
    mode: str | None = None
    ticked: bool = False  # the Pointé cell already holds a mark
    carried: bool = False  # a line of the « En attente » sheet (last year's, outstanding at its 31 August); ``row``
    # is then that sheet's row
    since: dt.date | None = None  # a carried line cleared after the previous 31 August: its window counts from here

    @property
    def key(self) -> tuple[bool, int]:
        """What names the line in the workbook: its sheet and its row."""
        return (self.carried, self.row)

    @property
    def is_cheque(self) -> bool:
        return cheque_key(self.cheque) is not None or (self.mode or "").upper() == "CHQ"


@dataclass(frozen=True)
class Window:
    days: int = 10  # either side of the cahier's date
    cheque_days: int = 92  # after the cahier's date, for a cheque
    near_cents: int = 1000  # an amount off by at most this much is a near miss

    def allows(self, line: BankLine, op: Operation) -> bool:
        late = self.cheque_days if line.is_cheque or op.cheque else self.days
        after = max(line.date, line.since) if line.since is not None else line.date
        return -self.days <= (op.date - line.date).days and (op.date - after).days <= max(late, self.days)


@dataclass(frozen=True)
class Pair:
    line: BankLine
    operation: Operation
    by_cheque: bool = False  # found by its cheque number


@dataclass(frozen=True)
class NearMiss:
    line: BankLine
    operation: Operation

    @property
    def gap(self) -> int:
        """What the statement says minus what the cahier says, in cents (same direction)."""
        return abs(self.operation.amount) - abs(self.line.amount)

    @property
    def swapped(self) -> bool:
        """Two digits swapped: the same digits in another order (the gap is then a multiple of 9 cents)."""
        a, b = f"{abs(self.line.amount):03d}", f"{abs(self.operation.amount):03d}"
        return self.gap % 9 == 0 and sorted(a) == sorted(b) and a != b


@dataclass
class Matching:
    pairs: list[Pair] = field(default_factory=list)
    lines_left: list[BankLine] = field(default_factory=list)  # in the cahier, not on the statement
    operations_left: list[Operation] = field(default_factory=list)  # on the statement, not in the cahier
    near: list[NearMiss] = field(default_factory=list)
    in_date_order: list[list[Pair]] = field(default_factory=list)  # same amount, several candidates: date order


def _compatible(line: BankLine, op: Operation, window: Window) -> bool:
    if line.amount != op.amount:
        return False
    mine, theirs = cheque_key(line.cheque), cheque_key(op.cheque)
    if mine is not None and theirs is not None and mine != theirs:
        return False
    return window.allows(line, op)


def match(lines: list[BankLine], operations: list[Operation], window: Window | None = None) -> Matching:
    window = window or Window()
    lines = sorted(lines, key=lambda ln: (ln.date, ln.carried, ln.row))
    ops = sorted(operations, key=lambda op: op.key)
    free = list(range(len(ops)))  # indices into ops, in order
    used: set[int] = set()
    pairs: dict[int, Pair] = {}  # line index → pair

    # 1. cheques by their number
    for i, line in enumerate(lines):
        number = cheque_key(line.cheque)
        if number is None:
            continue
        for k in free:
            op = ops[k]
            if k not in used and cheque_key(op.cheque) == number and _compatible(line, op, window):
                pairs[i] = Pair(line, op, by_cheque=True)
                used.add(k)
                break

    # 2. the rest, amount by amount, lines in date order each taking the earliest free operation in its window
    by_amount: dict[int, list[int]] = defaultdict(list)
    for k in free:
        if k not in used:
            by_amount[ops[k].amount].append(k)
    ordered: list[list[Pair]] = []
    for amount in sorted({ln.amount for i, ln in enumerate(lines) if i not in pairs}):
        group = [i for i, ln in enumerate(lines) if i not in pairs and ln.amount == amount]
        candidates = by_amount.get(amount, [])
        contested = False
        made: list[Pair] = []
        for i in group:
            fits = [k for k in candidates if k not in used and _compatible(lines[i], ops[k], window)]
            if not fits:
                continue
            contested = contested or len(fits) > 1
            pairs[i] = Pair(lines[i], ops[fits[0]])
            used.add(fits[0])
            made.append(pairs[i])
        if contested and len(made) > 1:
            ordered.append(made)

    result = Matching(
        pairs=[pairs[i] for i in sorted(pairs)],  # ``lines`` is in date order
        lines_left=[ln for i, ln in enumerate(lines) if i not in pairs],
        operations_left=[ops[k] for k in free if k not in used],
        in_date_order=ordered,
    )
    result.near = _near_misses(result.lines_left, result.operations_left, window)
    return result


def _near_misses(lines: list[BankLine], ops: list[Operation], window: Window) -> list[NearMiss]:
    """Unpaired line and operation in the same direction and window whose amounts differ a little, or by swapped
    digits, or that carry the same cheque number. One-to-one, closest amounts first."""
    candidates: list[tuple[int, dt.date, tuple[bool, int], tuple[dt.date, int, str, str], BankLine, Operation]] = []
    for line in lines:
        for op in ops:
            if (line.amount > 0) != (op.amount > 0) or not window.allows(line, op):
                continue
            near = NearMiss(line, op)
            same_cheque = cheque_key(line.cheque) is not None and cheque_key(line.cheque) == cheque_key(op.cheque)
            if 0 < abs(near.gap) <= window.near_cents or near.swapped or (same_cheque and near.gap):
                candidates.append((abs(near.gap), line.date, line.key, op.key, line, op))
    out: list[NearMiss] = []
    taken_lines: set[tuple[bool, int]] = set()
    taken_ops: set[int] = set()
    for _, _, _, _, line, op in sorted(candidates, key=lambda c: c[:4]):
        if line.key in taken_lines or id(op) in taken_ops:
            continue
        taken_lines.add(line.key)
        taken_ops.add(id(op))
        out.append(NearMiss(line, op))
    return sorted(out, key=lambda n: (n.line.date, n.line.carried, n.line.row))
