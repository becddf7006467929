"""The Dashboard screen: adherence, reps, heat maps and the clocks behind them."""
