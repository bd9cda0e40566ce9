"""LoRA adapters of the running engine, over its HTTP API (`/v1/load_lora_adapter`, vLLM's and ours); the
loaded set is kept in the engine's row so a restart loads them again."""

from __future__ import annotations

import time
from pathlib import Path

from ..errors import InvalidInput, NotFound, Unavailable
from ..openai_wire import error_message
from ..store import loads
from .keys import auth_headers
from .records import EngineRecords


class EngineAdapters(EngineRecords):
    def _post(self, path: str, body: dict) -> dict:
        import httpx

        row = self._refresh(self._latest())
        if row is None or row["status"] != "running":
            raise Unavailable("no engine is running: start one first")
        try:
            resp = httpx.post(
                f"http://{row['host']}:{row['port']}{path}",
                json=body,
                headers=auth_headers(self.api_key(row["id"])),
                timeout=120,
            )
        except httpx.HTTPError as exc:
            raise Unavailable(f"the engine did not answer: {exc}") from exc
        if resp.status_code >= 400:
            error = NotFound if resp.status_code == 404 else InvalidInput
            raise error(error_message(resp.status_code, resp.content))
        return {"row": row, "text": resp.text}

    def _set_adapter(self, engine_id: str, name: str, path: str | None) -> None:
        options = loads(
            self.store.query_one("SELECT options FROM engines WHERE id=?", (engine_id,))["options"], {}
        )
        adapters = options.setdefault("adapters", {})
        if path is None:
            adapters.pop(name, None)
        else:
            adapters[name] = path
        self._update(engine_id, options=options)

    def load_adapter(self, name: str, path: str) -> dict:
        if not name or not name.strip():
            raise InvalidInput("adapter name must not be empty")
        folder = Path(path).expanduser()
        if not (folder / "adapter_config.json").exists():
            raise InvalidInput(f"{path} is not a LoRA adapter folder (no adapter_config.json)")
        t0 = time.perf_counter()
        result = self._post("/v1/load_lora_adapter", {"lora_name": name, "lora_path": str(folder.resolve())})
        self._set_adapter(result["row"]["id"], name, str(folder.resolve()))
        return {
            "name": name,
            "path": str(folder.resolve()),
            "load_time_s": round(time.perf_counter() - t0, 3),
            "message": result["text"],
        }

    def unload_adapter(self, name: str) -> dict:
        result = self._post("/v1/unload_lora_adapter", {"lora_name": name})
        self._set_adapter(result["row"]["id"], name, None)
        return {"name": name, "unloaded": True, "message": result["text"]}
