"""Qt widgets, item models, delegates, dialogs and charts."""
