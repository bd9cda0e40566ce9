"""`sage-studio engine ...` (filled in by its issue)."""


def register(sub) -> None:
    pass
