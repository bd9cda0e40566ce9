"""REST routes for finetune (filled in by its issue)."""


def routes():
    return []
