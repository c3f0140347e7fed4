"""The dims table as in-memory columns, kept current by change stamps: facets and histograms.

Counting facets in SQL costs a sorter pass per grouping over every match: at a million
mentions a common word (220,000 matches) took over a second for the facets alone, however
narrow the rows. Elasticsearch answers the same question from column-oriented doc values;
this is the same idea for one process: ``mention_dims`` loaded once into numpy arrays sorted
by rowid, then every facet is a ``bincount`` over the matches' positions and the histogram a
``unique`` over their rowids (= publication times). Measured in ``benchmarks/archive_bench.py``.

The arrays stay exact without re-reading the table: every write transaction that touches a
dims row stamps it with a new ``dims_version`` (``archive/sqlite/dims.py``), a row that moved
leaves a tombstone, and ``refresh`` applies only rows stamped after the version it holds.
``refresh`` and the query that lists the matches run in one read transaction, so both see the
same snapshot of the file. Memory: about 40 bytes per mention (40 MB at a million).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from archive.sqlite.search import DimFilter

# Integer columns in array order; NULL (not analysed) is -1.
_INT_COLUMNS = ("source", "platform", "kind", "region", "sentiment", "relevant", "topics")
_INT_SELECT = " || ',' || ".join(
    ["rowid"]
    + [f"coalesce({c}, -1)" if c in ("sentiment", "relevant") else c for c in _INT_COLUMNS]
)
IntArray = npt.NDArray[np.int64]


class ColumnsOutOfStep(Exception):
    """A match has no row in the columns (should not happen within one snapshot)."""


class DimsColumns:
    def __init__(self) -> None:
        self.version = -1
        self.rowids: IntArray = np.zeros(0, dtype=np.int64)
        self.ints: IntArray = np.zeros((0, len(_INT_COLUMNS)), dtype=np.int64)
        self.rumor: npt.NDArray[np.float64] = np.zeros(0, dtype=np.float64)

    # ---- keeping current -------------------------------------------------------------
    def refresh(self, conn: sqlite3.Connection) -> None:
        """Bring the arrays to the file's dims_version (call inside a read transaction)."""
        row = conn.execute("SELECT value FROM meta WHERE key = 'dims_version'").fetchone()
        current = int(row[0]) if row else 0
        if current == self.version:
            return
        if self.version < 0 or current < self.version:
            # First use, or a different file (restored from a backup): read everything.
            self.rowids, self.ints, self.rumor = _read_rows(conn, "1", ())
        else:
            self._apply_changes(conn, self.version)
        self.version = current

    def _apply_changes(self, conn: sqlite3.Connection, since: int) -> None:
        gone = conn.execute(
            "SELECT rowid FROM dims_tombstones WHERE version > ?", (since,)
        ).fetchall()
        if gone:
            positions = self._positions_of(np.array([r[0] for r in gone], dtype=np.int64))
            keep = np.ones(len(self.rowids), dtype=bool)
            keep[positions[positions >= 0]] = False
            self.rowids, self.ints, self.rumor = (
                self.rowids[keep],
                self.ints[keep],
                self.rumor[keep],
            )
        rowids, ints, rumor = _read_rows(conn, "version > ?", (since,))
        if not len(rowids):
            return
        positions = self._positions_of(rowids)
        known = positions >= 0
        self.ints[positions[known]] = ints[known]
        self.rumor[positions[known]] = rumor[known]
        new = ~known
        if new.any():
            merged = np.concatenate([self.rowids, rowids[new]])
            order = np.argsort(merged, kind="stable")
            self.rowids = merged[order]
            self.ints = np.concatenate([self.ints, ints[new]])[order]
            self.rumor = np.concatenate([self.rumor, rumor[new]])[order]

    def _positions_of(self, rowids: IntArray) -> IntArray:
        """Index of each rowid in the arrays, or -1 where it is absent."""
        positions = np.searchsorted(self.rowids, rowids)
        inside = positions < len(self.rowids)
        found = np.zeros(len(rowids), dtype=bool)
        found[inside] = self.rowids[positions[inside]] == rowids[inside]
        return np.where(found, positions, -1)

    # ---- selecting matches -----------------------------------------------------------
    def positions(self, matches: IntArray | None, lower: int | None, upper: int | None) -> IntArray:
        """Positions of ``matches`` (every mention when None) within [lower, upper)."""
        if matches is None:
            start = 0 if lower is None else int(np.searchsorted(self.rowids, lower, "left"))
            stop = (
                len(self.rowids)
                if upper is None
                else int(np.searchsorted(self.rowids, upper, "left"))
            )
            return np.arange(start, stop, dtype=np.int64)
        positions = self._positions_of(matches)
        if (positions < 0).any():
            raise ColumnsOutOfStep(f"{int((positions < 0).sum())} matches have no dims row")
        return positions

    def apply(self, positions: IntArray, filters: Sequence[DimFilter]) -> IntArray:
        """Keep the positions that pass every filter (the same meaning as ``DimFilter.sql``)."""
        for item in filters:
            if item.op == "none":
                return positions[:0]
            if item.column == "rumor":
                values = self.rumor[positions]
                with np.errstate(invalid="ignore"):  # NaN (no score) fails both bounds
                    keep = values >= item.value if item.op == "min" else values <= item.value
            else:
                column = self.ints[positions, _INT_COLUMNS.index(item.column)]
                if item.op == "in":
                    keep = np.isin(column, np.array(item.codes, dtype=np.int64))
                elif item.op == "not":
                    keep = column != item.codes[0]
                elif item.op == "any_bits":
                    keep = (column & item.codes[0]) != 0
                elif item.op == "no_bits":
                    keep = (column & item.codes[0]) == 0
                else:
                    raise ValueError(f"unknown dims filter {item.op!r}")
            positions = positions[keep]
        return positions

    # ---- counting ----------------------------------------------------------------------
    def counts(self, positions: IntArray, column: str) -> dict[int, int]:
        """Code -> number of positions; -1 counts rows with NULL (not analysed)."""
        values = self.ints[positions, _INT_COLUMNS.index(column)]
        # Codes are small: bincount is linear, where unique would sort the matches.
        counted = np.bincount(values + 1)
        return {int(code) - 1: int(counted[code]) for code in np.flatnonzero(counted)}

    def topic_counts(self, positions: IntArray, bits: int) -> dict[int, int]:
        """Topic code -> count, over the first ``bits`` bits of the topic masks."""
        masks = self.ints[positions, _INT_COLUMNS.index("topics")] & ((1 << bits) - 1)
        if not len(masks):
            return {}
        out: dict[int, int] = {}
        for code in range(int(masks.max()).bit_length()):
            count = int(np.count_nonzero(masks & (1 << code)))
            if count:
                out[code] = count
        return out

    def buckets(self, positions: IntArray, offset: int, width: int) -> list[tuple[int, int]]:
        """(bucket number, count) of ``(rowid + offset) // width``, in order."""
        found, counted = np.unique((self.rowids[positions] + offset) // width, return_counts=True)
        return list(zip(found.tolist(), counted.tolist(), strict=True))


def _read_rows(
    conn: sqlite3.Connection, where: str, params: tuple[int, ...]
) -> tuple[IntArray, IntArray, npt.NDArray[np.float64]]:
    """Rows of mention_dims matching ``where``, sorted by rowid, as arrays.

    The values travel as comma-separated text (a million rows parse in tens of milliseconds,
    where building a million Python tuples takes about a second); rumour scores go through
    ``quote()``, which prints reals so that they read back exactly (``printf`` does not).
    """
    ints, reals = conn.execute(
        f"SELECT group_concat(x), group_concat(y) FROM (SELECT {_INT_SELECT} AS x, "
        "CASE WHEN rumor IS NULL THEN 'nan' ELSE quote(rumor) END AS y "
        f"FROM mention_dims WHERE {where} ORDER BY rowid)",
        params,
    ).fetchone()
    width = 1 + len(_INT_COLUMNS)
    if not ints:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros((0, width - 1), dtype=np.int64), np.zeros(0, dtype=np.float64)
    table = np.fromstring(ints, dtype=np.int64, sep=",").reshape(-1, width)
    rumor = np.fromstring(reals, dtype=np.float64, sep=",")
    return table[:, 0].copy(), table[:, 1:].copy(), rumor


def parse_rowids(text: str | None) -> IntArray:
    """Rowids from ``group_concat(rowid)``, sorted."""
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.fromstring(text, dtype=np.int64, sep=","))
