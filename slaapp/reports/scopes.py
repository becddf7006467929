"""Teams in a scorecard: the team responsible for each clock, a person's team, and --team scopes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import ClockTable
from slaapp.engine.errors import BadInputError

UNASSIGNED = "Unassigned"
Obj = npt.NDArray[np.object_]
B = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class ClockTeams:
    """Per clock: the team of its handoff (responsible, from the matrix) and of its owner
    (from the directory), plus the team names each source knows."""

    handoff_team: Obj
    owner_team: Obj
    matrix_teams: tuple[str, ...]
    directory_teams: tuple[str, ...]

    def person_team(self) -> Obj:
        """Per clock, "their team" for the owner: the directory's, else the handoff's."""
        found: Obj = np.where(self.owner_team == UNASSIGNED, self.handoff_team, self.owner_team)
        return found

    def members(self, team: str) -> B:
        """The clocks a team's figures count: its handoffs' clocks (matrix team), else the
        clocks owned by its members (a directory-only team)."""
        if team in self.matrix_teams:
            mask: B = self.handoff_team == team
        else:
            mask = self.owner_team == team
        return mask

    def scope(self, team: str | None) -> B:
        """The clocks of `--team T` (all when None); BadInputError listing the teams if unknown."""
        if team is None:
            return np.ones(len(self.handoff_team), dtype=np.bool_)
        if team not in self.matrix_teams and team not in self.directory_teams:
            raise BadInputError(unknown_team(team, self.matrix_teams, self.directory_teams))
        return self.members(team)


def unknown_team(team: str, matrix: Collection[str], directory: Collection[str]) -> str:
    """`no team 'East' (matrix teams: Sales, CS; directory teams: East Sales, West Sales)`."""
    return (
        f"no team {team!r} (teams of the matrix: {', '.join(sorted(matrix)) or 'none'}; "
        f"teams of the directory: {', '.join(sorted(directory)) or 'none'})"
    )


def clock_teams(
    clocks: ClockTable,
    handoff_teams: dict[str, str],
    owner_teams: dict[str, str],
    directory_teams: Collection[str],
) -> ClockTeams:
    """Teams per clock from the matrix (handoff key -> team) and the directory (owner -> team)."""
    by_handoff = np.array(
        [handoff_teams.get(k) or UNASSIGNED for k in clocks.handoff_keys] or [UNASSIGNED],
        dtype=object,
    )
    by_owner = np.array(
        [owner_teams.get(o) or UNASSIGNED for o in clocks.owners] + [UNASSIGNED], dtype=object
    )
    matrix = sorted({t for t in handoff_teams.values() if t})
    directory = sorted(set(directory_teams) | {t for t in owner_teams.values() if t} - {UNASSIGNED})
    return ClockTeams(
        by_handoff[clocks.handoff] if len(clocks) else np.zeros(0, dtype=object),
        by_owner[clocks.owner] if len(clocks) else np.zeros(0, dtype=object),
        tuple(matrix),
        tuple(directory),
    )
