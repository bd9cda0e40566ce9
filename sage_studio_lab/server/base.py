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
from ..settings import Settings

M = TypeVar("M", bound=BaseModel)


class StudioHandler(APIHandler):
    """Every Studio REST handler derives from this. Verbs must still be `@tornado.web.authenticated`."""

    @property
    def studio(self) -> Settings:
        return self.settings["sage_studio_settings"]

    def parse_body(self, model: type[M]) -> M:
        """The JSON body validated by `model`; a 400 that names the bad fields otherwise."""
        return self.validate(model, self.json_body())

    def json_body(self):
        """The request body parsed as JSON (an empty body is `{}`); a 400 when it is not JSON."""
        try:
            return json.loads(self.request.body or b"{}")
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"request body is not valid JSON: {exc}") from exc

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
