"""REST routes for system (filled in by its issue)."""


def routes():
    return []
