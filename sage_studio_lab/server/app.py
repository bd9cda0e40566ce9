"""`SageStudioApp`: the Jupyter server extension. Configuration lives in `c.SageStudio.*`."""

from __future__ import annotations

import importlib
import os
import threading
import time

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from traitlets import Bool, Unicode
from traitlets.config import Configurable

from .. import paths
from ..flow.registry import operator_types
from ..settings import Settings, config_traits, set_settings

# Routes come from `server/<area>_handlers.py` as `routes() -> [(path, Handler[, kwargs])]`, paths relative to
# `<base_url>/sage-studio/`: `operation` derives them from the declared operations (sage_studio_lab/api/), the
# others carry streams and uploads.
ROUTE_MODULES = ("operation", "gateway", "system", "flow", "chat", "finetune", "improve")
URL_PREFIX = "sage-studio"


def _to_settings(self) -> Settings:
    return Settings(**{name: getattr(self, name) for name in Settings.model_fields})


# `c.SageStudio.<name>` (jupyter_server_config.py): every core setting's trait is derived from `Settings`
# (type, allowed values, bounds, default, help are declared there once); two are the server's own.
SageStudio = type(
    "SageStudio",
    (Configurable,),
    {
        "__doc__": "Settings of SAGE Studio Lab (`c.SageStudio.<name>` in jupyter_server_config.py).",
        "__module__": __name__,
        **config_traits(),
        "data_dir": Unicode(
            "", help="Data directory (default: $SAGE_STUDIO_HOME or <jupyter data dir>/sage_studio)."
        ).tag(config=True),
        "auto_start_engine": Bool(False, help="Start the default engine when the server starts.").tag(
            config=True
        ),
        "to_settings": _to_settings,
    },
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
        if not settings.files_root:  # flows run here read and write inside Jupyter's contents root
            settings.files_root = os.path.abspath(os.path.expanduser(self.serverapp.root_dir))
        set_settings(settings)
        # Operator modules load on this thread, before any request: the first import of a package racing in two
        # threads (the event loop and a worker of a blocking operation) can see it half-initialised (a 500).
        operator_types()
        self.settings.update({"sage_studio_settings": settings, "sage_studio_started": time.time()})
        self.log.info(
            "SAGE Studio Lab: data in %s (settings ready in %.1f ms)",
            paths.data_home(),
            (time.perf_counter() - t0) * 1000,
        )
        # Fine-tune trainers outlive servers: re-attach to them, and give a dead one's slot to the queue.
        self._supervising = threading.Event()
        threading.Thread(target=self._supervise_trainers, name="sage-studio-trainers", daemon=True).start()
        if self.studio_config.auto_start_engine:
            # In a thread: loading a model must not delay the server; the panels show the engine as `loading`.
            threading.Thread(
                target=self._auto_start_engine, name="sage-studio-autostart", daemon=True
            ).start()

    def _supervise_trainers(self):
        try:
            from ..finetune.trainers import supervise

            supervise(self._supervising)
        except Exception as exc:  # the Lab must come up even when the task table cannot be read
            self.log.warning("SAGE Studio Lab: fine-tune supervision stopped: %s", exc)

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
        self._supervising.set()
        from ..chat import gateway

        await gateway.close()
