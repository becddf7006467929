"""Excel scorecards and summaries for leadership."""
