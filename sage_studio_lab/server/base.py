"""Base handler: JSON errors via one `write_error`, pydantic bodies, core errors mapped to 4xx."""

from __future__ import annotations

import json
import traceback
from typing import TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel

from ..api.registry import validate
from ..errors import InvalidInput, StudioError
from ..request_json import parse_json
from ..settings import Settings

M = TypeVar("M", bound=BaseModel)


class StudioHandler(APIHandler):
    """Every Studio REST handler derives from this. Verbs must still be `@tornado.web.authenticated`."""

    @property
    def studio(self) -> Settings:
        return self.settings["sage_studio_settings"]

    def parse_body(self, model: type[M]) -> M:
        """The JSON body (an object; an empty body is `{}`) validated by `model`; a 400 that names the bad fields
        otherwise."""
        raw = self.json_body()
        if not isinstance(raw, dict):
            raise InvalidInput(f"the request body must be a JSON object, not {type(raw).__name__}")
        return self.validate(model, raw)

    def json_body(self):
        """The request body parsed as JSON (an empty body is `{}`) by the one body parser (`request_json`): a 400
        (413: too large) naming the problem when it is not acceptable JSON."""
        return parse_json(self.request.body, empty={})

    @staticmethod
    def validate(model: type[M], raw) -> M:
        """`raw` validated by `model`; a 400 that names the bad fields otherwise (as every operation's)."""
        return validate(model, raw)

    def write_json(self, data, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data, default=str))

    def log_exception(self, typ, value, tb):
        if isinstance(value, StudioError):  # expected user errors: no stack trace in the server log
            self.log.info("%s %s -> %s", self.request.method, self.request.uri, value.message)
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs) -> None:
        """One JSON error shape for every route: {"status": int, "message": str, ...details}."""
        body: dict = {"status": status_code, "message": self._reason}
        exc_info = kwargs.get("exc_info")
        if exc_info:
            exc = exc_info[1]
            if isinstance(exc, StudioError):
                body.update(exc.details)
                body["message"] = exc.message
                if status_code == 405 and exc.details.get("allow"):
                    self.set_header("Allow", ", ".join(exc.details["allow"]))
            elif isinstance(exc, tornado.web.HTTPError):
                body["message"] = exc.reason or exc.log_message or self._reason
            if self.settings.get("serve_traceback") and not isinstance(
                exc, (StudioError, tornado.web.HTTPError)
            ):
                body["traceback"] = "".join(traceback.format_exception(*exc_info))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, default=str))

    def _handle_request_exception(self, e):
        if isinstance(e, StudioError):  # core errors become their own status with the message as reason
            if self._finished:
                return
            self.set_status(e.status)  # the message goes in the JSON body, not the status line
            self.log_exception(type(e), e, e.__traceback__)
            self.send_error(e.status, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)
