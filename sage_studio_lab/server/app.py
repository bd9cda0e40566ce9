"""`SageStudioApp`: the Jupyter server extension. Configuration lives in `c.SageStudio.*`."""

from __future__ import annotations

import importlib
import os
import threading
import time

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from traitlets import Bool, Enum, Integer, Unicode
from traitlets.config import Configurable

from .. import paths
from ..settings import Settings, set_settings

# Each area's routes live in `server/<area>_handlers.py` as `routes() -> [(path, Handler[, kwargs])]`,
# with paths relative to `<base_url>/sage-studio/`.
ROUTE_MODULES = ("health", "engine", "system", "flow", "chat", "memory", "finetune")
URL_PREFIX = "sage-studio"


class SageStudio(Configurable):
    """Settings of SAGE Studio Lab (`c.SageStudio.<name>` in jupyter_server_config.py)."""

    data_dir = Unicode(
        "", help="Data directory (default: $SAGE_STUDIO_HOME or <jupyter data dir>/sage_studio)."
    ).tag(config=True)
    default_model = Unicode("SmolLM2-135M-Instruct", help="Model the engine starts with by default.").tag(
        config=True
    )
    engine_kind = Unicode(
        "auto", help="Engine backend: auto (vLLM when a GPU and vllm exist), cpu or vllm."
    ).tag(config=True)
    engine_nice = Integer(
        5,
        min=0,
        max=19,
        help="CPU priority the CPU engine gives up (Unix niceness, 0-19): while a model computes on the "
        "cores Jupyter needs, the server, kernels and the chat relay go first; alone, the engine still gets "
        "every idle core. 0 keeps normal priority.",
    ).tag(config=True)
    cloud_base_url_env = Unicode(
        "SAGE_CHAT_BASE_URL", help="Env var holding the cloud OpenAI-compatible base URL."
    ).tag(config=True)
    cloud_api_key_env = Unicode(
        "SAGE_CHAT_API_KEY", help="Env var holding the cloud API key (never returned by any route)."
    ).tag(config=True)
    cloud_model_env = Unicode("SAGE_CHAT_MODEL", help="Env var holding the cloud model name.").tag(
        config=True
    )
    default_source = Enum(
        ["auto", "local", "cloud"],
        "auto",
        help="Where chat turns go when they name no source: local engine, cloud endpoint, or auto "
        "(local first, cloud when the local engine is down).",
    ).tag(config=True)
    intent_classifier = Enum(
        ["keyword", "llm"],
        "keyword",
        help="How the chat pipeline's IntentRouter classifies a message: keyword rules, or a short "
        "LLM call (falls back to the keyword result on error). Sessions may override it.",
    ).tag(config=True)
    memory_backend = Unicode("short_term", help="Default memory backend: short_term, vector or kv.").tag(
        config=True
    )
    memory_window = Integer(8, help="Dialogs kept by the short_term memory.").tag(config=True)
    memory_top_k = Integer(4, help="Memories recalled per turn by vector / kv memory.").tag(config=True)
    max_upload_mb = Integer(200, help="Largest dataset upload accepted, in MiB.").tag(config=True)
    max_concurrent_trainings = Integer(1, help="Fine-tune tasks that may train at once; others queue.").tag(
        config=True
    )
    auto_start_engine = Bool(False, help="Start the default engine when the server starts.").tag(config=True)

    def to_settings(self) -> Settings:
        return Settings(
            default_model=self.default_model,
            engine_kind=self.engine_kind,
            engine_nice=self.engine_nice,
            cloud_base_url_env=self.cloud_base_url_env,
            cloud_api_key_env=self.cloud_api_key_env,
            cloud_model_env=self.cloud_model_env,
            default_source=self.default_source,
            intent_classifier=self.intent_classifier,
            memory_backend=self.memory_backend,
            memory_window=self.memory_window,
            memory_top_k=self.memory_top_k,
            max_upload_mb=self.max_upload_mb,
            max_concurrent_trainings=self.max_concurrent_trainings,
        )


class SageStudioApp(ExtensionApp):
    name = "sage_studio_lab"
    classes = [SageStudio]
    load_other_extensions = True

    def initialize_settings(self):
        t0 = time.perf_counter()
        self.studio_config = SageStudio(parent=self)
        if self.studio_config.data_dir:
            # Exported so that kernels started by this server share the same store.
            os.environ["SAGE_STUDIO_HOME"] = os.path.expanduser(self.studio_config.data_dir)
        settings = self.studio_config.to_settings()
        set_settings(settings)
        self.settings.update({"sage_studio_settings": settings, "sage_studio_started": time.time()})
        self.log.info(
            "SAGE Studio Lab: data in %s (settings ready in %.1f ms)",
            paths.data_home(),
            (time.perf_counter() - t0) * 1000,
        )
        if self.studio_config.auto_start_engine:
            # In a thread: loading a model must not delay the server; the panels show the engine as `loading`.
            threading.Thread(
                target=self._auto_start_engine, name="sage-studio-autostart", daemon=True
            ).start()

    def _auto_start_engine(self):
        try:
            from ..engine import EngineManager

            manager = EngineManager()
            if manager.status()["status"] in ("running", "loading"):
                self.log.info("SAGE Studio Lab: re-attached to the running engine")
                return
            manager.start(
                model=self.studio_config.default_model, backend=self.studio_config.engine_kind, wait=False
            )
            self.log.info("SAGE Studio Lab: starting engine with %s", self.studio_config.default_model)
        except Exception as exc:  # the Lab must come up even when the engine cannot start
            self.log.warning("SAGE Studio Lab: engine auto-start failed: %s", exc)

    def initialize_handlers(self):
        # ExtensionApp prefixes base_url itself; patterns here are relative to it.
        for area in ROUTE_MODULES:
            module = importlib.import_module(f"sage_studio_lab.server.{area}_handlers")
            for route in module.routes():
                path, handler, *rest = route
                pattern = url_path_join("/", URL_PREFIX, path)
                self.handlers.append((pattern, handler, *rest))

    async def stop_extension(self):
        # Engines and trainings are detached on purpose: they outlive the server and are re-attached later.
        self.log.info("SAGE Studio Lab: stopping (engines and trainings keep running)")
        from ..chat import gateway

        await gateway.close()
