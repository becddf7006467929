"""Qt parts shared by the screens: job runner, charts, theme, table models, dialogs."""
