"""The Insights screen: findings, revenue weight and what-if replays."""
