"""Channel health: which channels can deliver now, and why the others cannot."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from slaapp.engine.matrix import Matrix
from slaapp.notify.channel import Channel

FALLBACKS = ("email", "desktop")
"""Where a step goes when none of its own channels can deliver, in order."""


@dataclass(frozen=True)
class ChannelHealth:
    """One channel as the alert runs see it: on or off, and what stops it delivering."""

    name: str
    title: str
    on: bool
    problem: str = ""
    named_by: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return self.on and not self.problem

    @property
    def reason(self) -> str:
        """Why its deliveries wait ("" when it can deliver)."""
        if not self.on:
            setup = " until a mail server is set up" if self.name == "email" else ""
            return f"{self.title} is off{setup} (Settings > {self.title})"
        return f"{self.title} cannot deliver: {self.problem}" if self.problem else ""

    def warning(self) -> str:
        """One line for screens and `alerts list` when something is wrong ("" when not)."""
        if self.ready:
            return ""
        if not self.on and not self.named_by:
            return ""  # off and nothing asks for it: a choice, not a problem
        if not self.named_by:
            return f"{self.reason}."
        steps = len(self.named_by)
        shown = ", ".join(self.named_by[:2]) + (f" and {steps - 2} more" if steps > 2 else "")
        instead = "the desktop" if self.name == "email" else "email, else the desktop"
        return (
            f"{self.reason}. {steps} alert step{'s name' if steps != 1 else ' names'} it ({shown}); "
            f"what names nothing else goes to {instead} instead."
        )


def assess(
    kinds: Iterable[tuple[str, str]],
    enabled: Mapping[str, bool],
    built: Mapping[str, Channel],
    named: Mapping[str, tuple[str, ...]],
) -> dict[str, ChannelHealth]:
    """The health of every channel kind (name, title): off, on but not set up, or ready.

    `built` are the channels this process can send on; a channel the settings turn on that
    was not built here (the desktop in a headless run) counts as ready, its own process
    delivers it.
    """
    found = {}
    for name, title in kinds:
        channel = built.get(name)
        check = getattr(channel, "problem", None)
        problem = str(check()) if callable(check) else ""
        on = enabled.get(name, False) or channel is not None
        found[name] = ChannelHealth(name, title, on, problem, named.get(name, ()))
    return found


def named_channels(
    matrix: Matrix | None, warning_channels: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """Which matrix steps and policy entries name each channel, in words."""
    found: dict[str, list[str]] = {}
    for channel in warning_channels:
        found.setdefault(channel, []).append("warnings (alert policy)")
    if matrix is not None:
        for handoff in matrix.handoffs:
            for step in handoff.escalation:
                for channel in step.channels:
                    found.setdefault(channel, []).append(
                        f"{handoff.name} at {step.at:.0%} of target"
                    )
    return {channel: tuple(dict.fromkeys(where)) for channel, where in found.items()}


def route(
    wanted: tuple[str, ...], health: Mapping[str, ChannelHealth]
) -> tuple[tuple[str, ...], dict[str, str], str]:
    """The channels a step's deliveries go on: (ready ones, {unready channel: why it waits},
    the fallback note). When none is ready the step falls back to email, else desktop."""
    ready = tuple(c for c in wanted if c in health and health[c].ready)
    blocked = {c: (health[c].reason if c in health else f"no channel named {c!r}") for c in wanted}
    blocked = {c: why for c, why in blocked.items() if c not in ready}
    if ready:
        return ready, blocked, ""
    for fallback in FALLBACKS:
        if fallback in health and health[fallback].ready:
            names = ", ".join(health[c].title if c in health else c for c in wanted)
            return (fallback,), blocked, f"{names} cannot deliver; going by {fallback} instead"
    return wanted, blocked, ""
