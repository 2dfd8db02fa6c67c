"""The web console: server-rendered pages for facility operators and municipal staff over the apps' services."""
