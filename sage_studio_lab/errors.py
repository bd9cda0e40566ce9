"""Errors the core raises; every face maps them to a clear message (HTTP 4xx, CLI exit code, widget error)."""


class StudioError(Exception):
    """Base class. `status` is the HTTP status a face should answer with."""

    status = 400

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(StudioError):
    status = 400


class Forbidden(StudioError):
    """Not allowed for this caller or this content (an untrusted flow's Python reference, a path outside the root)."""

    status = 403


class NotFound(StudioError):
    status = 404


class MethodNotAllowed(StudioError):
    """A route answered with a verb it does not take; the message says which verbs it takes and what to send."""

    status = 405


class Conflict(StudioError):
    status = 409


class ModelNotFound(NotFound):
    pass


class Unavailable(StudioError):
    """A dependency (engine, upstream API, optional package) is not there right now."""

    status = 503


class TooLarge(StudioError):
    """An upload over the configured size limit (`c.SageStudio.max_upload_mb`)."""

    status = 413
