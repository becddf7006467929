"""Matrix files on disk: read one (validated whole) and write one atomically."""

from __future__ import annotations

from pathlib import Path

from slaapp.engine.errors import Problem
from slaapp.engine.matrix import Matrix
from slaapp.engine.matrix_document import MatrixError, dump_matrix, parse_matrix
from slaapp.importers.input_limits import MiB, file_problem


def load_matrix(path: str | Path) -> Matrix:
    """Read and validate a matrix file; MatrixError lists every problem."""
    source = str(path)
    problem = file_problem(Path(path), 16 * MiB)
    if problem:
        raise MatrixError([Problem(problem, path="$")], source)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MatrixError([Problem("file not found", path="$")], source) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MatrixError([Problem(f"cannot read the file: {exc}", path="$")], source) from None
    return parse_matrix(text, source)


def save_matrix(matrix: Matrix, path: str | Path) -> None:
    """Write the matrix file atomically (a temporary file renamed over the target)."""
    target = Path(path)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(dump_matrix(matrix), encoding="utf-8")
    temporary.replace(target)
