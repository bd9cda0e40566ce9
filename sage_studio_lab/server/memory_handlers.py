"""REST routes for memory (filled in by its issue)."""


def routes():
    return []
