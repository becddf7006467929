"""The Scorecards screen: Excel exports and the weekly schedule."""
