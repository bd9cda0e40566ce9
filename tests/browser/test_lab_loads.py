"""JupyterLab in a real browser shows the Studio sidebar; its panel opens (screenshot kept for the README)."""

from __future__ import annotations

import json

from .conftest import open_lab, screenshot


def test_extensions_enabled_in_real_lab(lab):
    status, body = lab.api("sage-studio/api/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    # The labextension is among the federated extensions the Lab page loads.
    status, body = lab.api("lab")
    html = body.decode()
    config = json.loads(html.split('id="jupyter-config-data">', 1)[1].split("</script>", 1)[0])
    names = [e["name"] for e in config["federated_extensions"]]
    assert "sage-studio-lab" in names, names


def test_sidebar_icon_opens_studio_panel(lab, page):
    open_lab(page, lab)
    tab = page.locator('[data-id="sage-studio-sidebar"]')
    tab.wait_for(timeout=60_000)
    tab.click()
    panel = page.locator("#sage-studio-sidebar")
    panel.wait_for(state="visible", timeout=30_000)
    assert panel.is_visible()
    page.wait_for_timeout(1500)  # let the panel fetch its first data before the picture
    screenshot(page, "sidebar")
