"""REST routes for chat (filled in by its issue)."""


def routes():
    return []
