"""REST routes for flow (filled in by its issue)."""


def routes():
    return []
