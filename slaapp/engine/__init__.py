"""Pure SLA domain logic: calendars, matrix, clocks; no Qt, no database, no I/O side effects."""
