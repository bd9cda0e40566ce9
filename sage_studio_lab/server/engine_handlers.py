"""REST routes for engine (filled in by its issue)."""


def routes():
    return []
