"""GPU information through NVML (nvidia-ml-py), guarded: no library or no GPU -> {"available": False}."""

from __future__ import annotations

import threading

_lock = threading.Lock()
_initialised: bool | None = None


def _init():
    global _initialised
    with _lock:
        if _initialised is None:
            try:
                import pynvml

                pynvml.nvmlInit()
                _initialised = True
            except Exception:  # no library, no driver, no device: all mean "no GPU here"
                _initialised = False
    return _initialised


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def gpu_info() -> dict:
    if not _init():
        return {"available": False, "devices": []}
    import pynvml

    devices = []
    try:
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            try:
                util = pynvml.nvmlDeviceGetUtilizationRates(handle).gpu
            except pynvml.NVMLError:
                util = None
            try:
                temp = pynvml.nvmlDeviceGetTemperature(handle, pynvml.NVML_TEMPERATURE_GPU)
            except pynvml.NVMLError:
                temp = None
            try:
                procs = [
                    {"pid": p.pid, "used_memory": p.usedGpuMemory}
                    for p in pynvml.nvmlDeviceGetComputeRunningProcesses(handle)
                ]
            except pynvml.NVMLError:
                procs = []
            devices.append(
                {
                    "index": index,
                    "name": _text(pynvml.nvmlDeviceGetName(handle)),
                    "memory_total": mem.total,
                    "memory_used": mem.used,
                    "memory_free": mem.free,
                    "utilization": util,
                    "temperature": temp,
                    "processes": procs,
                }
            )
    except Exception as exc:  # a driver hiccup must not break a status page
        return {"available": False, "devices": [], "error": str(exc)}
    return {"available": bool(devices), "devices": devices}


def gpu_available() -> bool:
    return gpu_info()["available"]


def process_gpu_memory(pid: int) -> int | None:
    """GPU memory (bytes) used by one process, or None without a GPU."""
    info = gpu_info()
    if not info["available"]:
        return None
    return sum(p["used_memory"] or 0 for d in info["devices"] for p in d["processes"] if p["pid"] == pid)
