"""A demonstration node served on a free port, as an operator runs one: ``scamintel init``,
``scamintel demo``, API keys from ``scamintel apikey create``, then ``scamintel serve``. The
browser tests and the screenshot script both drive it.

Importable without pytest, so ``python -m tests.browser.screenshots`` can use it too."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx2 as httpx

CHROMIUM = Path("/usr/bin/chromium")
# Chromium without the parts that phone home or need a display: the node must work offline.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# Long enough for the production rules; only ever used for throw-away test nodes.
SECRET_KEY = "browser-test-secret-key-that-is-long-enough-0123456789abcdef"
NODE_COUNTRY = "TH"
START_TIMEOUT_S = 60.0

# A number a verified police unit reported: the check gives the verdict "scam".
LISTED_NUMBER = "081-234-5678"
LISTED_NUMBER_REPORT = {
    "narrative": "Caller said he was from the DSI and told me to move my savings to a safe account",
    "scam_type": "officials_impersonated",
    "channel": "call",
    "victim_country": "TH",
    "amount": "50000",
    "currency": "THB",
    "indicators": [{"type": "phone", "value": LISTED_NUMBER}],
}
# A message as a citizen pastes it: several red flags the message check highlights.
SCAM_MESSAGE = (
    "URGENT: Your parcel is held at customs. Pay the 150 THB fee within 24 hours at "
    "https://thaipost-fee.top/pay or it will be returned."
)

# Alerts an analyst publishes for readers in Thailand, in three of the pages' languages.
ALERTS = (
    {
        "title": "Fake parcel SMS asks for a customs fee",
        "body": "An SMS says your parcel is held and asks you to pay a small fee through a "
        "link. The post office never asks for payment by SMS link. Do not click; if you "
        "paid, call your bank at once.",
        "languages": ["en"],
    },
    {
        "title": "SMS ปลอมอ้างเป็นไปรษณีย์ เรียกเก็บค่าธรรมเนียมพัสดุ",
        "body": "อย่ากดลิงก์ในข้อความ ไปรษณีย์ไม่เรียกเก็บเงินผ่านลิงก์ทาง SMS "
        "หากโอนเงินไปแล้ว ให้โทรหาธนาคารของคุณทันที",
        "languages": ["th"],
    },
    {
        "title": "ပါဆယ်ထုပ် အခကြေးငွေ တောင်းသော SMS အတု",
        "body": "SMS ထဲက လင့်ခ်ကို မနှိပ်ပါနှင့်။ ငွေလွှဲပြီးပါက သင့်ဘဏ်ကို ချက်ချင်း ဖုန်းဆက်ပါ။",
        "languages": ["my"],
    },
)


@dataclass(frozen=True, slots=True)
class DemoNode:
    base_url: str
    analyst_key: str
    police_key: str
    folder: Path

    def url(self, path: str, **query: str) -> str:
        return self.base_url + path + (f"?{urlencode(query)}" if query else "")

    def list_as_scam(self, number: str) -> None:
        report_as_police(self.base_url, self.police_key, number)


def chromium_available() -> bool:
    return CHROMIUM.exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def node_environment(folder: Path) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("SCAMINTEL_")
    }
    environment.update(
        {
            "SCAMINTEL_HOME": str(folder / "home"),
            "SCAMINTEL_DATABASE_URL": f"sqlite:///{folder / 'node.db'}",
            "SCAMINTEL_NODE_NAME": "browser-test-node",
            "SCAMINTEL_NODE_COUNTRY": NODE_COUNTRY,
            "SCAMINTEL_SECRET_KEY": SECRET_KEY,
            "SCAMINTEL_ENVIRONMENT": "test",
        }
    )
    return environment


def _scamintel(folder: Path, *arguments: str) -> str:
    """One CLI verb as a process; its standard output. A failure says what the CLI said."""
    command = [str(Path(sys.executable).parent / "scamintel"), *arguments]
    finished = subprocess.run(
        command,
        env=node_environment(folder),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(
            f"scamintel {' '.join(arguments)} exited {finished.returncode}:\n"
            f"{finished.stdout}\n{finished.stderr}"
        )
    return finished.stdout


def _new_key(folder: Path, *arguments: str) -> str:
    issued = json.loads(_scamintel(folder, "apikey", "create", "--json", *arguments))
    return str(issued["key"])


def prepare_node(folder: Path, demo_count: int) -> tuple[str, str]:
    """Initialise the database in ``folder``, load ``demo_count`` demonstration reports and
    issue an analyst key and a verified police unit's reporter key."""
    folder.mkdir(parents=True, exist_ok=True)
    _scamintel(folder, "init")
    _scamintel(folder, "demo", "--count", str(demo_count))
    analyst = _new_key(folder, "--org", "Thai Anti-Scam Centre", "--role", "analyst")
    police = _new_key(
        folder,
        "--org",
        "Royal Thai Police Cyber Unit",
        "--kind",
        "police",
        "--country",
        "TH",
        "--verified",
        "--role",
        "reporter",
    )
    return analyst, police


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(base_url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    process.wait(timeout=15)
    raise RuntimeError("the server did not start:\n" + log.read_text(errors="replace"))


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``scamintel serve`` on a free port of loopback; its base URL while it runs."""
    port = free_port()
    log = folder / f"serve-{port}.log"
    command = [str(Path(sys.executable).parent / "scamintel"), "serve", "--port", str(port)]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            env=node_environment(folder),
            cwd=folder,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process, log)
        yield base_url
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)


def report_as_police(base_url: str, police_key: str, number: str) -> None:
    """A verified police unit reports ``number`` over the API: its check then says scam."""
    report = {**LISTED_NUMBER_REPORT, "indicators": [{"type": "phone", "value": number}]}
    response = httpx.post(
        base_url + "/api/v1/reports",
        json=report,
        headers={"Authorization": f"Bearer {police_key}"},
        timeout=30,
    )
    response.raise_for_status()
    verdict = httpx.get(base_url + "/api/v1/check", params={"q": number}, timeout=30)
    if verdict.json()["verdict"] != "scam":
        raise RuntimeError(f"{number} is not judged a scam after a police report: {verdict.text}")


def publish_alerts(base_url: str, analyst_key: str) -> None:
    for alert in ALERTS:
        response = httpx.post(
            base_url + "/api/v1/alerts",
            json={**alert, "scam_type": "phishing_parcel_utility", "countries": [NODE_COUNTRY]},
            headers={"Authorization": f"Bearer {analyst_key}"},
            timeout=30,
        )
        response.raise_for_status()


@contextmanager
def demo_node(folder: Path, demo_count: int = 200) -> Iterator[DemoNode]:
    """A served node in ``folder`` holding the demonstration data, ``LISTED_NUMBER`` reported
    by a verified police unit and the ``ALERTS`` published."""
    analyst, police = prepare_node(folder, demo_count)
    with serving(folder) as base_url:
        report_as_police(base_url, police, LISTED_NUMBER)
        publish_alerts(base_url, analyst)
        yield DemoNode(base_url, analyst, police, folder)
